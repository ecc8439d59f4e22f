-- 0002_attendance.sql — sites, children, guardians, cards, kiosks and scans (seed 000).
CREATE TABLE sites (
  id        INTEGER PRIMARY KEY,
  code      TEXT NOT NULL UNIQUE,
  name      TEXT NOT NULL,            -- a public facility name, not personal data
  type      TEXT NOT NULL CHECK (type IN ('gakudo','hiroba_plus')),
  opens     TEXT NOT NULL DEFAULT '13:00',
  closes    TEXT NOT NULL DEFAULT '19:00'
);

CREATE TABLE user_sites (
  user_id INTEGER NOT NULL REFERENCES users(id),
  site_id INTEGER NOT NULL REFERENCES sites(id),
  PRIMARY KEY (user_id, site_id)
);

CREATE TABLE children (
  id         INTEGER PRIMARY KEY,
  child_no   TEXT NOT NULL UNIQUE,
  site_id    INTEGER NOT NULL REFERENCES sites(id),
  name_enc   BLOB NOT NULL,
  kana_enc   BLOB NOT NULL,
  birth_enc  BLOB NOT NULL,
  grade      INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 6),
  active     INTEGER NOT NULL DEFAULT 1,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX children_site ON children(site_id);

CREATE TABLE guardians (
  id           INTEGER PRIMARY KEY,
  name_enc     BLOB NOT NULL,
  email_enc    BLOB NOT NULL,
  email_idx    BLOB NOT NULL UNIQUE,   -- blind index of the address
  confirmed_ms INTEGER,                -- NULL until the address is confirmed by its own link
  created_ms   INTEGER NOT NULL
);

CREATE TABLE child_guardians (
  child_id    INTEGER NOT NULL REFERENCES children(id),
  guardian_id INTEGER NOT NULL REFERENCES guardians(id),
  PRIMARY KEY (child_id, guardian_id)
);
CREATE INDEX child_guardians_g ON child_guardians(guardian_id);

CREATE TABLE confirm_tokens (
  token_hash  BLOB PRIMARY KEY,
  guardian_id INTEGER NOT NULL REFERENCES guardians(id),
  expires_ms  INTEGER NOT NULL,
  used_ms     INTEGER
);

CREATE TABLE cards (
  id         INTEGER PRIMARY KEY,
  child_id   INTEGER NOT NULL REFERENCES children(id),
  code_idx   BLOB NOT NULL UNIQUE,    -- keyed hash of the card code, for lookup
  code_enc   BLOB NOT NULL,           -- the code itself, sealed, to print card sheets
  issued_ms  INTEGER NOT NULL,
  revoked_ms INTEGER
);
CREATE INDEX cards_child ON cards(child_id);

CREATE TABLE kiosks (
  id         INTEGER PRIMARY KEY,
  site_id    INTEGER NOT NULL REFERENCES sites(id),
  token_hash BLOB NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  revoked_ms INTEGER
);

CREATE TABLE scans (
  id        INTEGER PRIMARY KEY,
  child_id  INTEGER NOT NULL REFERENCES children(id),
  site_id   INTEGER NOT NULL REFERENCES sites(id),
  kiosk_id  INTEGER REFERENCES kiosks(id),
  card_id   INTEGER REFERENCES cards(id),
  direction TEXT NOT NULL CHECK (direction IN ('in','out')),
  day       TEXT NOT NULL,            -- Japan-time date YYYY-MM-DD
  at_ms     INTEGER NOT NULL
);
CREATE INDEX scans_child_day ON scans(child_id, day, at_ms);
CREATE INDEX scans_site_day ON scans(site_id, day);
