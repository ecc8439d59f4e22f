-- 0032_centre.sql — the child development support centre (児童発達支援センター, seed 001
-- Edogawa; issue 17 §3), a service of its own (src/centre/) on the platform's casework layer
-- (src/casework/): its own tables (ce_*) and data key (data_key:centre). 要配慮個人情報: only a
-- child's assigned staff and the centre's manager open a child's file; a parent reaches only
-- their own child's thread and statements; every opening is recorded here and in the audit log.
--
-- Sealed: the child (氏名, ふりがな, 生年月日; "ce_cases.person"), the contract's contacts and
-- bus stop ("ce_cases.contract"), assessments, plans, daily records, messages and the parents'
-- mail addresses. Dates, states, counts, fees and caps stay plain (the fee math runs on them).

-- A staff member's unit (centre_staff accounts): the centre ("centre").
CREATE TABLE ce_workers (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id),
  unit       TEXT NOT NULL,
  set_by     INTEGER REFERENCES users(id),
  set_ms     INTEGER NOT NULL
);

-- A child (利用児童): applied (利用申請), contracted (契約) or ended. The contract: its period,
-- the days per month granted (支給量), the contracted weekdays (a bit per weekday, Sunday 1),
-- the bus route when the child rides, the unit fee per day and the household's monthly cap
-- (上限月額: 0, 4,600 or 37,200 yen).
CREATE TABLE ce_cases (
  id             INTEGER PRIMARY KEY,
  number         TEXT NOT NULL UNIQUE,  -- C2026-0001: fiscal year and a sequence
  unit           TEXT NOT NULL,
  state          TEXT NOT NULL DEFAULT 'applied'
                 CHECK (state IN ('applied','contracted','ended')),
  person         BLOB NOT NULL,         -- sealed "ce_cases.person"
  contract       BLOB NOT NULL,         -- sealed "ce_cases.contract": contacts, the bus stop
  applied_on     TEXT NOT NULL,
  contract_from  TEXT,
  contract_to    TEXT,
  days_granted   INTEGER NOT NULL DEFAULT 0,
  weekdays       INTEGER NOT NULL DEFAULT 0,
  route          TEXT,
  unit_fee       INTEGER NOT NULL DEFAULT 0,
  fee_cap        INTEGER NOT NULL DEFAULT 0,
  created_by     INTEGER REFERENCES users(id),
  created_ms     INTEGER NOT NULL,
  updated_ms     INTEGER NOT NULL
);
CREATE INDEX ce_cases_state ON ce_cases(state);

-- The child's assigned staff (担当).
CREATE TABLE ce_assignments (
  case_id     INTEGER NOT NULL REFERENCES ce_cases(id),
  user_id     INTEGER NOT NULL REFERENCES users(id),
  assigned_by INTEGER REFERENCES users(id),
  at_ms       INTEGER NOT NULL,
  PRIMARY KEY (case_id, user_id)
);
CREATE INDEX ce_assignments_user ON ce_assignments(user_id);

-- Every opening of a child's file (casework): the reason of the day, break-glass and reviews.
CREATE TABLE ce_opens (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES ce_cases(id),
  user_id     INTEGER NOT NULL REFERENCES users(id),
  day         TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)),
  reviewed_by INTEGER REFERENCES users(id),
  review_note TEXT,
  reviewed_ms INTEGER,
  at_ms       INTEGER NOT NULL
);
CREATE INDEX ce_opens_user_day ON ce_opens(user_id, case_id, day);
CREATE INDEX ce_opens_glass ON ce_opens(break_glass, reviewed_by);

-- Daily support records (日々の支援記録): versioned, none changed.
CREATE TABLE ce_notes (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES ce_cases(id),
  kind       TEXT NOT NULL,
  on_date    TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_ms INTEGER NOT NULL
);
CREATE INDEX ce_notes_case ON ce_notes(case_id, on_date);
CREATE TABLE ce_note_versions (
  id       INTEGER PRIMARY KEY,
  note_id  INTEGER NOT NULL REFERENCES ce_notes(id),
  version  INTEGER NOT NULL,
  body     BLOB NOT NULL,              -- sealed "ce_note_versions.body"
  user_id  INTEGER REFERENCES users(id),
  at_ms    INTEGER NOT NULL,
  UNIQUE (note_id, version)
);

-- Development assessments (発達評価), dated.
CREATE TABLE ce_assessments (
  id       INTEGER PRIMARY KEY,
  case_id  INTEGER NOT NULL REFERENCES ce_cases(id),
  on_date  TEXT NOT NULL,
  body     BLOB NOT NULL,              -- sealed "ce_assessments.body"
  user_id  INTEGER REFERENCES users(id),
  at_ms    INTEGER NOT NULL
);
CREATE INDEX ce_assessments_case ON ce_assessments(case_id, on_date);

-- Individual support plans (個別支援計画): each a new version; the next review six months after
-- the plan's date (review_on, plain: the manager's list of reviews due).
CREATE TABLE ce_plans (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL REFERENCES ce_cases(id),
  version   INTEGER NOT NULL,
  on_date   TEXT NOT NULL,
  review_on TEXT NOT NULL,
  body      BLOB NOT NULL,             -- sealed "ce_plans.body"
  user_id   INTEGER REFERENCES users(id),
  at_ms     INTEGER NOT NULL,
  UNIQUE (case_id, version)
);

-- Attendance (出欠) of a child on a day, and whether the child rode the bus.
CREATE TABLE ce_attendance (
  case_id  INTEGER NOT NULL REFERENCES ce_cases(id),
  day      TEXT NOT NULL,
  state    TEXT NOT NULL CHECK (state IN ('present','absent')),
  bus      INTEGER NOT NULL DEFAULT 0 CHECK (bus IN (0, 1)),
  user_id  INTEGER REFERENCES users(id),
  at_ms    INTEGER NOT NULL,
  PRIMARY KEY (case_id, day)
);
CREATE INDEX ce_attendance_day ON ce_attendance(day);

-- The bus routes (送迎ルート): code, name, the pick-up and drop-off times.
CREATE TABLE ce_routes (
  code     TEXT PRIMARY KEY,
  label    TEXT NOT NULL,
  pickup   TEXT NOT NULL,
  dropoff  TEXT NOT NULL
);

-- Monthly usage-fee statements (利用料請求): the days attended × the unit fee, capped by the
-- household's monthly cap; the PDF is made from these figures when read.
CREATE TABLE ce_statements (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES ce_cases(id),
  month      TEXT NOT NULL,
  days       INTEGER NOT NULL,
  unit_fee   INTEGER NOT NULL,
  fee_cap    INTEGER NOT NULL,
  amount     INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_ms INTEGER NOT NULL,
  UNIQUE (case_id, month)
);

-- A parent's account (centre_parent) linked to a child, with the address sealed for the
-- notices of a new message (which carry no content).
CREATE TABLE ce_parents (
  user_id    INTEGER NOT NULL REFERENCES users(id),
  case_id    INTEGER NOT NULL REFERENCES ce_cases(id),
  email      BLOB NOT NULL,            -- sealed "ce_parents.email"
  created_by INTEGER REFERENCES users(id),
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, case_id)
);
CREATE INDEX ce_parents_case ON ce_parents(case_id);

-- A parent's one-time link to set their password (mailed to the parent's address; only its
-- hash kept; used once, or expired).
CREATE TABLE ce_parent_tokens (
  token_hash BLOB PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  expires_ms INTEGER NOT NULL,
  used_ms    INTEGER
);

-- The contact channel (連絡): a thread per child between the centre and the child's parents.
CREATE TABLE ce_messages (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES ce_cases(id),
  user_id     INTEGER REFERENCES users(id),
  from_parent INTEGER NOT NULL DEFAULT 0 CHECK (from_parent IN (0, 1)),
  body        BLOB NOT NULL,           -- sealed "ce_messages.body"
  at_ms       INTEGER NOT NULL
);
CREATE INDEX ce_messages_case ON ce_messages(case_id, at_ms);

-- Child numbers per fiscal year.
CREATE TABLE ce_numbers (
  fiscal_year INTEGER PRIMARY KEY,
  last        INTEGER NOT NULL
);

-- No silent edits: record versions, plans and messages are append-only.
-- [sqlite]
CREATE TRIGGER ce_note_versions_no_update BEFORE UPDATE ON ce_note_versions BEGIN
  SELECT RAISE(ABORT, 'daily record versions are append-only');
END;
CREATE TRIGGER ce_note_versions_no_delete BEFORE DELETE ON ce_note_versions BEGIN
  SELECT RAISE(ABORT, 'daily record versions are append-only');
END;
CREATE TRIGGER ce_plans_no_update BEFORE UPDATE ON ce_plans BEGIN
  SELECT RAISE(ABORT, 'support plans are append-only');
END;
CREATE TRIGGER ce_messages_no_update BEFORE UPDATE ON ce_messages BEGIN
  SELECT RAISE(ABORT, 'messages are append-only');
END;
-- [postgresql]
CREATE TRIGGER ce_note_versions_no_update BEFORE UPDATE ON ce_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('daily record versions are append-only');
CREATE TRIGGER ce_note_versions_no_delete BEFORE DELETE ON ce_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('daily record versions are append-only');
CREATE TRIGGER ce_plans_no_update BEFORE UPDATE ON ce_plans
  FOR EACH ROW EXECUTE FUNCTION append_only('support plans are append-only');
CREATE TRIGGER ce_messages_no_update BEFORE UPDATE ON ce_messages
  FOR EACH ROW EXECUTE FUNCTION append_only('messages are append-only');
-- [both]
