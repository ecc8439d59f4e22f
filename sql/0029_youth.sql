-- 0029_youth.sql — youth support casework (ユースサポート, seed 001 Edogawa; issue 17 §2), a
-- service of its own (src/youth/) on the platform's casework layer (src/casework/): its own
-- tables (yo_*) and data key (data_key:youth). 要配慮個人情報: only a case's assigned workers of
-- the case's plaza and the ward's supervisor open a case; every opening is recorded here and in
-- the audit log.
--
-- The seed's items for registered youth, nothing more: 家庭状況, 心身の状況, 成育歴, 通学・学業状況,
-- 生活状況, 支援内容, 施設利用 (sealed "yo_cases.profile"), the youth's 氏名, ふりがな, 生年月日,
-- 学校名, 学年 and the plaza's registration number (sealed "yo_cases.person"); assessments, the
-- individual support plan (個別支援計画) with goals and review dates, the case notes of each
-- session, and a referral flag for the ward. Plaza codes, dates, states and counts stay plain.

-- A worker's plaza (youth_worker accounts): hirai, chuo, minamikoiwa, kasai, minamishinozaki.
CREATE TABLE yo_workers (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id),
  unit       TEXT NOT NULL,
  set_by     INTEGER REFERENCES users(id),
  set_ms     INTEGER NOT NULL
);

-- A case (ケース). unit: the plaza whose workers may be assigned.
CREATE TABLE yo_cases (
  id            INTEGER PRIMARY KEY,
  number        TEXT NOT NULL UNIQUE,  -- Y2026-0001: fiscal year and a sequence
  unit          TEXT NOT NULL,
  state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','closed')),
  person        BLOB NOT NULL,         -- sealed "yo_cases.person"
  profile       BLOB NOT NULL,         -- sealed "yo_cases.profile"
  referral      INTEGER NOT NULL DEFAULT 0 CHECK (referral IN (0, 1)),
  referral_note BLOB,                  -- sealed "yo_cases.referral_note"
  referral_ms   INTEGER,
  referral_seen INTEGER REFERENCES users(id), -- the supervisor who took the referral
  created_by    INTEGER REFERENCES users(id),
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
);
CREATE INDEX yo_cases_unit ON yo_cases(unit, state);

-- The case's assigned workers (担当).
CREATE TABLE yo_assignments (
  case_id     INTEGER NOT NULL REFERENCES yo_cases(id),
  user_id     INTEGER NOT NULL REFERENCES users(id),
  assigned_by INTEGER REFERENCES users(id),
  at_ms       INTEGER NOT NULL,
  PRIMARY KEY (case_id, user_id)
);
CREATE INDEX yo_assignments_user ON yo_assignments(user_id);

-- Every opening of a case: by whom, on which day (Asia/Tokyo), the reason asked at the first
-- open of the day (none for later opens that day), break-glass opens (an emergency open by a
-- worker who is not assigned) and who reviewed them.
CREATE TABLE yo_opens (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES yo_cases(id),
  user_id     INTEGER NOT NULL REFERENCES users(id),
  day         TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)),
  reviewed_by INTEGER REFERENCES users(id),
  review_note TEXT,
  reviewed_ms INTEGER,
  at_ms       INTEGER NOT NULL
);
CREATE INDEX yo_opens_user_day ON yo_opens(user_id, case_id, day);
CREATE INDEX yo_opens_glass ON yo_opens(break_glass, reviewed_by);

-- Case notes (ケース記録): kind is the session's (学習サポート面談, 家庭訪問, 電話, 関係機関連絡,
-- その他). Each edit is a new version; versions are never changed nor deleted.
CREATE TABLE yo_notes (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES yo_cases(id),
  kind       TEXT NOT NULL,
  on_date    TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_ms INTEGER NOT NULL
);
CREATE INDEX yo_notes_case ON yo_notes(case_id, on_date);
CREATE TABLE yo_note_versions (
  id       INTEGER PRIMARY KEY,
  note_id  INTEGER NOT NULL REFERENCES yo_notes(id),
  version  INTEGER NOT NULL,
  body     BLOB NOT NULL,              -- sealed "yo_note_versions.body"
  user_id  INTEGER REFERENCES users(id),
  at_ms    INTEGER NOT NULL,
  UNIQUE (note_id, version)
);

-- Assessments (アセスメント): sealed JSON of the view of each area and the needs.
CREATE TABLE yo_assessments (
  id       INTEGER PRIMARY KEY,
  case_id  INTEGER NOT NULL REFERENCES yo_cases(id),
  on_date  TEXT NOT NULL,
  body     BLOB NOT NULL,              -- sealed "yo_assessments.body"
  user_id  INTEGER REFERENCES users(id),
  at_ms    INTEGER NOT NULL
);
CREATE INDEX yo_assessments_case ON yo_assessments(case_id, on_date);

-- The individual support plan (個別支援計画): each change a new version; goals sealed (JSON of
-- goal and its review date), the plan's next review date plain.
CREATE TABLE yo_plans (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL REFERENCES yo_cases(id),
  version   INTEGER NOT NULL,
  goals     BLOB NOT NULL,             -- sealed "yo_plans.goals"
  review_on TEXT NOT NULL,
  user_id   INTEGER REFERENCES users(id),
  at_ms     INTEGER NOT NULL,
  UNIQUE (case_id, version)
);

-- Case numbers per fiscal year.
CREATE TABLE yo_numbers (
  fiscal_year INTEGER PRIMARY KEY,
  last        INTEGER NOT NULL
);

-- No silent edits: note versions and plans are append-only.
-- [sqlite]
CREATE TRIGGER yo_note_versions_no_update BEFORE UPDATE ON yo_note_versions BEGIN
  SELECT RAISE(ABORT, 'case note versions are append-only');
END;
CREATE TRIGGER yo_note_versions_no_delete BEFORE DELETE ON yo_note_versions BEGIN
  SELECT RAISE(ABORT, 'case note versions are append-only');
END;
CREATE TRIGGER yo_plans_no_update BEFORE UPDATE ON yo_plans BEGIN
  SELECT RAISE(ABORT, 'support plans are append-only');
END;
-- [postgresql]
CREATE TRIGGER yo_note_versions_no_update BEFORE UPDATE ON yo_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('case note versions are append-only');
CREATE TRIGGER yo_note_versions_no_delete BEFORE DELETE ON yo_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('case note versions are append-only');
CREATE TRIGGER yo_plans_no_update BEFORE UPDATE ON yo_plans
  FOR EACH ROW EXECUTE FUNCTION append_only('support plans are append-only');
-- [both]
