-- 0006_plans.sql — guardians' portal (seed 000: 利用予定・欠席連絡 over the internet): sign-in by
-- mail link, plans (a weekly pattern plus day exceptions), absence notices, pickup lists,
-- check-out by pickup person, and the board's alerts (not arrived, still present at closing).

-- Site settings for plans and alerts. arrival NULL means the opening time. The phone and the
-- alert address are the facility's own (public, not personal data).
ALTER TABLE sites ADD COLUMN arrival TEXT; -- 項目: 来所予定時刻; 一般
ALTER TABLE sites ADD COLUMN grace_min INTEGER NOT NULL DEFAULT 30; -- 項目: 来所の猶予（分）; 一般
ALTER TABLE sites ADD COLUMN deadline TEXT NOT NULL DEFAULT '12:00'; -- 項目: 予定変更の締切時刻; 一般
ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT ''; -- 項目: 施設の電話番号; 一般
ALTER TABLE sites ADD COLUMN alert_email TEXT NOT NULL DEFAULT ''; -- 項目: 施設の通知先メールアドレス; 一般
ALTER TABLE sites ADD COLUMN alert_guardians INTEGER NOT NULL DEFAULT 0; -- 項目: 保護者への未着通知; 一般

-- One-time sign-in links for guardians (15 minutes); only the token's hash is stored.
CREATE TABLE guardian_login_tokens ( -- 表: 保護者のログイン用リンク; attendance
  token_hash  BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  guardian_id INTEGER NOT NULL REFERENCES guardians(id), -- 項目: 保護者の番号; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  expires_ms  INTEGER NOT NULL, -- 項目: 有効期限; 一般
  used_ms     INTEGER -- 項目: 使用日時; 一般
);
CREATE INDEX guardian_login_tokens_g ON guardian_login_tokens(guardian_id, created_ms);

-- Guardians' sessions, as staff sessions (token hash, CSRF, idle and absolute expiry).
CREATE TABLE guardian_sessions ( -- 表: 保護者のセッション; attendance; 本人: 保護者
  token_hash   BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  guardian_id  INTEGER NOT NULL REFERENCES guardians(id), -- 項目: 保護者の番号; 一般
  csrf         TEXT NOT NULL, -- 項目: CSRF対策の値; 一般
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  last_seen_ms INTEGER NOT NULL -- 項目: 最後の利用日時; 一般
);

-- The people allowed to collect a child (お迎え者). Removed people stay (active 0) so that old
-- plans and check-outs still name them.
CREATE TABLE pickups ( -- 表: お迎えの人; attendance; 本人: お迎えの人（保護者が届け出た人）
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  child_id     INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  name_enc     BLOB NOT NULL,          -- 項目: お迎えの人の氏名; 個人; 暗号化 — sealed as "pickups.name"
  relation_enc BLOB NOT NULL,          -- 項目: 児童との続柄; 個人; 暗号化 — sealed as "pickups.relation"
  active       INTEGER NOT NULL DEFAULT 1, -- 項目: 有効; 一般
  created_ms   INTEGER NOT NULL -- 項目: 作成日時; 一般
);
CREATE INDEX pickups_child ON pickups(child_id);

-- The weekly pattern: a row means the child attends on that weekday (1 Monday … 6 Saturday).
CREATE TABLE plan_weekly ( -- 表: 毎週の帰宅予定; attendance; 本人: 登録児童
  child_id   INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 6), -- 項目: 曜日; 一般
  leave      TEXT,                     -- 項目: 帰宅予定時刻; 個人 — planned leave time HH:MM
  way_home   TEXT CHECK (way_home IN ('alone','pickup')), -- 項目: 帰宅方法; 個人
  pickup_id  INTEGER REFERENCES pickups(id), -- 項目: お迎えの人の番号; 一般
  updated_ms INTEGER NOT NULL, -- 項目: 更新日時; 一般
  PRIMARY KEY (child_id, weekday)
);

-- Day exceptions to the pattern: attend (another day or other times), off (not coming) or
-- absent (an absence notice with its reason, sealed: it may say the child is ill).
CREATE TABLE plan_days ( -- 表: 日ごとの予定（出欠）; attendance; 本人: 登録児童
  child_id   INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  day        TEXT NOT NULL,            -- 項目: 日付; 一般 — YYYY-MM-DD, Japan time
  status     TEXT NOT NULL CHECK (status IN ('attend','off','absent')), -- 項目: 出欠情報; 個人
  leave      TEXT, -- 項目: 帰宅予定時刻; 個人
  way_home   TEXT CHECK (way_home IN ('alone','pickup')), -- 項目: 帰宅方法; 個人
  pickup_id  INTEGER REFERENCES pickups(id), -- 項目: お迎えの人の番号; 一般
  reason_enc BLOB,                     -- 項目: 欠席・変更の理由（体調を含むことがある）; 要配慮; 暗号化 — sealed as "plan_days.reason"
  updated_ms INTEGER NOT NULL, -- 項目: 更新日時; 一般
  updated_by TEXT NOT NULL,            -- 項目: 変更した人; 一般 — the actor ("guardian:12")
  PRIMARY KEY (child_id, day)
);

-- Alerts raised on the board: a planned child not arrived by arrival + grace, a child still
-- present at closing. One per child, day and kind; cleared by a scan or an absence notice.
CREATE TABLE alerts ( -- 表: 未着・未帰宅の通知; attendance; 本人: 登録児童
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  site_id    INTEGER NOT NULL REFERENCES sites(id), -- 項目: 施設の番号; 一般
  child_id   INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  day        TEXT NOT NULL, -- 項目: 日付; 一般
  kind       TEXT NOT NULL CHECK (kind IN ('not_arrived','still_present')), -- 項目: 種類（未着など）; 個人
  raised_ms  INTEGER NOT NULL, -- 項目: 発生日時; 一般
  cleared_ms INTEGER, -- 項目: 解消日時; 一般
  UNIQUE (child_id, day, kind)
);
CREATE INDEX alerts_site_day ON alerts(site_id, day);

-- Who collected the child at a check-out (お迎え).
ALTER TABLE scans ADD COLUMN pickup_id INTEGER REFERENCES pickups(id); -- 項目: お迎えの人の番号; 一般
