-- 0042_youth_case_end.sql — the end of a youth support case (相談の終了): the supervisor closes a
-- case on a day and may open it again; nothing is written to a closed case. Retention counts
-- from that day: [retention] youth_cases_days (5 years by default) after it, the case goes with
-- every row of it (src/youth/service.c), its append-only note versions too (0041's marks).
ALTER TABLE yo_cases ADD COLUMN closed_on TEXT; -- 項目: 相談の終了日; 一般
CREATE INDEX yo_cases_closed ON yo_cases(state, closed_on);
