-- 0035_day_first.sql — a club day's work bounded by that day's rows, not by the ward's history
-- (issue 18, "cost that does not grow with history"). What a day reads and writes most — the
-- child's last scan today (every scan), whether a child came in or is still here (the alert
-- check, every minute, for every child of every site), the board — looks rows up by (child,
-- day). Indexed child first, a day's entries sit one per child all over an index that grows
-- with every day of the year: on a ward aged 200 club days each of the 4,100 look-ups of an
-- alert check was a page of its own, read again every minute (the connection's cache holds
-- 500 pages), and every scan dirtied a page of its own. Day first, a day's entries sit together
-- at the end of the index: the day works on a few dozen pages whatever the history.
-- Look-ups of one child over a range of days (the month plan, the monthly report) probe the
-- days one by one or go by site (src/attendance/plan.c, report_monthly.c).
CREATE INDEX scans_day_child ON scans(day, child_id, at_ms);
DROP INDEX scans_child_day;

-- Alerts: one per day, child and kind, now unique day first, for the same reason (the check
-- asks, for every child of a site, whether today's alert of a kind is already raised).
-- [sqlite]
CREATE TABLE alerts_new ( -- 表: 未着・未帰宅の通知; attendance; 本人: 登録児童
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  site_id    INTEGER NOT NULL REFERENCES sites(id), -- 項目: 施設の番号; 一般
  child_id   INTEGER NOT NULL REFERENCES children(id), -- 項目: 児童の番号; 一般
  day        TEXT NOT NULL, -- 項目: 日付; 一般
  kind       TEXT NOT NULL CHECK (kind IN ('not_arrived','still_present')), -- 項目: 種類（未着など）; 個人
  raised_ms  INTEGER NOT NULL, -- 項目: 発生日時; 一般
  cleared_ms INTEGER, -- 項目: 解消日時; 一般
  due_ms     INTEGER, -- 項目: 通知の予定日時; 一般
  UNIQUE (day, child_id, kind)
);
INSERT INTO alerts_new (id, site_id, child_id, day, kind, raised_ms, cleared_ms, due_ms)
  SELECT id, site_id, child_id, day, kind, raised_ms, cleared_ms, due_ms FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_site_day ON alerts(site_id, day);
-- Dropping the old table dropped its triggers: the board's change counter (0034) again.
CREATE TRIGGER board_alerts_ins AFTER INSERT ON alerts BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = NEW.site_id;
END;
CREATE TRIGGER board_alerts_upd AFTER UPDATE ON alerts BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id IN (OLD.site_id, NEW.site_id);
END;
CREATE TRIGGER board_alerts_del AFTER DELETE ON alerts BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = OLD.site_id;
END;
-- [postgresql]
ALTER TABLE alerts DROP CONSTRAINT alerts_child_id_day_kind_key;
ALTER TABLE alerts ADD CONSTRAINT alerts_day_child_kind_key UNIQUE (day, child_id, kind);
-- [both]
