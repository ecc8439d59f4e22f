-- 0021_schoolmail.sql — the schools' mass mail (一斉メール配信, seed 003), its own personal-
-- information file: schools and their yearly security codes, the guardians' addresses and
-- registrations (names sealed under the service's key), one-time links, the sign-up replies'
-- limits, the school staff's scope, the school years and the roll-over's comparison.
-- Personal data only in *_enc columns (vault_seal) and *_idx blind indexes.
-- 流れ: schoolmail; 登録者 → 一斉メール配信; メールアドレス・学校・学年・学級・氏名; 空メールと登録のページ
-- 流れ: schoolmail; 学校の職員 → 登録者; 学校からのお知らせ; 一斉メール

-- A school or kindergarten of the ward (public facts, not personal data).
CREATE TABLE schools ( -- 表: 学校; schoolmail
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  code       TEXT NOT NULL UNIQUE,   -- 項目: 学校コード; 一般 — the ward's code of the school: E01, J03, K02, S01
  name       TEXT NOT NULL, -- 項目: 学校名; 一般
  kind       TEXT NOT NULL CHECK (kind IN ('kindergarten','elementary','junior_high','special')), -- 項目: 学校の種別; 一般
  grades     INTEGER NOT NULL CHECK (grades BETWEEN 1 AND 12), -- 項目: 学年の数; 一般
  classes    INTEGER NOT NULL CHECK (classes BETWEEN 1 AND 20), -- 項目: 学級の数; 一般
  created_ms INTEGER NOT NULL -- 項目: 作成日時; 一般
);

-- School years (年度, April to March). The current year is the newest row; `school rollover`
-- adds the next one. Security codes, counts and alerts belong to a year.
CREATE TABLE school_years ( -- 表: 年度の切り替え; schoolmail
  year       INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  started_ms INTEGER NOT NULL, -- 項目: 切り替えた日時; 一般
  actor      TEXT NOT NULL -- 項目: 切り替えた人; 一般
);

-- A school's security code for one school year (on the registration letter). Only the current
-- year's code signs up; last year's is recognised to say so. Codes are unique across years.
CREATE TABLE school_codes ( -- 表: 学校のセキュリティコード; schoolmail
  school_id  INTEGER NOT NULL REFERENCES schools(id), -- 項目: 学校の番号; 一般
  year       INTEGER NOT NULL REFERENCES school_years(year), -- 項目: 年度; 一般
  code       TEXT NOT NULL UNIQUE,   -- 項目: セキュリティコード; 一般 — 8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  PRIMARY KEY (school_id, year)
);

-- A guardian's mail address (one row per address, whatever the schools and children).
CREATE TABLE school_addresses ( -- 表: 登録者のメールアドレス; schoolmail; 本人: 登録者（保護者・教職員・地域の人）
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  email_enc  BLOB NOT NULL,          -- 項目: メールアドレス; 個人; 暗号化 — sealed as "school_addresses.email"
  email_idx  BLOB NOT NULL UNIQUE,   -- 項目: メールアドレスの検索用ハッシュ値; 一般 — blind index "school-email" of the lower-cased address
  created_ms INTEGER NOT NULL -- 項目: 作成日時; 一般
);

-- One child registered at one school by one address. Removed rows are deleted (transfer,
-- graduation, cancellation): nothing of them stays but the audit entry's ids.
CREATE TABLE school_registrants ( -- 表: 登録の内容; schoolmail; 本人: 登録者（保護者・教職員・地域の人）・児童生徒
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  address_id   INTEGER NOT NULL REFERENCES school_addresses(id), -- 項目: メールアドレスの番号; 一般
  school_id    INTEGER NOT NULL REFERENCES schools(id), -- 項目: 学校の番号; 一般
  grade        INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12), -- 項目: 学年; 個人
  class        INTEGER NOT NULL CHECK (class BETWEEN 1 AND 20), -- 項目: 組; 個人
  child_enc    BLOB NOT NULL,        -- 項目: 園児・児童・生徒氏名; 個人; 暗号化 — sealed as "school_registrants.child"
  guardian_enc BLOB NOT NULL,        -- 項目: 保護者氏名（登録者の氏名）; 個人; 暗号化 — sealed as "school_registrants.guardian"
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms   INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX school_registrants_school ON school_registrants(school_id, grade, class);
CREATE INDEX school_registrants_address ON school_registrants(address_id, school_id);

-- One-time links, stored only as the hash of their token: 'signup' (the reply to an empty
-- mail: a school and the sealed address, 24 h, used once) and 'edit' (asked from a mail's
-- footer: an address's registrations, 24 h).
CREATE TABLE school_links ( -- 表: 登録・変更のリンク; schoolmail; 本人: 登録者（保護者・教職員・地域の人）
  token_hash BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  kind       TEXT NOT NULL CHECK (kind IN ('signup','edit')), -- 項目: 種類; 一般
  school_id  INTEGER REFERENCES schools(id), -- 項目: 学校の番号; 一般
  email_enc  BLOB,                   -- 項目: メールアドレス; 個人; 暗号化 — signup: the address (sealed as "school_links.email")
  address_id INTEGER REFERENCES school_addresses(id), -- 項目: メールアドレスの番号; 一般 — edit: whose registrations
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  expires_ms INTEGER NOT NULL, -- 項目: 有効期限; 一般
  used_ms    INTEGER -- 項目: 使用日時; 一般
);
CREATE INDEX school_links_expires ON school_links(expires_ms);

-- Replies to mail-in, per sender address (blind index only): sign-up links sent in the current
-- hour and when the last short reply (wrong or old code, unknown address, flood) went out — at
-- most one short reply per address an hour.
CREATE TABLE school_mail_in ( -- 表: 空メールの受付数; schoolmail
  email_idx  BLOB PRIMARY KEY, -- 項目: メールアドレスの検索用ハッシュ値; 一般
  window_ms  INTEGER NOT NULL,       -- 項目: 数え始めの日時; 一般 — start of the hour counted in links
  links      INTEGER NOT NULL, -- 項目: 送ったリンクの数; 一般
  short_ms   INTEGER NOT NULL DEFAULT 0 -- 項目: 短い間隔の日時; 一般
);
-- Replies of every kind per hour (a cap on what forged senders can make us send).
CREATE TABLE school_mail_in_hours ( -- 表: 空メールの受付数（時間ごと）; schoolmail
  hour       INTEGER PRIMARY KEY,    -- 項目: 時間; 一般 — epoch ms / 3600000
  links      INTEGER NOT NULL DEFAULT 0, -- 項目: 送ったリンクの数; 一般
  shorts     INTEGER NOT NULL DEFAULT 0 -- 項目: 短い間隔の数; 一般
);

-- The school of a school administrator or sender (their scope; one school each).
CREATE TABLE school_users ( -- 表: 学校の職員; schoolmail; 本人: 学校の職員
  user_id   INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  school_id INTEGER NOT NULL REFERENCES schools(id) -- 項目: 学校の番号; 一般
);

-- Registrants per school and grade when a school year ended (taken by the roll-over).
CREATE TABLE school_year_counts ( -- 表: 学年ごとの登録数; schoolmail
  year        INTEGER NOT NULL, -- 項目: 年度; 一般
  school_id   INTEGER NOT NULL REFERENCES schools(id), -- 項目: 学校の番号; 一般
  grade       INTEGER NOT NULL, -- 項目: 学年; 一般
  registrants INTEGER NOT NULL, -- 項目: 登録数; 一般
  PRIMARY KEY (year, school_id, grade)
);

-- A drop beyond the threshold found by the roll-over: the ward is alerted (page, mail, audit).
-- basis 'cohort': this grade's families a moment before, one grade lower (a correct roll-over
-- keeps every one of them); 'last_year': the same grade a year ago.
CREATE TABLE school_alerts ( -- 表: 年度切り替えの注意; schoolmail
  id              INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  year            INTEGER NOT NULL,  -- 項目: 年度; 一般 — the new school year
  school_id       INTEGER NOT NULL REFERENCES schools(id), -- 項目: 学校の番号; 一般
  grade           INTEGER NOT NULL,  -- 項目: 学年; 一般 — the grade this year
  basis           TEXT NOT NULL CHECK (basis IN ('cohort','last_year')), -- 項目: 比べた基準; 一般
  expected        INTEGER NOT NULL,  -- 項目: 見込みの登録数; 一般 — registrants of the basis
  actual          INTEGER NOT NULL,  -- 項目: 実際の登録数; 一般 — registrants of the grade now
  raised_ms       INTEGER NOT NULL, -- 項目: 発生日時; 一般
  acknowledged_ms INTEGER, -- 項目: 確認日時; 一般
  acknowledged_by INTEGER REFERENCES users(id) -- 項目: 確認した職員の番号; 一般
);
