-- 0011_admin.sql — the ward administrator's screens (issue 11): a user whose password was set
-- by an administrator (a new account, a reset) must choose a new one at the next sign-in; kiosks
-- carry a label the administrator gives them (e.g. 入口のタブレット) to tell them apart.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0; -- 項目: パスワード変更の要否; 一般
ALTER TABLE kiosks ADD COLUMN label TEXT NOT NULL DEFAULT ''; -- 項目: 端末の名前; 一般
