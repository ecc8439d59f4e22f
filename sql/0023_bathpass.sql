-- 0023_bathpass.sql — the bath-pass ledger (ふれあい入浴証, seed 002; issue 15), a service of its
-- own (src/bathpass/): its own tables and its own data key (data_key:bathpass). Nothing here is
-- joined with another service's tables. The seed's 記録項目 are exactly: 氏名, ふりがな, 郵便番号,
-- 住所 (with its 方書), 生年月日, 年齢 (computed when shown, never stored), 性別, 住民番号 (the host's
-- 宛名番号), 対象区分, 電話番号, 整理番号, 申請日, 交付日, 交付場所, 交付方法, 返戻日, 除外日・除外事由,
-- 送付先変更などの個別事由. Every personal field is sealed (BLOB) under the service's key.
--
-- Two roles of the platform, as 0020 added the schools' (the same way: the CHECK's text edited on
-- SQLite, the constraint replaced on PostgreSQL): bath_office (head office, 地域包括ケア推進課:
-- imports, the ledger, mailings) and bath_branch (a counter at a branch office, 特別出張所: the
-- counter only).
-- [sqlite]
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''school_admin'',''sender'')',
                     '''school_admin'',''sender'',''bath_office'',''bath_branch'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- [postgresql]
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff','school_admin','sender',
                  'bath_office','bath_branch'));
-- [both]

-- Where a pass is handed over (交付場所): the head office and the branch offices. Codes are the
-- ward's; names are shown at the counter and in lists.
CREATE TABLE bath_places (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  head INTEGER NOT NULL DEFAULT 0 CHECK (head IN (0, 1)),
  sort INTEGER NOT NULL
);
INSERT INTO bath_places (code, name, head, sort) VALUES
  ('honcho', '本庁舎（地域包括ケア推進課）', 1, 0),
  ('b01', '第一特別出張所', 0, 1), ('b02', '第二特別出張所', 0, 2),
  ('b03', '第三特別出張所', 0, 3), ('b04', '第四特別出張所', 0, 4),
  ('b05', '第五特別出張所', 0, 5), ('b06', '第六特別出張所', 0, 6),
  ('b07', '第七特別出張所', 0, 7), ('b08', '第八特別出張所', 0, 8),
  ('b09', '第九特別出張所', 0, 9), ('b10', '第十特別出張所', 0, 10);

-- The counter a branch-office account works at (bath_branch: required to issue).
CREATE TABLE bath_staff (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  place   TEXT NOT NULL REFERENCES bath_places(code)
);

-- One eligible person (or one who was: excluded rows stay, with 除外日・除外事由). Matched with
-- the host's extract on the blind index of 宛名番号 only, never on names.
CREATE TABLE bath_people (
  id           INTEGER PRIMARY KEY,
  resident_idx BLOB NOT NULL UNIQUE, -- blind index "bath-resident" of 宛名番号
  row_mac      BLOB NOT NULL,        -- keyed hash "bath-row" of the host's fields: unchanged rows
                                     -- of an import are found without unsealing
  resident_no  BLOB NOT NULL,        -- sealed "bath_people.resident_no" (住民番号 = 宛名番号)
  name         BLOB NOT NULL,        -- sealed "bath_people.name" (氏名)
  kana         BLOB NOT NULL,        -- sealed "bath_people.kana" (ふりがな)
  birth        BLOB NOT NULL,        -- sealed "bath_people.birth" (生年月日, ISO)
  sex          BLOB NOT NULL,        -- sealed "bath_people.sex" (性別: 男 / 女)
  postcode     BLOB NOT NULL,        -- sealed "bath_people.postcode" (7 digits)
  address      BLOB NOT NULL,        -- sealed "bath_people.address" (住所)
  katagaki     BLOB NOT NULL,        -- sealed "bath_people.katagaki" (方書, part of 住所; may be "")
  phone        BLOB NOT NULL,        -- sealed "bath_people.phone" (may be "")
  category     BLOB NOT NULL,        -- sealed "bath_people.category" (高齢 / 障害 / 児童)
  excluded     INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
  excluded_on  BLOB,                 -- sealed "bath_people.excluded_on" (除外日, ISO)
  excluded_why BLOB,                 -- sealed "bath_people.excluded_why" (除外事由)
  note         BLOB,                 -- sealed "bath_people.note" (送付先変更などの個別事由)
  snapshot_id  INTEGER NOT NULL,     -- the import that last changed it
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL
);

-- The counter's search terms, as keyed blind indexes under the service's key (the choice is in
-- docs/architecture.md): "bath-kana:" + the first 2..6 kana of ふりがな (katakana, no spaces),
-- "bath-name:" + 氏名 without spaces, "bath-birth:" + ISO date. A hit is unsealed and checked.
CREATE TABLE bath_terms (
  person_id INTEGER NOT NULL REFERENCES bath_people(id),
  term      BLOB NOT NULL
);
CREATE INDEX bath_terms_term ON bath_terms(term);
CREATE INDEX bath_terms_person ON bath_terms(person_id);

-- An import of the host's extract, kept as a snapshot of its differences; nothing applies until
-- a second person approves it. status: pending, approved, refused (more than the set share
-- would be excluded: a truncated extract), superseded (another import was approved first).
CREATE TABLE bath_snapshots (
  id          INTEGER PRIMARY KEY,
  created_ms  INTEGER NOT NULL,
  created_by  INTEGER NOT NULL REFERENCES users(id),
  base_id     INTEGER NOT NULL,      -- the last approved snapshot when this one was made (0: none)
  encoding    TEXT NOT NULL,
  total_rows  INTEGER NOT NULL,
  n_new       INTEGER NOT NULL,
  n_changed   INTEGER NOT NULL,
  n_gone      INTEGER NOT NULL,
  n_unchanged INTEGER NOT NULL,
  n_rejected  INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('pending','approved','refused','superseded')),
  refusal     TEXT NOT NULL DEFAULT '',
  decided_by  INTEGER REFERENCES users(id),
  decided_ms  INTEGER
);

-- A snapshot's differences, one row each. kind: new, changed (fields: the names of the fields
-- that changed, comma-joined), gone (reason: moved / died / lost / absent), rejected (line and
-- reason, never the value). data: the host row's fields, sealed "bath_snapshot_rows.data".
CREATE TABLE bath_snapshot_rows (
  id          INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL REFERENCES bath_snapshots(id),
  line        INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('new','changed','gone','rejected')),
  person_id   INTEGER REFERENCES bath_people(id),
  fields      TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL DEFAULT '',
  data        BLOB
);
CREATE INDEX bath_snapshot_rows_snapshot ON bath_snapshot_rows(snapshot_id, kind);

-- What happened to a person's pass, per fiscal year (April–March). kind: apply (申請日), issue
-- (交付日, 交付場所, 交付方法, 整理番号), reissue (lost), returned (返戻日), exclude (除外),
-- sendto (送付先変更: the note is sealed on the person).
CREATE TABLE bath_events (
  id          INTEGER PRIMARY KEY,
  person_id   INTEGER NOT NULL REFERENCES bath_people(id),
  fiscal_year INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('apply','issue','reissue','returned','exclude',
                                            'sendto')),
  on_date     TEXT NOT NULL,         -- ISO date (Asia/Tokyo)
  place       TEXT REFERENCES bath_places(code),
  method      TEXT CHECK (method IN ('counter','mail')),
  number      TEXT,                  -- 整理番号 (issue, reissue)
  user_id     INTEGER NOT NULL REFERENCES users(id),
  created_ms  INTEGER NOT NULL
);
CREATE INDEX bath_events_person ON bath_events(person_id, fiscal_year);
CREATE INDEX bath_events_day ON bath_events(on_date);

-- 整理番号: numbered per fiscal year, "<year>-<five digits>".
CREATE TABLE bath_numbers (
  fiscal_year INTEGER PRIMARY KEY,
  last        INTEGER NOT NULL
);
