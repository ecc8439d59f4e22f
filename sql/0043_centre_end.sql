-- 0043_centre_end.sql — the end of a child's use of the development-support centre (利用の終了):
-- the manager ends an application or a contract on a day (the contract's last day becomes that
-- day when it was later); a new contract makes it current again. Retention counts from that day:
-- [retention] centre_children_days (5 years by default, the guide's 契約終了から5年) after it, the
-- child goes with every row of them (src/centre/service.c), the append-only record versions too
-- (0041's marks).
ALTER TABLE ce_cases ADD COLUMN ended_on TEXT; -- 項目: 利用の終了日; 要配慮
CREATE INDEX ce_cases_ended ON ce_cases(state, ended_on);
