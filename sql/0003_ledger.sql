-- 0003_ledger.sql — the handover ledger (受け渡し台帳): one row per exported file.
-- No personal data here: who (actor id), what (kind, site code, period, format), how many rows.
CREATE TABLE ledger ( -- 表: 受け渡し台帳; platform; 本人: 職員
  id       INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  at_ms    INTEGER NOT NULL, -- 項目: 日時; 一般
  actor    TEXT NOT NULL,            -- 項目: 受け渡しをした人; 個人 — "cli" or "user:ID"
  content  TEXT NOT NULL,            -- 項目: 情報の内容; 一般 — e.g. "daily G01 2026-11-23 pdf", "monthly 2026-11 xlsx"
  records  INTEGER NOT NULL,         -- 項目: 件数; 一般 — children's rows in the file
  lossy    INTEGER NOT NULL DEFAULT 0, -- 項目: 文字を置き換えた行の数; 一般 — CP932 exports: rows where a character was replaced
  bytes    INTEGER NOT NULL, -- 項目: 大きさ（バイト）; 一般
  digest   TEXT NOT NULL             -- 項目: ファイルのハッシュ値; 一般 — BLAKE2b-256 of the file (b2sum -l 256), to check a copy
);
-- Append-only, like the audit log.
-- [sqlite]
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN
  SELECT RAISE(ABORT, 'the handover ledger is append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN
  SELECT RAISE(ABORT, 'the handover ledger is append-only');
END;
-- [postgresql]
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  FOR EACH ROW EXECUTE FUNCTION append_only('the handover ledger is append-only');
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
  FOR EACH ROW EXECUTE FUNCTION append_only('the handover ledger is append-only');
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION append_only('the handover ledger is append-only');
-- [both]
