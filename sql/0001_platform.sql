-- 0001_platform.sql — keys, users, sessions, the audit chain and the mail outbox.
-- Personal data lives only in *_enc columns (vault_seal blobs) and *_idx blind indexes.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff')),
  password_hash TEXT NOT NULL,
  failed_count  INTEGER NOT NULL DEFAULT 0,
  last_failed_ms INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER NOT NULL DEFAULT 0,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_ms    INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash   BLOB PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  csrf         TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);

CREATE TABLE audit (
  id      INTEGER PRIMARY KEY,
  at_ms   INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  object  TEXT NOT NULL,
  detail  TEXT NOT NULL,
  prev    TEXT NOT NULL,
  hash    TEXT NOT NULL
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

CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  send_id     TEXT NOT NULL,          -- groups the messages of one send
  kind        TEXT NOT NULL,          -- 'notice' (automatic) or 'bulk'
  to_enc      BLOB NOT NULL,          -- recipient address, sealed
  domain      TEXT NOT NULL,          -- recipient's domain, for pacing
  subject_enc BLOB NOT NULL,
  body_enc    BLOB NOT NULL,
  message_id  TEXT NOT NULL,          -- random, 128 bits: unique without an index to keep up
  state       TEXT NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued','sending','sent','failed','deferred')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_ms     INTEGER NOT NULL DEFAULT 0,
  last_reply  TEXT,
  created_ms  INTEGER NOT NULL,
  sent_ms     INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_ms);
CREATE INDEX outbox_send ON outbox(send_id);
