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
-- 流れ: sitter; 申請者（保護者） → 受託事業者; 申請書・領収書・振込先の口座; 申請のページ
-- 流れ: sitter; 受託事業者 → 区; 事前審査の結果; このシステムの上で（受け渡し台帳）
-- 流れ: sitter; 区 → 金融機関; 振込の内容（氏名・口座・金額）; 全銀形式の振込ファイル
-- 流れ: sitter; 区 → 申請者（保護者）; 決定通知; 郵送
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
CREATE TABLE grant_staff ( -- 表: 給付の担当者; platform; 本人: 職員
  user_id INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  service TEXT NOT NULL -- 項目: サービス名; 一般
);

-- One application (申請). number: 申請番号, ten digits (fiscal year and a sequence: 2026000123),
-- also the 顧客コード1 of its transfer, so that a returned transfer finds it. state: the grant
-- path's (src/grant/path.c): draft (being filled in, receipts uploading), submitted, returned
-- (for correction), screened (the contractor's pre-screen done), approved / rejected (the
-- ward's decision), notified (the notice made), paid (in a transfer file), unpaid (振込不能).
CREATE TABLE sitter_applications ( -- 表: ベビーシッター利用支援の申請; sitter; 本人: 申請者（保護者）・児童
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  number       TEXT NOT NULL UNIQUE, -- 項目: 申請番号; 一般
  fiscal_year  INTEGER NOT NULL,     -- 項目: 年度; 一般 — of its receipt (April–March)
  channel      TEXT NOT NULL CHECK (channel IN ('web','import','paper')), -- 項目: 受付の方法; 一般
  state        TEXT NOT NULL CHECK (state IN ('draft','submitted','returned','screened', -- 項目: 状態; 一般
                                              'approved','rejected','notified','paid','unpaid')),
  decision     TEXT CHECK (decision IN ('approved','rejected')), -- 項目: 決定; 個人
  form         BLOB NOT NULL,        -- 項目: 申請の内容（保護者の氏名・ふりがな・住所・生年月日・電話番号・メールアドレス、児童の氏名・生年月日、ベビーシッターの利用内訳）; 個人; 暗号化 — sealed "sitter_applications.form": JSON of the guardian's
                                     -- 氏名 (and ふりがな), 住所 (郵便番号), 生年月日, 電話番号,
                                     -- メールアドレス; the children's 氏名 and 生年月日; the uses
                                     -- (date, times, sitter company, amount paid)
  bank         BLOB NOT NULL,        -- 項目: 銀行口座情報（振込先）; 個人; 暗号化 — sealed "sitter_applications.bank": 銀行口座情報 (bank,
                                     -- branch, type, number, holder in kana)
  token_idx    BLOB NOT NULL UNIQUE, -- 項目: 申請者のリンクの検索用ハッシュ値; 一般 — blind index of the applicant's link (its capability)
  checks       TEXT NOT NULL DEFAULT '', -- 項目: 確認した項目; 一般 — the contractor's checked items, comma-joined
  fix_note     BLOB,                 -- 項目: 補正の依頼内容; 個人; 暗号化 — sealed "sitter_applications.fix_note": what the applicant
                                     -- is asked to correct (a 相談内容 of the pre-screen)
  reason       BLOB,                 -- 項目: 不承認の理由; 個人; 暗号化 — sealed "sitter_applications.reason": why it was rejected
  paid_yen     INTEGER NOT NULL DEFAULT 0, -- 項目: 支払った額; 個人 — what the guardian paid the sitters, in all
  claim_yen    INTEGER NOT NULL DEFAULT 0, -- 項目: 請求の額; 個人 — the subsidy by the rates, before the cap
  grant_yen    INTEGER NOT NULL DEFAULT 0, -- 項目: 決定した額; 個人 — the decided amount (after the cap)
  decided_on   TEXT,                 -- 項目: 決定日; 個人 — ISO date of the decision (the notices' batch day)
  decided_by   INTEGER REFERENCES users(id), -- 項目: 決定した職員の番号; 一般
  notice_id    INTEGER,              -- 項目: 通知の番号; 一般 — the notice batch it went out in
  payment_id   INTEGER,              -- 項目: 振込の番号; 一般 — the transfer file it was last in
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  submitted_ms INTEGER, -- 項目: 申請日時; 個人
  updated_ms   INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX sitter_applications_state ON sitter_applications(state, submitted_ms);
CREATE INDEX sitter_applications_decided ON sitter_applications(decided_on);
CREATE INDEX sitter_applications_payment ON sitter_applications(payment_id);

-- A child's hours in an application, per fiscal year of the uses (an application may cross
-- March 31st). child_key: blind index of the child's 氏名 and 生年月日, the same child across
-- applications; the cap (144 hours a fiscal year, 288 for multiple births) counts the minutes of
-- approved applications only. claim_min: what the uses ask; minutes: what counts after the cap
-- (set when decided).
CREATE TABLE sitter_child_hours ( -- 表: 児童ごとの利用時間; sitter; 本人: 児童
  id             INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id), -- 項目: 申請の番号; 一般
  child          INTEGER NOT NULL,   -- 項目: 申請の中の児童の順; 一般 — the child's place in the form (0, 1, …)
  child_key      BLOB NOT NULL, -- 項目: 児童の照合値; 一般
  fiscal_year    INTEGER NOT NULL, -- 項目: 年度; 一般
  multiple       INTEGER NOT NULL CHECK (multiple IN (0, 1)), -- 項目: 多胎児; 個人
  claim_min      INTEGER NOT NULL, -- 項目: 請求した時間（分）; 個人
  minutes        INTEGER NOT NULL DEFAULT 0 -- 項目: 認めた時間（分）; 個人
);
CREATE INDEX sitter_child_hours_key ON sitter_child_hours(child_key, fiscal_year);
CREATE INDEX sitter_child_hours_app ON sitter_child_hours(application_id);

-- One row per child and fiscal year that a decision has counted: a decision writes its
-- children's rows first, so that two decisions on the same child wait for each other
-- (PostgreSQL's read committed would otherwise let both count the same hours left).
CREATE TABLE sitter_cap_locks ( -- 表: 上限の判定の順番; sitter
  child_key   BLOB NOT NULL, -- 項目: 児童の照合値; 一般
  fiscal_year INTEGER NOT NULL, -- 項目: 年度; 一般
  decisions   INTEGER NOT NULL, -- 項目: 決定の数; 一般
  PRIMARY KEY (child_key, fiscal_year)
);

-- A receipt (領収書) uploaded or scanned: JPEG, PNG or PDF, its type checked on its bytes.
CREATE TABLE sitter_receipts ( -- 表: 領収書; sitter; 本人: 申請者（保護者）
  id             INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id), -- 項目: 申請の番号; 一般
  media          TEXT NOT NULL CHECK (media IN ('image/jpeg','image/png','application/pdf')), -- 項目: ファイルの種類; 一般
  bytes          INTEGER NOT NULL, -- 項目: 大きさ（バイト）; 一般
  data           BLOB NOT NULL,      -- 項目: 領収書の画像; 個人; 暗号化 — sealed "sitter_receipts.data"
  created_ms     INTEGER NOT NULL -- 項目: 作成日時; 一般
);
CREATE INDEX sitter_receipts_app ON sitter_receipts(application_id);

-- Every step of the path, in order: who (a user, or the applicant by their link), from and to.
-- note: sealed "sitter_steps.note" (what to fix, a reason), or NULL.
CREATE TABLE sitter_steps ( -- 表: 申請の経過; sitter; 本人: 申請者（保護者）
  id             INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id), -- 項目: 申請の番号; 一般
  from_state     TEXT NOT NULL, -- 項目: 前の状態; 一般
  to_state       TEXT NOT NULL, -- 項目: 後の状態; 一般
  user_id        INTEGER REFERENCES users(id), -- 項目: 職員の番号; 一般
  note           BLOB, -- 項目: 経過のメモ; 個人; 暗号化
  at_ms          INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX sitter_steps_app ON sitter_steps(application_id);

-- Search terms of an application, as keyed blind indexes under the service's key: "name:" +
-- the guardian's 氏名 without spaces, "kana:" + ふりがな in katakana, "phone:" + digits,
-- "mail:" + the address in lower case.
CREATE TABLE sitter_terms ( -- 表: 申請の検索語; sitter
  application_id INTEGER NOT NULL REFERENCES sitter_applications(id), -- 項目: 申請の番号; 一般
  term           BLOB NOT NULL -- 項目: 検索語の検索用ハッシュ値; 一般
);
CREATE INDEX sitter_terms_term ON sitter_terms(term);
CREATE INDEX sitter_terms_app ON sitter_terms(application_id);

-- 申請番号: numbered per fiscal year.
CREATE TABLE sitter_numbers ( -- 表: 申請番号の採番; sitter
  fiscal_year INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  last        INTEGER NOT NULL -- 項目: 最後に付けた番号; 一般
);

-- A day's decision notices (交付決定通知書 / 不交付決定通知書), made once; the PDF is made again
-- from the sealed applications at each download (no file of names is kept).
CREATE TABLE sitter_notices ( -- 表: 決定通知の作成; sitter
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  on_date     TEXT NOT NULL,         -- 項目: 通知の日付; 一般 — the decisions' day, and the notices' date
  letters     INTEGER NOT NULL, -- 項目: 通数; 一般
  created_by  INTEGER NOT NULL REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms  INTEGER NOT NULL -- 項目: 作成日時; 一般
);

-- A transfer file (全銀 総合振込) for a payment date, kept sealed exactly as it was made (the
-- bank gets the same bytes at each download). returned: transfers read back as 振込不能.
CREATE TABLE sitter_payments ( -- 表: 振込ファイル; sitter; 本人: 申請者（保護者）
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  pay_date    TEXT NOT NULL,         -- 項目: 振込指定日; 一般 — 振込指定日 (ISO)
  items       INTEGER NOT NULL, -- 項目: 件数; 一般
  total_yen   INTEGER NOT NULL, -- 項目: 合計額; 一般
  returned    INTEGER NOT NULL DEFAULT 0, -- 項目: 振込不能の数; 一般
  file        BLOB NOT NULL,         -- 項目: 振込ファイル（氏名・口座）; 個人; 暗号化 — sealed "sitter_payments.file" (names and accounts)
  created_by  INTEGER NOT NULL REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms  INTEGER NOT NULL -- 項目: 作成日時; 一般
);

-- The call center's log (コールセンター): each inquiry. topic is one of a fixed list (no
-- personal data); content (相談内容) and answer are sealed; application_id when the caller's
-- application is known.
CREATE TABLE sitter_inquiries ( -- 表: 問い合わせ; sitter; 本人: 申請者（保護者）・問い合わせた人
  id             INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  at_ms          INTEGER NOT NULL, -- 項目: 日時; 一般
  channel        TEXT NOT NULL CHECK (channel IN ('phone','mail','counter','web')), -- 項目: 受付の方法; 一般
  topic          TEXT NOT NULL CHECK (topic IN ('eligibility','how','status','payment', -- 項目: 話題; 一般
                                                'correction','other')),
  application_id INTEGER REFERENCES sitter_applications(id), -- 項目: 申請の番号; 一般
  content        BLOB NOT NULL,      -- 項目: 相談内容; 個人; 暗号化 — sealed "sitter_inquiries.content" (相談内容)
  answer         BLOB NOT NULL,      -- 項目: 回答; 個人; 暗号化 — sealed "sitter_inquiries.answer"
  resolved       INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)), -- 項目: 解決; 一般
  user_id        INTEGER NOT NULL REFERENCES users(id), -- 項目: 対応した職員の番号; 一般
  updated_ms     INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX sitter_inquiries_open ON sitter_inquiries(resolved, at_ms);
CREATE INDEX sitter_inquiries_app ON sitter_inquiries(application_id);
