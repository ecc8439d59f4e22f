-- 0025_sitter.sql — the babysitter subsidy (ベビーシッター利用支援事業・一時預かり利用支援, seed 004;
-- issue 16), a service of its own (src/sitter/): its own tables and its own data key
-- (data_key:sitter), and the platform's part of every benefit's path (src/grant/): four roles and
-- which service's benefit each such account works on.
--
-- The seed's 記録項目 are exactly: 氏名, 住所, 生年月日, 電話番号, メールアドレス, 銀行口座情報, 相談内容
-- (the guardian's, and the children's 氏名 and 生年月日). Every one is sealed (BLOB) under the
-- service's key. What is not personal stays plain, so that the cap and the lists need no
-- unsealing: states, dates, minutes and yen.
--
-- The roles (as 0020 and 0023 added theirs): grant_operator (the contractor's operator: receives
-- and pre-screens, the call center), grant_supervisor (the contractor's supervisor: also closes
-- the pre-screen and sends the notices), grant_staff (the ward's staff: reads, pays) and
-- grant_approver (the ward's approver: decides). The ward alone decides.
-- [sqlite]
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''bath_office'',''bath_branch'')',
                     '''bath_office'',''bath_branch'',''grant_operator'',''grant_supervisor'','
                     || '''grant_staff'',''grant_approver'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- [postgresql]
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff','school_admin','sender',
                  'bath_office','bath_branch','grant_operator','grant_supervisor','grant_staff',
                  'grant_approver'));
-- [both]

-- The benefit a grant_* account works on (its service's name: 'sitter', later 'homehelp'). An
-- account without a row here sees no benefit at all.
CREATE TABLE grant_staff (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  service TEXT NOT NULL
);

-- One application (申請). number: 申請番号, ten digits (fiscal year and a sequence: 2026000123),
-- also the 顧客コード1 of its transfer, so that a returned transfer finds it. state: the grant
-- path's (src/grant/path.c): draft (being filled in, receipts uploading), submitted, returned
-- (for correction), screened (the contractor's pre-screen done), approved / rejected (the
-- ward's decision), notified (the notice made), paid (in a transfer file), unpaid (振込不能).
CREATE TABLE sitter_applications (
  id           INTEGER PRIMARY KEY,
  number       TEXT NOT NULL UNIQUE,
  fiscal_year  INTEGER NOT NULL,     -- of its receipt (April–March)
  channel      TEXT NOT NULL CHECK (channel IN ('web','import','paper')),
  state        TEXT NOT NULL CHECK (state IN ('draft','submitted','returned','screened',
                                              'approved','rejected','notified','paid','unpaid')),
  decision     TEXT CHECK (decision IN ('approved','rejected')),
  form         BLOB NOT NULL,        -- sealed "sitter_applications.form": JSON of the guardian's
                                     -- 氏名 (and ふりがな), 住所 (郵便番号), 生年月日, 電話番号,
                                     -- メールアドレス; the children's 氏名 and 生年月日; the uses
                                     -- (date, times, sitter company, amount paid)
  bank         BLOB NOT NULL,        -- sealed "sitter_applications.bank": 銀行口座情報 (bank,
                                     -- branch, type, number, holder in kana)
  token_idx    BLOB NOT NULL UNIQUE, -- blind index of the applicant's link (its capability)
  checks       TEXT NOT NULL DEFAULT '', -- the contractor's checked items, comma-joined
  fix_note     BLOB,                 -- sealed "sitter_applications.fix_note": what the applicant
                                     -- is asked to correct (a 相談内容 of the pre-screen)
  reason       BLOB,                 -- sealed "sitter_applications.reason": why it was rejected
  paid_yen     INTEGER NOT NULL DEFAULT 0, -- what the guardian paid the sitters, in all
  claim_yen    INTEGER NOT NULL DEFAULT 0, -- the subsidy by the rates, before the cap
  grant_yen    INTEGER NOT NULL DEFAULT 0, -- the decided amount (after the cap)
  decided_on   TEXT,                 -- ISO date of the decision (the notices' batch day)
  decided_by   INTEGER REFERENCES users(id),
  notice_id    INTEGER,              -- the notice batch it went out in
  payment_id   INTEGER,              -- the transfer file it was last in
  created_ms   INTEGER NOT NULL,
  submitted_ms INTEGER,
  updated_ms   INTEGER NOT NULL
);
CREATE INDEX sitter_applications_state ON sitter_applications(state, submitted_ms);
CREATE INDEX sitter_applications_decided ON sitter_applications(decided_on);
CREATE INDEX sitter_applications_payment ON sitter_applications(payment_id);

-- A child's hours in an application, per fiscal year of the uses (an application may cross
-- March 31st). child_key: blind index of the child's 氏名 and 生年月日, the same child across
-- applications; the cap (144 hours a fiscal year, 288 for multiple births) counts the minutes of
-- approved applications only. claim_min: what the uses ask; minutes: what counts after the cap
-- (set when decided).
CREATE TABLE sitter_child_hours (
  id             INTEGER PRIMARY KEY,
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id),
  child          INTEGER NOT NULL,   -- the child's place in the form (0, 1, …)
  child_key      BLOB NOT NULL,
  fiscal_year    INTEGER NOT NULL,
  multiple       INTEGER NOT NULL CHECK (multiple IN (0, 1)),
  claim_min      INTEGER NOT NULL,
  minutes        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sitter_child_hours_key ON sitter_child_hours(child_key, fiscal_year);
CREATE INDEX sitter_child_hours_app ON sitter_child_hours(application_id);

-- One row per child and fiscal year that a decision has counted: a decision writes its
-- children's rows first, so that two decisions on the same child wait for each other
-- (PostgreSQL's read committed would otherwise let both count the same hours left).
CREATE TABLE sitter_cap_locks (
  child_key   BLOB NOT NULL,
  fiscal_year INTEGER NOT NULL,
  decisions   INTEGER NOT NULL,
  PRIMARY KEY (child_key, fiscal_year)
);

-- A receipt (領収書) uploaded or scanned: JPEG, PNG or PDF, its type checked on its bytes.
CREATE TABLE sitter_receipts (
  id             INTEGER PRIMARY KEY,
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id),
  media          TEXT NOT NULL CHECK (media IN ('image/jpeg','image/png','application/pdf')),
  bytes          INTEGER NOT NULL,
  data           BLOB NOT NULL,      -- sealed "sitter_receipts.data"
  created_ms     INTEGER NOT NULL
);
CREATE INDEX sitter_receipts_app ON sitter_receipts(application_id);

-- Every step of the path, in order: who (a user, or the applicant by their link), from and to.
-- note: sealed "sitter_steps.note" (what to fix, a reason), or NULL.
CREATE TABLE sitter_steps (
  id             INTEGER PRIMARY KEY,
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id),
  from_state     TEXT NOT NULL,
  to_state       TEXT NOT NULL,
  user_id        INTEGER REFERENCES users(id),
  note           BLOB,
  at_ms          INTEGER NOT NULL
);
CREATE INDEX sitter_steps_app ON sitter_steps(application_id);

-- Search terms of an application, as keyed blind indexes under the service's key: "name:" +
-- the guardian's 氏名 without spaces, "kana:" + ふりがな in katakana, "phone:" + digits,
-- "mail:" + the address in lower case.
CREATE TABLE sitter_terms (
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id),
  term           BLOB NOT NULL
);
CREATE INDEX sitter_terms_term ON sitter_terms(term);
CREATE INDEX sitter_terms_app ON sitter_terms(application_id);

-- 申請番号: numbered per fiscal year.
CREATE TABLE sitter_numbers (
  fiscal_year INTEGER PRIMARY KEY,
  last        INTEGER NOT NULL
);

-- A day's decision notices (交付決定通知書 / 不交付決定通知書), made once; the PDF is made again
-- from the sealed applications at each download (no file of names is kept).
CREATE TABLE sitter_notices (
  id          INTEGER PRIMARY KEY,
  on_date     TEXT NOT NULL,         -- the decisions' day, and the notices' date
  letters     INTEGER NOT NULL,
  created_by  INTEGER NOT NULL REFERENCES users(id),
  created_ms  INTEGER NOT NULL
);

-- A transfer file (全銀 総合振込) for a payment date, kept sealed exactly as it was made (the
-- bank gets the same bytes at each download). returned: transfers read back as 振込不能.
CREATE TABLE sitter_payments (
  id          INTEGER PRIMARY KEY,
  pay_date    TEXT NOT NULL,         -- 振込指定日 (ISO)
  items       INTEGER NOT NULL,
  total_yen   INTEGER NOT NULL,
  returned    INTEGER NOT NULL DEFAULT 0,
  file        BLOB NOT NULL,         -- sealed "sitter_payments.file" (names and accounts)
  created_by  INTEGER NOT NULL REFERENCES users(id),
  created_ms  INTEGER NOT NULL
);

-- The call center's log (コールセンター): each inquiry. topic is one of a fixed list (no
-- personal data); content (相談内容) and answer are sealed; application_id when the caller's
-- application is known.
CREATE TABLE sitter_inquiries (
  id             INTEGER PRIMARY KEY,
  at_ms          INTEGER NOT NULL,
  channel        TEXT NOT NULL CHECK (channel IN ('phone','mail','counter','web')),
  topic          TEXT NOT NULL CHECK (topic IN ('eligibility','how','status','payment',
                                                'correction','other')),
  application_id INTEGER REFERENCES sitter_applications(id),
  content        BLOB NOT NULL,      -- sealed "sitter_inquiries.content" (相談内容)
  answer         BLOB NOT NULL,      -- sealed "sitter_inquiries.answer"
  resolved       INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)),
  user_id        INTEGER NOT NULL REFERENCES users(id),
  updated_ms     INTEGER NOT NULL
);
CREATE INDEX sitter_inquiries_open ON sitter_inquiries(resolved, at_ms);
CREATE INDEX sitter_inquiries_app ON sitter_inquiries(application_id);
