-- 0013_plan_changes.sql — what staff are told about guardians' changes (issue 11): every change
-- of a day's plan (a day set, or back to the weekly pattern; a weekly change that moves a day
-- not yet locked), with who made it and when, for the board and the plan list (出欠予定表);
-- and the time an alert is about, so it says the planned time and moves with the settings.

-- One row per change of a child's plan for a day. status is the day's plan after the change:
-- attend, off, absent, or weekly (the day follows the weekly pattern again).
CREATE TABLE plan_changes ( -- 表: 予定の変更の記録; attendance; 本人: 登録児童
  id       INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  child_id INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  day      TEXT NOT NULL,              -- 項目: 予定の日付; 一般 — YYYY-MM-DD, Japan time: the day whose plan changed
  at_ms    INTEGER NOT NULL,           -- 項目: 変更した日時; 一般 — when the change was made
  actor    TEXT NOT NULL,              -- 項目: 変更した人; 一般 — who made it ("guardian:12"); names are looked up
  status   TEXT NOT NULL CHECK (status IN ('attend','off','absent','weekly')) -- 項目: 変更後の出欠; 個人
);
CREATE INDEX plan_changes_child_day ON plan_changes(child_id, day);

-- The time an alert is about: the site's arrival + grace for not_arrived, its closing time for
-- still_present (NULL for alerts raised before this column; set when next checked).
ALTER TABLE alerts ADD COLUMN due_ms INTEGER; -- 項目: 通知の予定日時; 一般
