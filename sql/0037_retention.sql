-- 0037_retention.sql — retention (保存期間, issue 19): the audit log may lose whole periods of
-- its oldest entries, but only entries a checkpoint covers. A checkpoint names the last entry
-- pruned (its id, time and chain hash) under a MAC of the platform's key, so `audit verify`
-- proves the chain from there on (src/auth/audit.c). Checkpoints themselves are append-only.
CREATE TABLE audit_checkpoints ( -- 表: 監査ログの区切り; platform
  id        INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  at_ms     INTEGER NOT NULL,          -- 項目: 削除した日時; 一般 — when the pruning was done
  before_ms INTEGER NOT NULL,          -- 項目: 削除した範囲の終わり; 一般 — entries older than this (a month's start) were pruned
  last_id   INTEGER NOT NULL,          -- 項目: 最後に削除した記録の番号; 一般 — the last entry pruned: the chain goes on at last_id + 1
  last_at_ms INTEGER NOT NULL,         -- 項目: その日時; 一般 — its time
  last_hash TEXT NOT NULL,             -- 項目: その連鎖の値; 一般 — its chain hash: the next entry's prev
  pruned    INTEGER NOT NULL,          -- 項目: 削除した件数; 一般 — entries pruned by this checkpoint
  mac       TEXT NOT NULL              -- 項目: 改ざん検知の値; 一般 — keyed BLAKE2b (platform key) over all the above
);
-- The monthly report and the pruning find a month's entries by time.
CREATE INDEX audit_at ON audit(at_ms);
-- [sqlite]
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN
  SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN
  SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  WHEN OLD.id > (SELECT COALESCE(MAX(last_id), 0) FROM audit_checkpoints) BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
-- [postgresql]
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION append_only('audit checkpoints are append-only');
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION append_only('audit checkpoints are append-only');
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION append_only('audit checkpoints are append-only');
DROP TRIGGER audit_no_delete ON audit;
-- An entry may be deleted only when a checkpoint covers it (TRUNCATE stays refused).
CREATE FUNCTION audit_delete_covered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.id > (SELECT COALESCE(MAX(last_id), 0) FROM audit_checkpoints) THEN
    RAISE EXCEPTION 'audit log is append-only';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_delete_covered();
-- [both]
