-- 0021_schoolmail.sql — the schools' mass mail (一斉メール配信, seed 003), its own personal-
-- information file: schools and their yearly security codes, the guardians' addresses and
-- registrations (names sealed under the service's key), one-time links, the sign-up replies'
-- limits, the school staff's scope, the school years and the roll-over's comparison.
-- Personal data only in *_enc columns (vault_seal) and *_idx blind indexes.

-- A school or kindergarten of the ward (public facts, not personal data).
CREATE TABLE schools (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,   -- the ward's code of the school: E01, J03, K02, S01
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('kindergarten','elementary','junior_high','special')),
  grades     INTEGER NOT NULL CHECK (grades BETWEEN 1 AND 12),
  classes    INTEGER NOT NULL CHECK (classes BETWEEN 1 AND 20),
  created_ms INTEGER NOT NULL
);

-- School years (年度, April to March). The current year is the newest row; `school rollover`
-- adds the next one. Security codes, counts and alerts belong to a year.
CREATE TABLE school_years (
  year       INTEGER PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  actor      TEXT NOT NULL
);

-- A school's security code for one school year (on the registration letter). Only the current
-- year's code signs up; last year's is recognised to say so. Codes are unique across years.
CREATE TABLE school_codes (
  school_id  INTEGER NOT NULL REFERENCES schools(id),
  year       INTEGER NOT NULL REFERENCES school_years(year),
  code       TEXT NOT NULL UNIQUE,   -- 8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (school_id, year)
);

-- A guardian's mail address (one row per address, whatever the schools and children).
CREATE TABLE school_addresses (
  id         INTEGER PRIMARY KEY,
  email_enc  BLOB NOT NULL,          -- sealed as "school_addresses.email"
  email_idx  BLOB NOT NULL UNIQUE,   -- blind index "school-email" of the lower-cased address
  created_ms INTEGER NOT NULL
);

-- One child registered at one school by one address. Removed rows are deleted (transfer,
-- graduation, cancellation): nothing of them stays but the audit entry's ids.
CREATE TABLE school_registrants (
  id           INTEGER PRIMARY KEY,
  address_id   INTEGER NOT NULL REFERENCES school_addresses(id),
  school_id    INTEGER NOT NULL REFERENCES schools(id),
  grade        INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
  class        INTEGER NOT NULL CHECK (class BETWEEN 1 AND 20),
  child_enc    BLOB NOT NULL,        -- sealed as "school_registrants.child"
  guardian_enc BLOB NOT NULL,        -- sealed as "school_registrants.guardian"
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL
);
CREATE INDEX school_registrants_school ON school_registrants(school_id, grade, class);
CREATE INDEX school_registrants_address ON school_registrants(address_id, school_id);

-- One-time links, stored only as the hash of their token: 'signup' (the reply to an empty
-- mail: a school and the sealed address, 24 h, used once) and 'edit' (asked from a mail's
-- footer: an address's registrations, 24 h).
CREATE TABLE school_links (
  token_hash BLOB PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('signup','edit')),
  school_id  INTEGER REFERENCES schools(id),
  email_enc  BLOB,                   -- signup: the address (sealed as "school_links.email")
  address_id INTEGER REFERENCES school_addresses(id), -- edit: whose registrations
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_ms    INTEGER
);
CREATE INDEX school_links_expires ON school_links(expires_ms);

-- Replies to mail-in, per sender address (blind index only): sign-up links sent in the current
-- hour and when the last short reply (wrong or old code, unknown address, flood) went out — at
-- most one short reply per address an hour.
CREATE TABLE school_mail_in (
  email_idx  BLOB PRIMARY KEY,
  window_ms  INTEGER NOT NULL,       -- start of the hour counted in links
  links      INTEGER NOT NULL,
  short_ms   INTEGER NOT NULL DEFAULT 0
);
-- Replies of every kind per hour (a cap on what forged senders can make us send).
CREATE TABLE school_mail_in_hours (
  hour       INTEGER PRIMARY KEY,    -- epoch ms / 3600000
  links      INTEGER NOT NULL DEFAULT 0,
  shorts     INTEGER NOT NULL DEFAULT 0
);

-- The school of a school administrator or sender (their scope; one school each).
CREATE TABLE school_users (
  user_id   INTEGER PRIMARY KEY REFERENCES users(id),
  school_id INTEGER NOT NULL REFERENCES schools(id)
);

-- Registrants per school and grade when a school year ended (taken by the roll-over).
CREATE TABLE school_year_counts (
  year        INTEGER NOT NULL,
  school_id   INTEGER NOT NULL REFERENCES schools(id),
  grade       INTEGER NOT NULL,
  registrants INTEGER NOT NULL,
  PRIMARY KEY (year, school_id, grade)
);

-- A drop beyond the threshold found by the roll-over: the ward is alerted (page, mail, audit).
-- basis 'cohort': this grade's families a moment before, one grade lower (a correct roll-over
-- keeps every one of them); 'last_year': the same grade a year ago.
CREATE TABLE school_alerts (
  id              INTEGER PRIMARY KEY,
  year            INTEGER NOT NULL,  -- the new school year
  school_id       INTEGER NOT NULL REFERENCES schools(id),
  grade           INTEGER NOT NULL,  -- the grade this year
  basis           TEXT NOT NULL CHECK (basis IN ('cohort','last_year')),
  expected        INTEGER NOT NULL,  -- registrants of the basis
  actual          INTEGER NOT NULL,  -- registrants of the grade now
  raised_ms       INTEGER NOT NULL,
  acknowledged_ms INTEGER,
  acknowledged_by INTEGER REFERENCES users(id)
);
