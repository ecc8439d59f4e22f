-- 0023_bathpass.sql — the bath-pass ledger (ふれあい入浴証, seed 002; issue 15), a service of its
-- own (src/bathpass/): its own tables and its own data key (data_key:bathpass). Nothing here is
-- joined with another service's tables. The seed's 記録項目 are exactly: 氏名, ふりがな, 郵便番号,
-- 住所 (with its 方書), 生年月日, 年齢 (computed when shown, never stored), 性別, 住民番号 (the host's
-- 宛名番号), 対象区分, 電話番号, 整理番号, 申請日, 交付日, 交付場所, 交付方法, 返戻日, 除外日・除外事由,
-- 送付先変更などの個別事由. Every personal field is sealed (BLOB) under the service's key.
--
-- Two roles of the platform, as 0020 added the schools' (the same way: the CHECK's text edited on
-- SQLite, the constraint replaced on PostgreSQL): bath_office (head office, 地域包括ケア推進課:
-- imports, the ledger, mailings) and bath_branch (a counter at a branch office, 特別出張所: the
-- counter only).
-- 流れ: bathpass; 区の基幹システム → 区の職員; 対象者の名簿（氏名・住所・区分など）; ファイルの取り込み（別の職員が承認）
-- 流れ: bathpass; 区の職員 → 対象者; ふれあい入浴証; 窓口での交付・郵送
-- [sqlite]
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''school_admin'',''sender'')',
                     '''school_admin'',''sender'',''bath_office'',''bath_branch'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- [postgresql]
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff','school_admin','sender',
                  'bath_office','bath_branch'));
-- [both]

-- Where a pass is handed over (交付場所): the head office and the branch offices. Codes are the
-- ward's; names are shown at the counter and in lists.
CREATE TABLE bath_places ( -- 表: 交付場所; bathpass; 固定 — the counters, kept by an erasure
  code TEXT PRIMARY KEY, -- 項目: 場所のコード; 一般
  name TEXT NOT NULL, -- 項目: 場所の名前; 一般
  head INTEGER NOT NULL DEFAULT 0 CHECK (head IN (0, 1)), -- 項目: 本庁かどうか; 一般
  sort INTEGER NOT NULL -- 項目: 表示の順; 一般
);
INSERT INTO bath_places (code, name, head, sort) VALUES
  ('honcho', '本庁舎（地域包括ケア推進課）', 1, 0),
  ('b01', '第一特別出張所', 0, 1), ('b02', '第二特別出張所', 0, 2),
  ('b03', '第三特別出張所', 0, 3), ('b04', '第四特別出張所', 0, 4),
  ('b05', '第五特別出張所', 0, 5), ('b06', '第六特別出張所', 0, 6),
  ('b07', '第七特別出張所', 0, 7), ('b08', '第八特別出張所', 0, 8),
  ('b09', '第九特別出張所', 0, 9), ('b10', '第十特別出張所', 0, 10);

-- The counter a branch-office account works at (bath_branch: required to issue).
CREATE TABLE bath_staff ( -- 表: 交付場所の職員; bathpass; 本人: 職員
  user_id INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  place   TEXT NOT NULL REFERENCES bath_places(code) -- 項目: 交付場所; 一般
);

-- One eligible person (or one who was: excluded rows stay, with 除外日・除外事由). Matched with
-- the host's extract on the blind index of 宛名番号 only, never on names.
CREATE TABLE bath_people ( -- 表: 対象者; bathpass; 本人: 区内在住の対象者（60歳以上・手帳の交付を受けた人・児童育成手当の受給者）
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  resident_idx BLOB NOT NULL UNIQUE, -- 項目: 住民番号の検索用ハッシュ値; 一般 — blind index "bath-resident" of 宛名番号
  row_mac      BLOB NOT NULL,        -- 項目: 取り込んだ行の照合値; 一般 — keyed hash "bath-row" of the host's fields: unchanged rows
                                     -- of an import are found without unsealing
  resident_no  BLOB NOT NULL,        -- 項目: 住民番号; 個人; 暗号化 — sealed "bath_people.resident_no" (住民番号 = 宛名番号)
  name         BLOB NOT NULL,        -- 項目: 氏名; 個人; 暗号化 — sealed "bath_people.name" (氏名)
  kana         BLOB NOT NULL,        -- 項目: ふりがな; 個人; 暗号化 — sealed "bath_people.kana" (ふりがな)
  birth        BLOB NOT NULL,        -- 項目: 生年月日; 個人; 暗号化 — sealed "bath_people.birth" (生年月日, ISO)
  sex          BLOB NOT NULL,        -- 項目: 性別; 個人; 暗号化 — sealed "bath_people.sex" (性別: 男 / 女)
  postcode     BLOB NOT NULL,        -- 項目: 郵便番号; 個人; 暗号化 — sealed "bath_people.postcode" (7 digits)
  address      BLOB NOT NULL,        -- 項目: 住所; 個人; 暗号化 — sealed "bath_people.address" (住所)
  katagaki     BLOB NOT NULL,        -- 項目: 方書; 個人; 暗号化 — sealed "bath_people.katagaki" (方書, part of 住所; may be "")
  phone        BLOB NOT NULL,        -- 項目: 電話番号; 個人; 暗号化 — sealed "bath_people.phone" (may be "")
  category     BLOB NOT NULL,        -- 項目: 対象者の区分（高齢・障害・児童）; 要配慮; 暗号化 — sealed "bath_people.category" (高齢 / 障害 / 児童)
  excluded     INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)), -- 項目: 除外; 個人
  excluded_on  BLOB,                 -- 項目: 除外日; 個人; 暗号化 — sealed "bath_people.excluded_on" (除外日, ISO)
  excluded_why BLOB,                 -- 項目: 除外事由; 要配慮; 暗号化 — sealed "bath_people.excluded_why" (除外事由)
  note         BLOB,                 -- 項目: 申出による送付先変更等の個別事由; 個人; 暗号化 — sealed "bath_people.note" (送付先変更などの個別事由)
  snapshot_id  INTEGER NOT NULL,     -- 項目: 最後に変えた取り込みの番号; 一般 — the import that last changed it
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms   INTEGER NOT NULL -- 項目: 更新日時; 一般
);

-- The counter's search terms, as keyed blind indexes under the service's key (the choice is in
-- docs/architecture.md): "bath-kana:" + the first 2..6 kana of ふりがな (katakana, no spaces),
-- "bath-name:" + 氏名 without spaces, "bath-birth:" + ISO date. A hit is unsealed and checked.
CREATE TABLE bath_terms ( -- 表: 対象者の検索語; bathpass
  person_id INTEGER NOT NULL REFERENCES bath_people(id), -- 項目: 対象者の番号; 一般
  term      BLOB NOT NULL -- 項目: 検索語の検索用ハッシュ値; 一般
);
CREATE INDEX bath_terms_term ON bath_terms(term);
CREATE INDEX bath_terms_person ON bath_terms(person_id);

-- An import of the host's extract, kept as a snapshot of its differences; nothing applies until
-- a second person approves it. status: pending, approved, refused (more than the set share
-- would be excluded: a truncated extract), superseded (another import was approved first).
CREATE TABLE bath_snapshots ( -- 表: 基幹システムからの取り込み; bathpass
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  created_by  INTEGER NOT NULL REFERENCES users(id), -- 項目: 取り込んだ職員の番号; 一般
  base_id     INTEGER NOT NULL,      -- 項目: 比べた前回の取り込み; 一般 — the last approved snapshot when this one was made (0: none)
  encoding    TEXT NOT NULL, -- 項目: 文字コード; 一般
  total_rows  INTEGER NOT NULL, -- 項目: 行数; 一般
  n_new       INTEGER NOT NULL, -- 項目: 新規の数; 一般
  n_changed   INTEGER NOT NULL, -- 項目: 変更の数; 一般
  n_gone      INTEGER NOT NULL, -- 項目: 消えた数; 一般
  n_unchanged INTEGER NOT NULL, -- 項目: 変わらない数; 一般
  n_rejected  INTEGER NOT NULL, -- 項目: 受け付けなかった数; 一般
  status      TEXT NOT NULL CHECK (status IN ('pending','approved','refused','superseded')), -- 項目: 状態; 一般
  refusal     TEXT NOT NULL DEFAULT '', -- 項目: 断った理由; 一般
  decided_by  INTEGER REFERENCES users(id), -- 項目: 承認した職員の番号; 一般
  decided_ms  INTEGER -- 項目: 承認日時; 一般
);

-- A snapshot's differences, one row each. kind: new, changed (fields: the names of the fields
-- that changed, comma-joined), gone (reason: moved / died / lost / absent), rejected (line and
-- reason, never the value). data: the host row's fields, sealed "bath_snapshot_rows.data".
CREATE TABLE bath_snapshot_rows ( -- 表: 取り込んだ行; bathpass; 本人: 区内在住の対象者（60歳以上・手帳の交付を受けた人・児童育成手当の受給者）
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  snapshot_id INTEGER NOT NULL REFERENCES bath_snapshots(id), -- 項目: 取り込みの番号; 一般
  line        INTEGER NOT NULL, -- 項目: 行番号; 一般
  kind        TEXT NOT NULL CHECK (kind IN ('new','changed','gone','rejected')), -- 項目: 新規・変更・消滅; 一般
  person_id   INTEGER REFERENCES bath_people(id), -- 項目: 対象者の番号; 一般
  fields      TEXT NOT NULL DEFAULT '', -- 項目: 変わった項目の名前; 一般
  reason      TEXT NOT NULL DEFAULT '', -- 項目: 受け付けなかった理由; 一般
  data        BLOB -- 項目: 取り込んだ行の内容; 要配慮; 暗号化
);
CREATE INDEX bath_snapshot_rows_snapshot ON bath_snapshot_rows(snapshot_id, kind);

-- What happened to a person's pass, per fiscal year (April–March). kind: apply (申請日), issue
-- (交付日, 交付場所, 交付方法, 整理番号), reissue (lost), returned (返戻日), exclude (除外),
-- sendto (送付先変更: the note is sealed on the person).
CREATE TABLE bath_events ( -- 表: 交付・返戻などの記録; bathpass; 本人: 区内在住の対象者（60歳以上・手帳の交付を受けた人・児童育成手当の受給者）
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  person_id   INTEGER NOT NULL REFERENCES bath_people(id), -- 項目: 対象者の番号; 一般
  fiscal_year INTEGER NOT NULL, -- 項目: 年度; 一般
  kind        TEXT NOT NULL CHECK (kind IN ('apply','issue','reissue','returned','exclude', -- 項目: 種類（申請・交付・返戻など）; 個人
                                            'sendto')),
  on_date     TEXT NOT NULL,         -- 項目: 申請日・交付日・返戻日; 個人 — ISO date (Asia/Tokyo)
  place       TEXT REFERENCES bath_places(code), -- 項目: 交付場所; 個人
  method      TEXT CHECK (method IN ('counter','mail')), -- 項目: 交付方法（窓口・郵送）; 個人
  number      TEXT,                  -- 項目: 整理番号; 個人 — 整理番号 (issue, reissue)
  user_id     INTEGER NOT NULL REFERENCES users(id), -- 項目: 記録した職員の番号; 一般
  created_ms  INTEGER NOT NULL -- 項目: 作成日時; 一般
);
CREATE INDEX bath_events_person ON bath_events(person_id, fiscal_year);
CREATE INDEX bath_events_day ON bath_events(on_date);

-- 整理番号: numbered per fiscal year, "<year>-<five digits>".
CREATE TABLE bath_numbers ( -- 表: 整理番号の採番; bathpass
  fiscal_year INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  last        INTEGER NOT NULL -- 項目: 最後に付けた番号; 一般
);
