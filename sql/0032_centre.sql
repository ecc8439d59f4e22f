-- 0032_centre.sql — the child development support centre (児童発達支援センター, seed 001
-- Edogawa; issue 17 §3), a service of its own (src/centre/) on the platform's casework layer
-- (src/casework/): its own tables (ce_*) and data key (data_key:centre). 要配慮個人情報: only a
-- child's assigned staff and the centre's manager open a child's file; a parent reaches only
-- their own child's thread and statements; every opening is recorded here and in the audit log.
--
-- Sealed: the child (氏名, ふりがな, 生年月日; "ce_cases.person"), the contract's contacts and
-- bus stop ("ce_cases.contract"), assessments, plans, daily records, messages and the parents'
-- mail addresses. Dates, states, counts, fees and caps stay plain (the fee math runs on them).
-- 流れ: centre; 保護者 → 児童発達支援センター; 児童の状況・受給者証の内容・連絡先; 申込と契約（窓口）
-- 流れ: centre; 児童発達支援センターの職員 → 保護者; 連絡と利用料の明細; 保護者のページ
-- 流れ: centre; 児童発達支援センター → 区; 利用の実績; 報告

-- A staff member's unit (centre_staff accounts): the centre ("centre").
CREATE TABLE ce_workers ( -- 表: 発達支援センターの職員; centre; 本人: 職員
  user_id    INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  unit       TEXT NOT NULL, -- 項目: 係; 一般
  set_by     INTEGER REFERENCES users(id), -- 項目: 設定した職員の番号; 一般
  set_ms     INTEGER NOT NULL -- 項目: 設定日時; 一般
);

-- A child (利用児童): applied (利用申請), contracted (契約) or ended. The contract: its period,
-- the days per month granted (支給量), the contracted weekdays (a bit per weekday, Sunday 1),
-- the bus route when the child rides, the unit fee per day and the household's monthly cap
-- (上限月額: 0, 4,600 or 37,200 yen).
CREATE TABLE ce_cases ( -- 表: 通所児童; centre; 本人: 通所児童（障害のある児童）・通所児童の保護者
  id             INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  number         TEXT NOT NULL UNIQUE,  -- 項目: ケース番号; 一般 — C2026-0001: fiscal year and a sequence
  unit           TEXT NOT NULL, -- 項目: 係; 一般
  state          TEXT NOT NULL DEFAULT 'applied' -- 項目: 状態; 要配慮
                 CHECK (state IN ('applied','contracted','ended')),
  person         BLOB NOT NULL,         -- 項目: 児童の氏名・生年月日・保護者; 要配慮; 暗号化 — sealed "ce_cases.person"
  contract       BLOB NOT NULL,         -- 項目: 契約の内容（連絡先・送迎）; 要配慮; 暗号化 — sealed "ce_cases.contract": contacts, the bus stop
  applied_on     TEXT NOT NULL, -- 項目: 申込日; 要配慮
  contract_from  TEXT, -- 項目: 契約の開始日; 要配慮
  contract_to    TEXT, -- 項目: 契約の終了日; 要配慮
  days_granted   INTEGER NOT NULL DEFAULT 0, -- 項目: 支給量（日数）; 要配慮
  weekdays       INTEGER NOT NULL DEFAULT 0, -- 項目: 通所の曜日; 要配慮
  route          TEXT, -- 項目: 送迎のルート; 要配慮
  unit_fee       INTEGER NOT NULL DEFAULT 0, -- 項目: 利用料の単価; 要配慮
  fee_cap        INTEGER NOT NULL DEFAULT 0, -- 項目: 負担上限月額; 要配慮
  created_by     INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms     INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms     INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX ce_cases_state ON ce_cases(state);

-- The child's assigned staff (担当).
CREATE TABLE ce_assignments ( -- 表: ケースの担当; centre
  case_id     INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  user_id     INTEGER NOT NULL REFERENCES users(id), -- 項目: 担当職員の番号; 一般
  assigned_by INTEGER REFERENCES users(id), -- 項目: 割り当てた職員の番号; 一般
  at_ms       INTEGER NOT NULL, -- 項目: 日時; 一般
  PRIMARY KEY (case_id, user_id)
);
CREATE INDEX ce_assignments_user ON ce_assignments(user_id);

-- Every opening of a child's file (casework): the reason of the day, break-glass and reviews.
CREATE TABLE ce_opens ( -- 表: ケースを開いた記録; centre
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id     INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  user_id     INTEGER NOT NULL REFERENCES users(id), -- 項目: 職員の番号; 一般
  day         TEXT NOT NULL, -- 項目: 日付; 一般
  reason      TEXT NOT NULL DEFAULT '', -- 項目: 開いた理由; 一般
  break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)), -- 項目: 緊急の閲覧; 一般
  reviewed_by INTEGER REFERENCES users(id), -- 項目: 確認した職員の番号; 一般
  review_note TEXT, -- 項目: 確認のメモ; 一般
  reviewed_ms INTEGER, -- 項目: 確認日時; 一般
  at_ms       INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX ce_opens_user_day ON ce_opens(user_id, case_id, day);
CREATE INDEX ce_opens_glass ON ce_opens(break_glass, reviewed_by);

-- Daily support records (日々の支援記録): versioned, none changed.
CREATE TABLE ce_notes ( -- 表: 支援記録; centre; 本人: 通所児童（障害のある児童）
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id    INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  kind       TEXT NOT NULL, -- 項目: 記録の種類; 要配慮
  on_date    TEXT NOT NULL, -- 項目: 日付; 要配慮
  created_by INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms INTEGER NOT NULL -- 項目: 作成日時; 一般
);
CREATE INDEX ce_notes_case ON ce_notes(case_id, on_date);
CREATE TABLE ce_note_versions ( -- 表: 支援記録の版; centre; 本人: 通所児童（障害のある児童）
  id       INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  note_id  INTEGER NOT NULL REFERENCES ce_notes(id), -- 項目: 記録の番号; 一般
  version  INTEGER NOT NULL, -- 項目: 版; 一般
  body     BLOB NOT NULL,              -- 項目: 支援記録の本文; 要配慮; 暗号化 — sealed "ce_note_versions.body"
  user_id  INTEGER REFERENCES users(id), -- 項目: 書いた職員の番号; 一般
  at_ms    INTEGER NOT NULL, -- 項目: 日時; 一般
  UNIQUE (note_id, version)
);

-- Development assessments (発達評価), dated.
CREATE TABLE ce_assessments ( -- 表: アセスメント; centre; 本人: 通所児童（障害のある児童）
  id       INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id  INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  on_date  TEXT NOT NULL, -- 項目: 日付; 要配慮
  body     BLOB NOT NULL,              -- 項目: アセスメントの内容; 要配慮; 暗号化 — sealed "ce_assessments.body"
  user_id  INTEGER REFERENCES users(id), -- 項目: 書いた職員の番号; 一般
  at_ms    INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX ce_assessments_case ON ce_assessments(case_id, on_date);

-- Individual support plans (個別支援計画): each a new version; the next review six months after
-- the plan's date (review_on, plain: the manager's list of reviews due).
CREATE TABLE ce_plans ( -- 表: 個別支援計画; centre; 本人: 通所児童（障害のある児童）
  id        INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id   INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  version   INTEGER NOT NULL, -- 項目: 版; 一般
  on_date   TEXT NOT NULL, -- 項目: 作成日; 要配慮
  review_on TEXT NOT NULL, -- 項目: 見直しの日; 要配慮
  body      BLOB NOT NULL,             -- 項目: 個別支援計画の内容; 要配慮; 暗号化 — sealed "ce_plans.body"
  user_id   INTEGER REFERENCES users(id), -- 項目: 書いた職員の番号; 一般
  at_ms     INTEGER NOT NULL, -- 項目: 日時; 一般
  UNIQUE (case_id, version)
);

-- Attendance (出欠) of a child on a day, and whether the child rode the bus.
CREATE TABLE ce_attendance ( -- 表: 通所の記録; centre; 本人: 通所児童（障害のある児童）
  case_id  INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  day      TEXT NOT NULL, -- 項目: 日付; 要配慮
  state    TEXT NOT NULL CHECK (state IN ('present','absent')), -- 項目: 出欠; 要配慮
  bus      INTEGER NOT NULL DEFAULT 0 CHECK (bus IN (0, 1)), -- 項目: 送迎の利用; 要配慮
  user_id  INTEGER REFERENCES users(id), -- 項目: 記録した職員の番号; 一般
  at_ms    INTEGER NOT NULL, -- 項目: 日時; 一般
  PRIMARY KEY (case_id, day)
);
CREATE INDEX ce_attendance_day ON ce_attendance(day);

-- The bus routes (送迎ルート): code, name, the pick-up and drop-off times.
CREATE TABLE ce_routes ( -- 表: 送迎のルート; centre
  code     TEXT PRIMARY KEY, -- 項目: ルートのコード; 一般
  label    TEXT NOT NULL, -- 項目: ルートの名前; 一般
  pickup   TEXT NOT NULL, -- 項目: 迎えの場所; 一般
  dropoff  TEXT NOT NULL -- 項目: 送りの場所; 一般
);

-- Monthly usage-fee statements (利用料請求): the days attended × the unit fee, capped by the
-- household's monthly cap; the PDF is made from these figures when read.
CREATE TABLE ce_statements ( -- 表: 利用料の明細; centre; 本人: 通所児童の保護者
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id    INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  month      TEXT NOT NULL, -- 項目: 月; 要配慮
  days       INTEGER NOT NULL, -- 項目: 日数; 要配慮
  unit_fee   INTEGER NOT NULL, -- 項目: 単価; 要配慮
  fee_cap    INTEGER NOT NULL, -- 項目: 負担上限月額; 要配慮
  amount     INTEGER NOT NULL, -- 項目: 請求額; 要配慮
  created_by INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  UNIQUE (case_id, month)
);

-- A parent's account (centre_parent) linked to a child, with the address sealed for the
-- notices of a new message (which carry no content).
CREATE TABLE ce_parents ( -- 表: 保護者のアカウント; centre; 本人: 通所児童の保護者
  user_id    INTEGER NOT NULL REFERENCES users(id), -- 項目: 保護者のアカウントの番号; 一般
  case_id    INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  email      BLOB NOT NULL,            -- 項目: メールアドレス; 個人; 暗号化 — sealed "ce_parents.email"
  created_by INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  PRIMARY KEY (user_id, case_id)
);
CREATE INDEX ce_parents_case ON ce_parents(case_id);

-- A parent's one-time link to set their password (mailed to the parent's address; only its
-- hash kept; used once, or expired).
CREATE TABLE ce_parent_tokens ( -- 表: 保護者のログイン用リンク; centre
  token_hash BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  user_id    INTEGER NOT NULL REFERENCES users(id), -- 項目: 保護者のアカウントの番号; 一般
  expires_ms INTEGER NOT NULL, -- 項目: 有効期限; 一般
  used_ms    INTEGER -- 項目: 使用日時; 一般
);

-- The contact channel (連絡): a thread per child between the centre and the child's parents.
CREATE TABLE ce_messages ( -- 表: 保護者との連絡; centre; 本人: 通所児童（障害のある児童）・通所児童の保護者
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id     INTEGER NOT NULL REFERENCES ce_cases(id), -- 項目: ケースの番号; 一般
  user_id     INTEGER REFERENCES users(id), -- 項目: 書いた人のアカウントの番号; 一般
  from_parent INTEGER NOT NULL DEFAULT 0 CHECK (from_parent IN (0, 1)), -- 項目: 保護者から; 個人
  body        BLOB NOT NULL,           -- 項目: 連絡の内容; 要配慮; 暗号化 — sealed "ce_messages.body"
  at_ms       INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX ce_messages_case ON ce_messages(case_id, at_ms);

-- Child numbers per fiscal year.
CREATE TABLE ce_numbers ( -- 表: ケース番号の採番; centre
  fiscal_year INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  last        INTEGER NOT NULL -- 項目: 最後に付けた番号; 一般
);

-- No silent edits: record versions, plans and messages are append-only.
-- [sqlite]
CREATE TRIGGER ce_note_versions_no_update BEFORE UPDATE ON ce_note_versions BEGIN
  SELECT RAISE(ABORT, 'daily record versions are append-only');
END;
CREATE TRIGGER ce_note_versions_no_delete BEFORE DELETE ON ce_note_versions BEGIN
  SELECT RAISE(ABORT, 'daily record versions are append-only');
END;
CREATE TRIGGER ce_plans_no_update BEFORE UPDATE ON ce_plans BEGIN
  SELECT RAISE(ABORT, 'support plans are append-only');
END;
CREATE TRIGGER ce_messages_no_update BEFORE UPDATE ON ce_messages BEGIN
  SELECT RAISE(ABORT, 'messages are append-only');
END;
-- [postgresql]
CREATE TRIGGER ce_note_versions_no_update BEFORE UPDATE ON ce_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('daily record versions are append-only');
CREATE TRIGGER ce_note_versions_no_delete BEFORE DELETE ON ce_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('daily record versions are append-only');
CREATE TRIGGER ce_plans_no_update BEFORE UPDATE ON ce_plans
  FOR EACH ROW EXECUTE FUNCTION append_only('support plans are append-only');
CREATE TRIGGER ce_messages_no_update BEFORE UPDATE ON ce_messages
  FOR EACH ROW EXECUTE FUNCTION append_only('messages are append-only');
-- [both]
