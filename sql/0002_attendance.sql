-- 0002_attendance.sql — sites, children, guardians, cards, kiosks and scans (seed 000).
-- 流れ: attendance; 保護者 → 学童クラブ・ひろばプラス; 児童氏名・学年・保護者の氏名とメールアドレス; 登録の申込書
-- 流れ: attendance; 区の職員 → 入退室管理システム; 登録児童の名簿; 名簿ファイルの取り込み
-- 流れ: attendance; 児童 → 入退室の端末; 入退室の記録; カードの読み取り
-- 流れ: attendance; 入退室管理システム → 保護者; 入退室の通知（児童氏名・時刻）; メール
-- 流れ: attendance; 保護者 → 学童クラブ・ひろばプラス; 出欠・帰宅の予定; 保護者のページ
CREATE TABLE sites ( -- 表: 学童クラブ・ひろばプラス; attendance
  id        INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  code      TEXT NOT NULL UNIQUE, -- 項目: 施設コード; 一般
  name      TEXT NOT NULL,            -- 項目: 施設名; 一般 — a public facility name, not personal data
  type      TEXT NOT NULL CHECK (type IN ('gakudo','hiroba_plus')), -- 項目: 施設の種別; 一般
  opens     TEXT NOT NULL DEFAULT '13:00', -- 項目: 開所時刻; 一般
  closes    TEXT NOT NULL DEFAULT '19:00' -- 項目: 閉所時刻; 一般
);

CREATE TABLE user_sites ( -- 表: 職員の担当施設; attendance; 本人: 施設職員
  user_id INTEGER NOT NULL REFERENCES users(id), -- 項目: 職員の番号; 一般
  site_id INTEGER NOT NULL REFERENCES sites(id), -- 項目: 施設の番号; 一般
  PRIMARY KEY (user_id, site_id)
);

CREATE TABLE children ( -- 表: 児童; attendance; 本人: 登録児童
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  child_no   TEXT NOT NULL UNIQUE, -- 項目: 児童番号; 一般
  site_id    INTEGER NOT NULL REFERENCES sites(id), -- 項目: 学童クラブ・ひろばプラス; 一般
  name_enc   BLOB NOT NULL, -- 項目: 児童氏名; 個人; 暗号化
  kana_enc   BLOB NOT NULL, -- 項目: 児童氏名（ふりがな）; 個人; 暗号化
  birth_enc  BLOB NOT NULL, -- 項目: 生年月日; 個人; 暗号化
  grade      INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 6), -- 項目: 児童学年; 個人
  active     INTEGER NOT NULL DEFAULT 1, -- 項目: 在籍; 一般
  updated_ms INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX children_site ON children(site_id);

CREATE TABLE guardians ( -- 表: 保護者; attendance; 本人: 保護者
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  name_enc     BLOB NOT NULL, -- 項目: 保護者氏名; 個人; 暗号化
  email_enc    BLOB NOT NULL, -- 項目: メールアドレス; 個人; 暗号化
  email_idx    BLOB NOT NULL UNIQUE,   -- 項目: メールアドレスの検索用ハッシュ値; 一般 — blind index of the address
  confirmed_ms INTEGER,                -- 項目: メールアドレスの確認日時; 一般 — NULL until the address is confirmed by its own link
  created_ms   INTEGER NOT NULL -- 項目: 作成日時; 一般
);

CREATE TABLE child_guardians ( -- 表: 児童と保護者の関係; attendance; 本人: 登録児童・保護者
  child_id    INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  guardian_id INTEGER NOT NULL REFERENCES guardians(id), -- 項目: 保護者の番号; 一般
  PRIMARY KEY (child_id, guardian_id)
);
CREATE INDEX child_guardians_g ON child_guardians(guardian_id);

CREATE TABLE confirm_tokens ( -- 表: メールアドレス確認の鍵; attendance
  token_hash  BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  guardian_id INTEGER NOT NULL REFERENCES guardians(id), -- 項目: 保護者の番号; 一般
  expires_ms  INTEGER NOT NULL, -- 項目: 有効期限; 一般
  used_ms     INTEGER -- 項目: 使用日時; 一般
);

CREATE TABLE cards ( -- 表: 入退室カード; attendance; 本人: 登録児童
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  child_id   INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  code_idx   BLOB NOT NULL UNIQUE,    -- 項目: カード番号の検索用ハッシュ値; 一般 — keyed hash of the card code, for lookup
  code_enc   BLOB NOT NULL,           -- 項目: カード番号; 個人; 暗号化 — the code itself, sealed, to print card sheets
  issued_ms  INTEGER NOT NULL, -- 項目: 発行日時; 一般
  revoked_ms INTEGER -- 項目: 失効日時; 一般
);
CREATE INDEX cards_child ON cards(child_id);

CREATE TABLE kiosks ( -- 表: 入退室の端末; attendance
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  site_id    INTEGER NOT NULL REFERENCES sites(id), -- 項目: 施設の番号; 一般
  token_hash BLOB NOT NULL UNIQUE, -- 項目: 鍵のハッシュ値; 一般
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  revoked_ms INTEGER -- 項目: 失効日時; 一般
);

CREATE TABLE scans ( -- 表: 入退室の記録; attendance; 本人: 登録児童
  id        INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  child_id  INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  site_id   INTEGER NOT NULL REFERENCES sites(id), -- 項目: 施設の番号; 一般
  kiosk_id  INTEGER REFERENCES kiosks(id), -- 項目: 端末の番号; 一般
  card_id   INTEGER REFERENCES cards(id), -- 項目: カードの番号; 一般
  direction TEXT NOT NULL CHECK (direction IN ('in','out')), -- 項目: 入室・退室; 個人
  day       TEXT NOT NULL,            -- 項目: 日付; 個人 — Japan-time date YYYY-MM-DD
  at_ms     INTEGER NOT NULL -- 項目: 入退室の時刻; 個人
);
CREATE INDEX scans_child_day ON scans(child_id, day, at_ms);
CREATE INDEX scans_site_day ON scans(site_id, day);
