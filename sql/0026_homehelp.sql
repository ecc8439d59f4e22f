-- 0026_homehelp.sql — household support (家事・育児支援事業, seed 001 Edogawa; issue 16), a service
-- of its own (src/homehelp/): its own tables and data key (data_key:homehelp). It uses the
-- platform's benefit path (src/grant/) for a household's registration (申請 → 事業者の資格確認 →
-- 区の利用決定 → 通知) and its roles (grant_*, scoped to 'homehelp' in grant_staff).
--
-- The seed's items (1 委託業務で扱う個人情報の項目), nothing more: of the household — 児童の氏名,
-- 住所, 連絡先, 生年月日, 年齢 (computed), 保育サービスの利用状況, 生活状況, 健康状態, 希望する家事
-- 支援の内容, 世帯構成, 保護者の氏名, 親子(母子)健康手帳の交付番号 (多胎妊婦のみ), 住民税課税状況,
-- 生活保護申請の有無, メールアドレス, 緊急連絡先; 利用料金 and 利用料金の支払いの有無; 利用した家事
-- 支援の内容, 利用申込日, 利用開始日, 利用終了日, 利用時間の履歴, 支援時の保護者や児童の様子, 支援時
-- に気になったこと. Of a supporter — 氏名, 住所, 連絡先, メールアドレス, 生年月日, 年齢 (computed),
-- 銀行口座情報, ヘルパー資格有無, 職業経歴. Every one sealed under the service's key; dates of
-- visits, minutes, yen and states stay plain.
-- 流れ: homehelp; 保護者 → 区; 利用の申込（世帯の状況を含む）; 申込書
-- 流れ: homehelp; 区 → 受託事業者; 支援の依頼（世帯と日時）; このシステムの上で
-- 流れ: homehelp; 支援者（受託事業者） → 区; 支援の記録と引き継ぎ; このシステムの上で

-- A household (世帯): its registration is an application on the benefit path.
CREATE TABLE hh_households ( -- 表: 家事・育児支援の利用世帯; homehelp; 本人: 利用世帯の保護者と児童
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  number       TEXT NOT NULL UNIQUE,  -- 項目: 利用者番号; 一般 — 利用者番号: fiscal year and a sequence (2026000123)
  state        TEXT NOT NULL CHECK (state IN ('draft','submitted','returned','screened', -- 項目: 状態; 一般
                                              'approved','rejected','notified','paid','unpaid')),
  decision     TEXT CHECK (decision IN ('approved','rejected')), -- 項目: 決定; 個人
  form         BLOB NOT NULL,         -- 項目: 申込の内容（保護者の氏名・住所・電話番号、児童の氏名・生年月日、世帯の状況）; 要配慮; 暗号化 — sealed "hh_households.form": JSON of 保護者の氏名, 住所,
                                      -- 連絡先, メールアドレス, 緊急連絡先, 世帯構成, 生活状況,
                                      -- 健康状態, 希望する家事支援の内容, 住民税課税状況, 生活保護申請
                                      -- の有無, 親子健康手帳の交付番号 (多胎妊婦のみ), 多胎妊娠;
                                      -- the children: 氏名, 生年月日, 多胎, 保育サービスの利用状況
                                      -- (which and since when)
  checks       TEXT NOT NULL DEFAULT '', -- 項目: 確認した項目; 一般
  fix_note     BLOB,                  -- 項目: 補正の依頼内容; 個人; 暗号化 — sealed "hh_households.fix_note"
  reason       BLOB,                  -- 項目: 不承認の理由; 個人; 暗号化 — sealed "hh_households.reason"
  applied_on   TEXT NOT NULL,         -- 項目: 利用申込日; 個人 — 利用申込日 (ISO)
  starts_on    TEXT,                  -- 項目: 利用開始日; 個人 — 利用開始日 (the ward's decision)
  ends_on      TEXT,                  -- 項目: 利用終了日; 個人 — 利用終了日 (the last child turns 3)
  decided_on   TEXT, -- 項目: 決定日; 個人
  decided_by   INTEGER REFERENCES users(id), -- 項目: 決定した職員の番号; 一般
  created_ms   INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms   INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX hh_households_state ON hh_households(state);

-- The steps of a registration's path (grant/path.h).
CREATE TABLE hh_steps ( -- 表: 申込の経過; homehelp; 本人: 利用世帯の保護者と児童
  id             INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  application_id INTEGER NOT NULL REFERENCES hh_households(id), -- 項目: 世帯の番号; 一般
  from_state     TEXT NOT NULL, -- 項目: 前の状態; 一般
  to_state       TEXT NOT NULL, -- 項目: 後の状態; 一般
  user_id        INTEGER REFERENCES users(id), -- 項目: 職員の番号; 一般
  note           BLOB,                -- 項目: 経過のメモ; 個人; 暗号化 — sealed "hh_steps.note"
  at_ms          INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX hh_steps_household ON hh_steps(application_id);

-- 利用者番号 per fiscal year.
CREATE TABLE hh_numbers ( -- 表: 利用者番号の採番; homehelp
  fiscal_year INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  last        INTEGER NOT NULL -- 項目: 最後に付けた番号; 一般
);

-- A supporter (家事・育児支援サポーター), registered by the contractor. data: sealed JSON of 氏名,
-- 住所, 連絡先, メールアドレス, 生年月日, ヘルパー資格有無, 職業経歴; bank: sealed 銀行口座情報.
CREATE TABLE hh_supporters ( -- 表: 支援者; homehelp; 本人: 支援者（受託事業者の従業者）
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  code        TEXT NOT NULL UNIQUE,   -- 項目: 支援者番号; 一般 — the contractor's number for the supporter (S0001)
  data        BLOB NOT NULL,          -- 項目: 支援者の氏名・連絡先; 個人; 暗号化 — sealed "hh_supporters.data"
  bank        BLOB NOT NULL,          -- 項目: 支援者の口座; 個人; 暗号化 — sealed "hh_supporters.bank"
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)), -- 項目: 有効; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms  INTEGER NOT NULL -- 項目: 更新日時; 一般
);

-- A visit (支援): asked for (利用申込), dispatched to a supporter, then done with its record, or
-- cancelled. kinds: the support given, comma-joined from meal, cleaning, laundry, childcare,
-- hospital, other (食事提供, 清掃, 洗濯, 子どもの世話の介助, 通院介助, その他必要な用務); never
-- babysitting. minutes, free_min (of the 14 free hours of a 0-year-old without childcare) and
-- fee_yen are set when it is done; paid: the household paid its fee (利用料金の支払いの有無).
-- record: sealed JSON of 支援時の保護者や児童の様子 and 支援時に気になったこと; follow_up: the
-- contractor flags it for the public health nurse (保健師・児童相談所への情報提供).
CREATE TABLE hh_visits ( -- 表: 支援の記録; homehelp; 本人: 利用世帯の保護者と児童
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  household_id INTEGER NOT NULL REFERENCES hh_households(id), -- 項目: 世帯の番号; 一般
  supporter_id INTEGER REFERENCES hh_supporters(id), -- 項目: 支援者の番号; 一般
  state        TEXT NOT NULL CHECK (state IN ('requested','dispatched','done','cancelled')), -- 項目: 状態; 一般
  on_date      TEXT NOT NULL,         -- 項目: 支援日; 個人 — ISO
  start_min    INTEGER NOT NULL,      -- 項目: 開始時刻; 個人 — minutes of the day
  end_min      INTEGER NOT NULL, -- 項目: 終了時刻; 個人
  kinds        TEXT NOT NULL, -- 項目: 支援の内容; 個人
  minutes      INTEGER NOT NULL DEFAULT 0, -- 項目: 時間（分）; 個人
  free_min     INTEGER NOT NULL DEFAULT 0, -- 項目: 無料の時間（分）; 個人
  fee_yen      INTEGER NOT NULL DEFAULT 0, -- 項目: 利用料; 個人
  paid         INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)), -- 項目: 支払済み; 個人
  record       BLOB,                  -- 項目: 支援の記録（世帯の様子）; 要配慮; 暗号化 — sealed "hh_visits.record"
  follow_up    INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1)), -- 項目: 区への引き継ぎ; 要配慮
  follow_seen  INTEGER REFERENCES users(id), -- 項目: 引き継ぎを受けた職員の番号; 一般 — the ward's staff who took the follow-up
  requested_ms INTEGER NOT NULL, -- 項目: 依頼日時; 一般
  updated_ms   INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX hh_visits_household ON hh_visits(household_id, on_date);
CREATE INDEX hh_visits_day ON hh_visits(on_date);
CREATE INDEX hh_visits_follow ON hh_visits(follow_up, follow_seen);
