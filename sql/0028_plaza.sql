-- 0028_plaza.sql — the plazas' user registrations (共育プラザ, seed 001 Edogawa; issue 17 section
-- 1), a service of its own (src/plaza/): its own tables and data key (data_key:plaza).
--
-- The seed's items, nothing more: 氏名 (and its ふりがな, for search and sorting), 住所, 生年月日,
-- 年齢 (computed, never stored), 電話番号, 学校名, 学年. Every one sealed under the service's key;
-- the card number, the plaza, dates of registration and visits and the visit's age band stay
-- plain (the counts are made from them without unsealing).

-- The five plazas. A plaza_staff account belongs to one of them (plaza_staff below).
CREATE TABLE plaza_plazas (
  id    INTEGER PRIMARY KEY,
  code  TEXT NOT NULL UNIQUE,  -- 'hirai', 'chuo', … (the CLI's --plaza)
  name  TEXT NOT NULL UNIQUE,  -- 平井, 中央, 南小岩, 葛西, 南篠崎
  last_card INTEGER NOT NULL DEFAULT 0  -- the last card number's sequence given
);
INSERT INTO plaza_plazas (id, code, name) VALUES (1, 'hirai', '平井');
INSERT INTO plaza_plazas (id, code, name) VALUES (2, 'chuo', '中央');
INSERT INTO plaza_plazas (id, code, name) VALUES (3, 'minamikoiwa', '南小岩');
INSERT INTO plaza_plazas (id, code, name) VALUES (4, 'kasai', '葛西');
INSERT INTO plaza_plazas (id, code, name) VALUES (5, 'minamishinozaki', '南篠崎');

-- Which plaza a plaza_staff account works at (set by the ward's administrator).
CREATE TABLE plaza_staff (
  user_id   INTEGER PRIMARY KEY REFERENCES users(id),
  plaza_id  INTEGER NOT NULL REFERENCES plaza_plazas(id)
);

-- A registered user. card_no: the plaza's digit and a sequence (1000123), printed as a QR code
-- on the registration card. grade_fy: the school year (April–March) its 学年 is for; the April
-- update moves it on. active_on: the last day registered, updated or seen (a visit).
CREATE TABLE plaza_users (
  id          INTEGER PRIMARY KEY,
  plaza_id    INTEGER NOT NULL REFERENCES plaza_plazas(id),
  card_no     TEXT NOT NULL UNIQUE,
  name        BLOB NOT NULL,   -- sealed "plaza_users.name" (氏名)
  kana        BLOB NOT NULL,   -- sealed "plaza_users.kana" (ふりがな)
  address     BLOB NOT NULL,   -- sealed "plaza_users.address" (住所)
  birth       BLOB NOT NULL,   -- sealed "plaza_users.birth" (生年月日, ISO)
  phone       BLOB NOT NULL,   -- sealed "plaza_users.phone" (電話番号; may be "")
  school      BLOB NOT NULL,   -- sealed "plaza_users.school" (学校名; may be "")
  grade       BLOB NOT NULL,   -- sealed "plaza_users.grade" (学年: 未就学, 小1 … 高3, 卒業, 一般)
  grade_fy    INTEGER NOT NULL,
  created_on  TEXT NOT NULL,
  active_on   TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
);
CREATE INDEX plaza_users_plaza ON plaza_users(plaza_id, active_on);

-- The desk's search terms, keyed blind indexes under the service's key: "kana:" + the first 2..6
-- kana of ふりがな (katakana, no spaces), "name:" + 氏名 without spaces, "birth:" + ISO date,
-- "phone:" + its digits. Nothing is unsealed to find; the hits are unsealed for the answer.
CREATE TABLE plaza_terms (
  user_id   INTEGER NOT NULL REFERENCES plaza_users(id),
  plaza_id  INTEGER NOT NULL,
  term      BLOB NOT NULL
);
CREATE INDEX plaza_terms_term ON plaza_terms(plaza_id, term);
CREATE INDEX plaza_terms_user ON plaza_terms(user_id);

-- A visit: a card scanned at the desk, once a day per user. band: the age band on that day
-- (0-5, 6-12, 13-15, 16-18, 19+), so the counts need no birth date. user_id becomes NULL when
-- the user is deleted (the counts stay).
CREATE TABLE plaza_visits (
  id        INTEGER PRIMARY KEY,
  plaza_id  INTEGER NOT NULL REFERENCES plaza_plazas(id),
  user_id   INTEGER REFERENCES plaza_users(id),
  on_date   TEXT NOT NULL,
  band      TEXT NOT NULL CHECK (band IN ('0-5','6-12','13-15','16-18','19+')),
  at_ms     INTEGER NOT NULL,
  UNIQUE (user_id, on_date)
);
CREATE INDEX plaza_visits_day ON plaza_visits(plaza_id, on_date);

-- The April update of 学年, once per school year.
CREATE TABLE plaza_grade_runs (
  fiscal_year INTEGER PRIMARY KEY,
  users       INTEGER NOT NULL,  -- how many had their 学年 moved on
  by_actor    TEXT NOT NULL,
  at_ms       INTEGER NOT NULL
);
