-- 0001_platform.sql — keys, users, sessions, the audit chain and the mail outbox.
-- Personal data lives only in *_enc columns (vault_seal blobs) and *_idx blind indexes.
-- 流れ: platform; 各サービス → 保護者・申請者・利用者; 通知と一斉送信のメール（宛先・件名・本文は暗号化して保存）; メール（SMTP）
-- 流れ: platform; メールの宛先のサーバ → 区; 不達の通知（アドレスは伏せて記録）; メールの受信（mail-in）
CREATE TABLE meta ( -- 表: 設定と鍵; platform
  key   TEXT PRIMARY KEY, -- 項目: 名前; 一般
  value BLOB NOT NULL -- 項目: 値（ラップしたデータ鍵など）; 一般
);

CREATE TABLE users ( -- 表: 職員のアカウント; platform; 本人: 職員
  id            INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  login         TEXT NOT NULL UNIQUE, -- 項目: ログイン名; 個人
  role          TEXT NOT NULL CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff')), -- 項目: 役割; 一般
  password_hash TEXT NOT NULL, -- 項目: パスワードのハッシュ値; 一般
  failed_count  INTEGER NOT NULL DEFAULT 0, -- 項目: 続けて失敗した回数; 一般
  last_failed_ms INTEGER NOT NULL DEFAULT 0, -- 項目: 最後に失敗した日時; 一般
  locked_until_ms INTEGER NOT NULL DEFAULT 0, -- 項目: ロックの期限; 一般
  disabled      INTEGER NOT NULL DEFAULT 0, -- 項目: 利用停止; 一般
  created_ms    INTEGER NOT NULL -- 項目: 作成日時; 一般
);

CREATE TABLE sessions ( -- 表: 職員のセッション; platform; 本人: 職員
  token_hash   BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  user_id      INTEGER NOT NULL REFERENCES users(id), -- 項目: 職員の番号; 一般
  csrf         TEXT NOT NULL, -- 項目: CSRF対策の値; 一般
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  last_seen_ms INTEGER NOT NULL -- 項目: 最後の利用日時; 一般
);

CREATE TABLE audit ( -- 表: 監査ログ; platform; 本人: 職員
  id      INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  at_ms   INTEGER NOT NULL, -- 項目: 日時; 一般
  actor   TEXT NOT NULL, -- 項目: 操作した人; 個人
  action  TEXT NOT NULL, -- 項目: 操作; 一般
  object  TEXT NOT NULL, -- 項目: 対象（番号）; 一般
  detail  TEXT NOT NULL, -- 項目: 詳細（個人情報を含まない）; 一般
  prev    TEXT NOT NULL, -- 項目: 前の記録のハッシュ値; 一般
  hash    TEXT NOT NULL -- 項目: この記録のハッシュ値; 一般
);
-- Append-only: the database itself refuses edits and deletions of audit rows.
-- [sqlite]
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
-- [postgresql]
-- One trigger function for every append-only table; its argument is the refusal. TRUNCATE
-- skips row triggers in PostgreSQL, so it is refused by a statement trigger of its own.
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0];
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  FOR EACH ROW EXECUTE FUNCTION append_only('audit log is append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION append_only('audit log is append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION append_only('audit log is append-only');
-- [both]

CREATE TABLE outbox ( -- 表: 送信するメール; platform; 本人: メールの宛先（保護者・申請者・利用者）
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  send_id     TEXT NOT NULL,          -- 項目: 送信の識別子; 一般 — groups the messages of one send
  kind        TEXT NOT NULL,          -- 項目: 種類（自動通知・一斉送信）; 一般 — 'notice' (automatic) or 'bulk'
  to_enc      BLOB NOT NULL,          -- 項目: 宛先のメールアドレス; 個人; 暗号化 — recipient address, sealed
  domain      TEXT NOT NULL,          -- 項目: 宛先のドメイン; 一般 — recipient's domain, for pacing
  subject_enc BLOB NOT NULL, -- 項目: 件名; 個人; 暗号化
  body_enc    BLOB NOT NULL, -- 項目: 本文（児童の氏名などを含む）; 個人; 暗号化
  message_id  TEXT NOT NULL,          -- 項目: メッセージID; 一般 — random, 128 bits: unique without an index to keep up
  state       TEXT NOT NULL DEFAULT 'queued' -- 項目: 状態; 一般
              CHECK (state IN ('queued','sending','sent','failed','deferred')),
  attempts    INTEGER NOT NULL DEFAULT 0, -- 項目: 送信の試行回数; 一般
  next_ms     INTEGER NOT NULL DEFAULT 0, -- 項目: 次の試行日時; 一般
  last_reply  TEXT, -- 項目: 相手サーバの最後の応答; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  sent_ms     INTEGER -- 項目: 送信日時; 一般
);
CREATE INDEX outbox_due ON outbox(state, next_ms);
CREATE INDEX outbox_send ON outbox(send_id);
