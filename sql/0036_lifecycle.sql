-- 0036_lifecycle.sql — the data's life at the ward's end of it (issue 19): the backups made (the
-- ward administrator's screen lists them with the last success) and erasures at a service's
-- contract end (データ消去): one ward administrator asks, another confirms, and the erasure's
-- certificate (消去証明書) is kept with it. No personal data here.
CREATE TABLE backup_runs (
  id          INTEGER PRIMARY KEY,
  started_ms  INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  file        TEXT NOT NULL,              -- the backup file's path
  bytes       INTEGER NOT NULL DEFAULT 0,
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
  how         TEXT NOT NULL CHECK (how IN ('cli', 'nightly', 'screen')),
  actor       TEXT NOT NULL,              -- "cli", "job", "user:ID"
  problem     TEXT                        -- why it failed (a Japanese sentence), NULL when ok
);
CREATE INDEX backup_runs_started ON backup_runs(started_ms);

CREATE TABLE erasures (
  id           INTEGER PRIMARY KEY,
  service      TEXT NOT NULL,             -- the service's name (its key's name)
  state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'cancelled')),
  requested_by INTEGER NOT NULL REFERENCES users(id),
  requested_ms INTEGER NOT NULL,
  confirmed_by INTEGER REFERENCES users(id), -- never the one who asked
  done_ms      INTEGER,                   -- when erased, or cancelled
  fingerprint  TEXT,                      -- the destroyed key's fingerprint
  counts       TEXT,                      -- JSON: the rows deleted per table
  certificate  BLOB                       -- the 消去証明書 (PDF)
);
-- One request waits per service at a time.
CREATE UNIQUE INDEX erasures_pending ON erasures(service) WHERE state = 'pending';
