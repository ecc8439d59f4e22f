-- 0029_youth.sql — youth support casework (ユースサポート, seed 001 Edogawa; issue 17 §2), a
-- service of its own (src/youth/) on the platform's casework layer (src/casework/): its own
-- tables (yo_*) and data key (data_key:youth). 要配慮個人情報: only a case's assigned workers of
-- the case's plaza and the ward's supervisor open a case; every opening is recorded here and in
-- the audit log.
--
-- The seed's items for registered youth, nothing more: 家庭状況, 心身の状況, 成育歴, 通学・学業状況,
-- 生活状況, 支援内容, 施設利用 (sealed "yo_cases.profile"), the youth's 氏名, ふりがな, 生年月日,
-- 学校名, 学年 and the plaza's registration number (sealed "yo_cases.person"); assessments, the
-- individual support plan (個別支援計画) with goals and review dates, the case notes of each
-- session, and a referral flag for the ward. Plaza codes, dates, states and counts stay plain.
-- 流れ: youth; 相談者 → ユースサポートの職員; 相談の内容・生活の状況; 面談・電話
-- 流れ: youth; ユースサポートの職員 → 係長（区）; 引き継ぎの内容; このシステムの上で

-- A worker's plaza (youth_worker accounts): hirai, chuo, minamikoiwa, kasai, minamishinozaki.
CREATE TABLE yo_workers ( -- 表: ユースサポートの職員; youth; 本人: 職員
  user_id    INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 職員の番号; 一般
  unit       TEXT NOT NULL, -- 項目: 係; 一般
  set_by     INTEGER REFERENCES users(id), -- 項目: 設定した職員の番号; 一般
  set_ms     INTEGER NOT NULL -- 項目: 設定日時; 一般
);

-- A case (ケース). unit: the plaza whose workers may be assigned.
CREATE TABLE yo_cases ( -- 表: ユースサポートのケース; youth; 本人: 相談者（若者）
  id            INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  number        TEXT NOT NULL UNIQUE,  -- 項目: ケース番号; 一般 — Y2026-0001: fiscal year and a sequence
  unit          TEXT NOT NULL, -- 項目: 係; 一般
  state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','closed')), -- 項目: 状態; 一般
  person        BLOB NOT NULL,         -- 項目: 相談者の氏名・連絡先; 個人; 暗号化 — sealed "yo_cases.person"
  profile       BLOB NOT NULL,         -- 項目: 相談者の状況（生活・健康・家庭）; 要配慮; 暗号化 — sealed "yo_cases.profile"
  referral      INTEGER NOT NULL DEFAULT 0 CHECK (referral IN (0, 1)), -- 項目: 引き継ぎの有無; 要配慮
  referral_note BLOB,                  -- 項目: 引き継ぎの内容; 要配慮; 暗号化 — sealed "yo_cases.referral_note"
  referral_ms   INTEGER, -- 項目: 引き継ぎ日時; 一般
  referral_seen INTEGER REFERENCES users(id), -- 項目: 引き継ぎを受けた職員の番号; 一般 — the supervisor who took the referral
  created_by    INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms    INTEGER NOT NULL, -- 項目: 作成日時; 一般
  updated_ms    INTEGER NOT NULL -- 項目: 更新日時; 一般
);
CREATE INDEX yo_cases_unit ON yo_cases(unit, state);

-- The case's assigned workers (担当).
CREATE TABLE yo_assignments ( -- 表: ケースの担当; youth
  case_id     INTEGER NOT NULL REFERENCES yo_cases(id), -- 項目: ケースの番号; 一般
  user_id     INTEGER NOT NULL REFERENCES users(id), -- 項目: 担当職員の番号; 一般
  assigned_by INTEGER REFERENCES users(id), -- 項目: 割り当てた職員の番号; 一般
  at_ms       INTEGER NOT NULL, -- 項目: 日時; 一般
  PRIMARY KEY (case_id, user_id)
);
CREATE INDEX yo_assignments_user ON yo_assignments(user_id);

-- Every opening of a case: by whom, on which day (Asia/Tokyo), the reason asked at the first
-- open of the day (none for later opens that day), break-glass opens (an emergency open by a
-- worker who is not assigned) and who reviewed them.
CREATE TABLE yo_opens ( -- 表: ケースを開いた記録; youth
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id     INTEGER NOT NULL REFERENCES yo_cases(id), -- 項目: ケースの番号; 一般
  user_id     INTEGER NOT NULL REFERENCES users(id), -- 項目: 職員の番号; 一般
  day         TEXT NOT NULL, -- 項目: 日付; 一般
  reason      TEXT NOT NULL DEFAULT '', -- 項目: 開いた理由; 一般
  break_glass INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)), -- 項目: 緊急の閲覧; 一般
  reviewed_by INTEGER REFERENCES users(id), -- 項目: 確認した職員の番号; 一般
  review_note TEXT, -- 項目: 確認のメモ; 一般
  reviewed_ms INTEGER, -- 項目: 確認日時; 一般
  at_ms       INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX yo_opens_user_day ON yo_opens(user_id, case_id, day);
CREATE INDEX yo_opens_glass ON yo_opens(break_glass, reviewed_by);

-- Case notes (ケース記録): kind is the session's (学習サポート面談, 家庭訪問, 電話, 関係機関連絡,
-- その他). Each edit is a new version; versions are never changed nor deleted.
CREATE TABLE yo_notes ( -- 表: 支援記録; youth; 本人: 相談者（若者）
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id    INTEGER NOT NULL REFERENCES yo_cases(id), -- 項目: ケースの番号; 一般
  kind       TEXT NOT NULL, -- 項目: 記録の種類; 要配慮
  on_date    TEXT NOT NULL, -- 項目: 日付; 要配慮
  created_by INTEGER REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms INTEGER NOT NULL -- 項目: 作成日時; 一般
);
CREATE INDEX yo_notes_case ON yo_notes(case_id, on_date);
CREATE TABLE yo_note_versions ( -- 表: 支援記録の版; youth; 本人: 相談者（若者）
  id       INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  note_id  INTEGER NOT NULL REFERENCES yo_notes(id), -- 項目: 記録の番号; 一般
  version  INTEGER NOT NULL, -- 項目: 版; 一般
  body     BLOB NOT NULL,              -- 項目: 支援記録の本文; 要配慮; 暗号化 — sealed "yo_note_versions.body"
  user_id  INTEGER REFERENCES users(id), -- 項目: 書いた職員の番号; 一般
  at_ms    INTEGER NOT NULL, -- 項目: 日時; 一般
  UNIQUE (note_id, version)
);

-- Assessments (アセスメント): sealed JSON of the view of each area and the needs.
CREATE TABLE yo_assessments ( -- 表: アセスメント; youth; 本人: 相談者（若者）
  id       INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id  INTEGER NOT NULL REFERENCES yo_cases(id), -- 項目: ケースの番号; 一般
  on_date  TEXT NOT NULL, -- 項目: 日付; 要配慮
  body     BLOB NOT NULL,              -- 項目: アセスメントの内容; 要配慮; 暗号化 — sealed "yo_assessments.body"
  user_id  INTEGER REFERENCES users(id), -- 項目: 書いた職員の番号; 一般
  at_ms    INTEGER NOT NULL -- 項目: 日時; 一般
);
CREATE INDEX yo_assessments_case ON yo_assessments(case_id, on_date);

-- The individual support plan (個別支援計画): each change a new version; goals sealed (JSON of
-- goal and its review date), the plan's next review date plain.
CREATE TABLE yo_plans ( -- 表: 支援計画; youth; 本人: 相談者（若者）
  id        INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  case_id   INTEGER NOT NULL REFERENCES yo_cases(id), -- 項目: ケースの番号; 一般
  version   INTEGER NOT NULL, -- 項目: 版; 一般
  goals     BLOB NOT NULL,             -- 項目: 支援の目標; 要配慮; 暗号化 — sealed "yo_plans.goals"
  review_on TEXT NOT NULL, -- 項目: 見直しの日; 要配慮
  user_id   INTEGER REFERENCES users(id), -- 項目: 書いた職員の番号; 一般
  at_ms     INTEGER NOT NULL, -- 項目: 日時; 一般
  UNIQUE (case_id, version)
);

-- Case numbers per fiscal year.
CREATE TABLE yo_numbers ( -- 表: ケース番号の採番; youth
  fiscal_year INTEGER PRIMARY KEY, -- 項目: 年度; 一般
  last        INTEGER NOT NULL -- 項目: 最後に付けた番号; 一般
);

-- No silent edits: note versions and plans are append-only.
-- [sqlite]
CREATE TRIGGER yo_note_versions_no_update BEFORE UPDATE ON yo_note_versions BEGIN
  SELECT RAISE(ABORT, 'case note versions are append-only');
END;
CREATE TRIGGER yo_note_versions_no_delete BEFORE DELETE ON yo_note_versions BEGIN
  SELECT RAISE(ABORT, 'case note versions are append-only');
END;
CREATE TRIGGER yo_plans_no_update BEFORE UPDATE ON yo_plans BEGIN
  SELECT RAISE(ABORT, 'support plans are append-only');
END;
-- [postgresql]
CREATE TRIGGER yo_note_versions_no_update BEFORE UPDATE ON yo_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('case note versions are append-only');
CREATE TRIGGER yo_note_versions_no_delete BEFORE DELETE ON yo_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only('case note versions are append-only');
CREATE TRIGGER yo_plans_no_update BEFORE UPDATE ON yo_plans
  FOR EACH ROW EXECUTE FUNCTION append_only('support plans are append-only');
-- [both]
