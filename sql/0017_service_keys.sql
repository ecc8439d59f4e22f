-- 0017_service_keys.sql — one data key per service (issue 13). Each service is its own
-- personal-information file: its fields and blind indexes are sealed under its own key, wrapped
-- by the master key as meta 'data_key:<service>'; the platform has 'data_key:platform'.
-- The directory's one data key so far sealed only the entry/exit service's data (and the mail
-- it queued), so it becomes attendance's key. The key itself is re-wrapped under its name, and
-- the platform's key made, by the program when it next opens the directory (keyring.c): SQL
-- cannot reach the master key.
UPDATE meta SET key = 'data_key:attendance' WHERE key = 'wrapped_data_key';

-- Mail is sealed under the key of the service that queued it, so that erasing a service
-- erases its mail too. Every row so far was sealed under the old key: attendance's now.
ALTER TABLE outbox ADD COLUMN service TEXT NOT NULL DEFAULT 'attendance'; -- 項目: サービス名; 一般

-- The handover ledger is the platform's; each row says whose export it was.
ALTER TABLE ledger ADD COLUMN service TEXT NOT NULL DEFAULT 'attendance'; -- 項目: サービス名; 一般
