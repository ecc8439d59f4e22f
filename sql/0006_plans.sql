-- 0006_plans.sql — guardians' portal (seed 000: 利用予定・欠席連絡 over the internet): sign-in by
-- mail link, plans (a weekly pattern plus day exceptions), absence notices, pickup lists,
-- check-out by pickup person, and the board's alerts (not arrived, still present at closing).

-- Site settings for plans and alerts. arrival NULL means the opening time. The phone and the
-- alert address are the facility's own (public, not personal data).
ALTER TABLE sites ADD COLUMN arrival TEXT;
ALTER TABLE sites ADD COLUMN grace_min INTEGER NOT NULL DEFAULT 30;
ALTER TABLE sites ADD COLUMN deadline TEXT NOT NULL DEFAULT '12:00';
ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN alert_email TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN alert_guardians INTEGER NOT NULL DEFAULT 0;

-- One-time sign-in links for guardians (15 minutes); only the token's hash is stored.
CREATE TABLE guardian_login_tokens (
  token_hash  BLOB PRIMARY KEY,
  guardian_id INTEGER NOT NULL REFERENCES guardians(id),
  created_ms  INTEGER NOT NULL,
  expires_ms  INTEGER NOT NULL,
  used_ms     INTEGER
);
CREATE INDEX guardian_login_tokens_g ON guardian_login_tokens(guardian_id, created_ms);

-- Guardians' sessions, as staff sessions (token hash, CSRF, idle and absolute expiry).
CREATE TABLE guardian_sessions (
  token_hash   BLOB PRIMARY KEY,
  guardian_id  INTEGER NOT NULL REFERENCES guardians(id),
  csrf         TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);

-- The people allowed to collect a child (お迎え者). Removed people stay (active 0) so that old
-- plans and check-outs still name them.
CREATE TABLE pickups (
  id           INTEGER PRIMARY KEY,
  child_id     INTEGER NOT NULL REFERENCES children(id),
  name_enc     BLOB NOT NULL,          -- sealed as "pickups.name"
  relation_enc BLOB NOT NULL,          -- sealed as "pickups.relation"
  active       INTEGER NOT NULL DEFAULT 1,
  created_ms   INTEGER NOT NULL
);
CREATE INDEX pickups_child ON pickups(child_id);

-- The weekly pattern: a row means the child attends on that weekday (1 Monday … 6 Saturday).
CREATE TABLE plan_weekly (
  child_id   INTEGER NOT NULL REFERENCES children(id),
  weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 6),
  leave      TEXT,                     -- planned leave time HH:MM
  way_home   TEXT CHECK (way_home IN ('alone','pickup')),
  pickup_id  INTEGER REFERENCES pickups(id),
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (child_id, weekday)
);

-- Day exceptions to the pattern: attend (another day or other times), off (not coming) or
-- absent (an absence notice with its reason, sealed: it may say the child is ill).
CREATE TABLE plan_days (
  child_id   INTEGER NOT NULL REFERENCES children(id),
  day        TEXT NOT NULL,            -- YYYY-MM-DD, Japan time
  status     TEXT NOT NULL CHECK (status IN ('attend','off','absent')),
  leave      TEXT,
  way_home   TEXT CHECK (way_home IN ('alone','pickup')),
  pickup_id  INTEGER REFERENCES pickups(id),
  reason_enc BLOB,                     -- sealed as "plan_days.reason"
  updated_ms INTEGER NOT NULL,
  updated_by TEXT NOT NULL,            -- the actor ("guardian:12")
  PRIMARY KEY (child_id, day)
);

-- Alerts raised on the board: a planned child not arrived by arrival + grace, a child still
-- present at closing. One per child, day and kind; cleared by a scan or an absence notice.
CREATE TABLE alerts (
  id         INTEGER PRIMARY KEY,
  site_id    INTEGER NOT NULL REFERENCES sites(id),
  child_id   INTEGER NOT NULL REFERENCES children(id),
  day        TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('not_arrived','still_present')),
  raised_ms  INTEGER NOT NULL,
  cleared_ms INTEGER,
  UNIQUE (child_id, day, kind)
);
CREATE INDEX alerts_site_day ON alerts(site_id, day);

-- Who collected the child at a check-out (お迎え).
ALTER TABLE scans ADD COLUMN pickup_id INTEGER REFERENCES pickups(id);
