-- 0031_exchange.sql — secure file exchange (ファイル授受; issue 17 section 5), a service of its own
-- (src/exchange/): its own tables and data key (data_key:exchange). A contractor (the clubs'
-- contractor, the benefits' operators and supervisors: grant/homehelp) sends a file to a named
-- member of the ward's staff; the file is sealed under a key of its own, that key is wrapped under
-- a password the system makes (sent to the recipient in a mail of its own), and the whole row is
-- deleted at its expiry.
-- 流れ: exchange; 受託事業者 → 区; 個人情報を含むファイル; ファイル授受（暗号化・受け渡し台帳に記録）
-- 流れ: exchange; 区 → 受託事業者; 個人情報を含むファイル; ファイル授受（暗号化・受け渡し台帳に記録）

-- The ward's staff who receive files: registered by the ward's administrator. data: sealed JSON
-- of 氏名, 所属 and the mail address the link and the password go to.
CREATE TABLE ex_recipients ( -- 表: ファイル授受の受け手; exchange; 本人: 職員（区・受託事業者）
  user_id    INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  data       BLOB NOT NULL,          -- 項目: 受け手の氏名・所属; 個人; 暗号化 — sealed "ex_recipients.data"
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)), -- 項目: 有効; 一般
  created_ms INTEGER NOT NULL -- 項目: 作成日時; 一般
);

-- A file waiting for its recipient. body: the file under its own key (XChaCha20-Poly1305);
-- file_key: that key wrapped under the file's password (argon2id), sealed under the service's
-- key; meta: sealed JSON of the file's name, type and the sender's note. Deleted at expires_ms
-- (and its deleted bytes scrubbed, store_scrub), or when withdrawn.
CREATE TABLE ex_files ( -- 表: 授受するファイル; exchange; 本人: ファイルに含まれる人（サービスの利用者）
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  sender_id    INTEGER NOT NULL REFERENCES users(id), -- 項目: 送り手の番号; 一般
  recipient_id INTEGER NOT NULL REFERENCES users(id), -- 項目: 受け手の番号; 一般
  meta         BLOB NOT NULL,        -- 項目: ファイル名と説明; 個人; 暗号化 — sealed "ex_files.meta"
  size         INTEGER NOT NULL, -- 項目: 大きさ（バイト）; 一般
  body         BLOB NOT NULL, -- 項目: ファイルの内容（暗号化済み）; 要配慮; 暗号化
  file_key     BLOB NOT NULL,        -- 項目: ファイルの鍵; 一般; 暗号化 — sealed "ex_files.file_key"
  failures     INTEGER NOT NULL DEFAULT 0, -- 項目: 開くのに失敗した回数; 一般
  locked       INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)), -- 項目: ロック; 一般
  downloads    INTEGER NOT NULL DEFAULT 0, -- 項目: ダウンロードの回数; 一般
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  expires_ms   INTEGER NOT NULL -- 項目: 有効期限; 一般
);
CREATE INDEX ex_files_expires ON ex_files(expires_ms);
CREATE INDEX ex_files_recipient ON ex_files(recipient_id);
CREATE INDEX ex_files_sender ON ex_files(sender_id);

-- What happened to the files (the lists of the sender, the recipient and the ward's
-- administrator): kept after a file is gone, with no name and no content of it.
CREATE TABLE ex_events ( -- 表: ファイル授受の記録; exchange
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  file_id      INTEGER,              -- 項目: ファイルの番号; 一般 — no reference: the file is deleted, its events stay
  action       TEXT NOT NULL CHECK (action IN ('upload','refused','download','wrong_password', -- 項目: 操作; 一般
                                               'locked','expired','withdrawn')),
  user_id      INTEGER REFERENCES users(id), -- 項目: 職員の番号; 一般 — who did it (NULL: the sweeper)
  sender_id    INTEGER REFERENCES users(id), -- 項目: 送り手の番号; 一般
  recipient_id INTEGER REFERENCES users(id), -- 項目: 受け手の番号; 一般
  size         INTEGER NOT NULL DEFAULT 0, -- 項目: 大きさ（バイト）; 一般
  at_ms        INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX ex_events_file ON ex_events(file_id);
CREATE INDEX ex_events_at ON ex_events(at_ms);
