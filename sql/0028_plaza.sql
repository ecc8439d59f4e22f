-- 0028_plaza.sql — the plazas' user registrations (共育プラザ, seed 001 Edogawa; issue 17 section
-- 1), a service of its own (src/plaza/): its own tables and data key (data_key:plaza).
--
-- The seed's items, nothing more: 氏名 (and its ふりがな, for search and sorting), 住所, 生年月日,
-- 年齢 (computed, never stored), 電話番号, 学校名, 学年. Every one sealed under the service's key;
-- the card number, the plaza, dates of registration and visits and the visit's age band stay
-- plain (the counts are made from them without unsealing).
-- 流れ: plaza; 利用者 → 共育プラザの職員; 利用者登録の内容（氏名・住所・生年月日・学校）; 登録の用紙
-- 流れ: plaza; 共育プラザの職員 → 区; 利用の集計（個人を含まない）; 報告

-- The five plazas. A plaza_staff account belongs to one of them (plaza_staff below).
CREATE TABLE plaza_plazas ( -- 表: 共育プラザ; plaza; 固定 — the five plazas, kept by an erasure
  id    INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  code  TEXT NOT NULL UNIQUE,  -- 項目: プラザのコード; 一般 — 'hirai', 'chuo', … (the CLI's --plaza)
  name  TEXT NOT NULL UNIQUE,  -- 項目: プラザ名; 一般 — 平井, 中央, 南小岩, 葛西, 南篠崎
  last_card INTEGER NOT NULL DEFAULT 0  -- 項目: 最後に付けたカード番号; 一般 — the last card number's sequence given
);
INSERT INTO plaza_plazas (id, code, name) VALUES (1, 'hirai', '平井');
INSERT INTO plaza_plazas (id, code, name) VALUES (2, 'chuo', '中央');
INSERT INTO plaza_plazas (id, code, name) VALUES (3, 'minamikoiwa', '南小岩');
INSERT INTO plaza_plazas (id, code, name) VALUES (4, 'kasai', '葛西');
INSERT INTO plaza_plazas (id, code, name) VALUES (5, 'minamishinozaki', '南篠崎');

-- Which plaza a plaza_staff account works at (set by the ward's administrator).
CREATE TABLE plaza_staff ( -- 表: プラザの職員; plaza; 本人: プラザの職員
  user_id   INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  plaza_id  INTEGER NOT NULL REFERENCES plaza_plazas(id) -- 項目: プラザの番号; 一般
);

-- A registered user. card_no: the plaza's digit and a sequence (1000123), printed as a QR code
-- on the registration card. grade_fy: the school year (April–March) its 学年 is for; the April
-- update moves it on. active_on: the last day registered, updated or seen (a visit).
CREATE TABLE plaza_users ( -- 表: プラザの利用者; plaza; 本人: 利用者（児童・生徒・保護者）
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  plaza_id    INTEGER NOT NULL REFERENCES plaza_plazas(id), -- 項目: 登録したプラザ; 一般
  card_no     TEXT NOT NULL UNIQUE, -- 項目: 利用者カード番号; 個人
  name        BLOB NOT NULL,   -- 項目: 氏名; 個人; 暗号化 — sealed "plaza_users.name" (氏名)
  kana        BLOB NOT NULL,   -- 項目: ふりがな; 個人; 暗号化 — sealed "plaza_users.kana" (ふりがな)
  address     BLOB NOT NULL,   -- 項目: 住所; 個人; 暗号化 — sealed "plaza_users.address" (住所)
  birth       BLOB NOT NULL,   -- 項目: 生年月日; 個人; 暗号化 — sealed "plaza_users.birth" (生年月日, ISO)
  phone       BLOB NOT NULL,   -- 項目: 電話番号; 個人; 暗号化 — sealed "plaza_users.phone" (電話番号; may be "")
  school      BLOB NOT NULL,   -- 項目: 学校名; 個人; 暗号化 — sealed "plaza_users.school" (学校名; may be "")
  grade       BLOB NOT NULL,   -- 項目: 学年; 個人; 暗号化 — sealed "plaza_users.grade" (学年: 未就学, 小1 … 高3, 卒業, 一般)
  grade_fy    INTEGER NOT NULL, -- 項目: 学年の年度; 一般
  created_on  TEXT NOT NULL, -- 項目: 登録日; 個人
  active_on   TEXT NOT NULL, -- 項目: 最後の利用日; 個人
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms  INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX plaza_users_plaza ON plaza_users(plaza_id, active_on);

-- The desk's search terms, keyed blind indexes under the service's key: "kana:" + the first 2..6
-- kana of ふりがな (katakana, no spaces), "name:" + 氏名 without spaces, "birth:" + ISO date,
-- "phone:" + its digits. Nothing is unsealed to find; the hits are unsealed for the answer.
CREATE TABLE plaza_terms ( -- 表: 利用者の検索語; plaza
  user_id   INTEGER NOT NULL REFERENCES plaza_users(id), -- 項目: 利用者の番号; 一般
  plaza_id  INTEGER NOT NULL, -- 項目: プラザの番号; 一般
  term      BLOB NOT NULL -- 項目: 検索語の検索用ハッシュ値; 一般
);
CREATE INDEX plaza_terms_term ON plaza_terms(plaza_id, term);
CREATE INDEX plaza_terms_user ON plaza_terms(user_id);

-- A visit: a card scanned at the desk, once a day per user. band: the age band on that day
-- (0-5, 6-12, 13-15, 16-18, 19+), so the counts need no birth date. user_id becomes NULL when
-- the user is deleted (the counts stay).
CREATE TABLE plaza_visits ( -- 表: 来館の記録; plaza; 本人: 利用者（児童・生徒・保護者）
  id        INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  plaza_id  INTEGER NOT NULL REFERENCES plaza_plazas(id), -- 項目: プラザの番号; 一般
  user_id   INTEGER REFERENCES plaza_users(id), -- 項目: 利用者の番号; 一般
  on_date   TEXT NOT NULL, -- 項目: 来館日; 個人
  band      TEXT NOT NULL CHECK (band IN ('0-5','6-12','13-15','16-18','19+')), -- 項目: 時間帯; 個人
  at_ms     INTEGER NOT NULL, -- 項目: 日時; 一般
  UNIQUE (user_id, on_date)
);
CREATE INDEX plaza_visits_day ON plaza_visits(plaza_id, on_date);

-- The April update of 学年, once per school year.
CREATE TABLE plaza_grade_runs ( -- 表: 学年の繰り上げ; plaza
  fiscal_year INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  users       INTEGER NOT NULL,  -- 項目: 繰り上げた人数; 一般 — how many had their 学年 moved on
  by_actor    TEXT NOT NULL, -- 項目: 実行した人; 一般
  at_ms       INTEGER NOT NULL -- 項目: 日時; 一般
);
