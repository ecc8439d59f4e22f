-- 0044_user_retire.sql — retiring an account (アカウントの廃止): the ward administrator retires
-- the account of someone who no longer works with the system. The row stays (the audit log and
-- the services' records name the account by its number), but its login name becomes
-- "retired:<id>" (a name no one can sign in with or choose), its password can never match, it
-- is locked, and its sessions, devices, second factor and assignments go. The council's
-- paperwork keeps the platform's accounts "アカウントの廃止まで": this is that moment.
ALTER TABLE users ADD COLUMN retired_ms INTEGER NOT NULL DEFAULT 0; -- 項目: 廃止した日時; 一般
