-- 0003_ledger.sql — the handover ledger (受け渡し台帳): one row per exported file.
-- No personal data here: who (actor id), what (kind, site code, period, format), how many rows.
CREATE TABLE ledger (
  id       INTEGER PRIMARY KEY,
  at_ms    INTEGER NOT NULL,
  actor    TEXT NOT NULL,            -- "cli" or "user:ID"
  content  TEXT NOT NULL,            -- e.g. "daily G01 2026-11-23 pdf", "monthly 2026-11 xlsx"
  records  INTEGER NOT NULL,         -- children's rows in the file
  lossy    INTEGER NOT NULL DEFAULT 0, -- CP932 exports: rows where a character was replaced
  bytes    INTEGER NOT NULL,
  digest   TEXT NOT NULL             -- BLAKE2b-256 of the file (b2sum -l 256), to check a copy
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
