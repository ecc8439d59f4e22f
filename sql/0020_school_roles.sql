-- 0020_school_roles.sql — the platform's part of the schools' mass mail (issue 13, seed 003):
-- two more roles, the age of a password (changed each school term for those roles), and devices
-- the ward approved for a role that may work only from them (senders: principals at home).
--
-- The roles: users.role's CHECK gains 'school_admin' and 'sender'. SQLite cannot alter a CHECK,
-- and rebuilding users would break the foreign keys of every table that names it (the migration
-- runs with foreign_keys=ON, inside a transaction, where that pragma cannot be turned off). So
-- the CHECK's text is edited in sqlite_schema (SQLite's documented way for changes that do not
-- touch stored rows: existing roles stay valid), the schema reloaded on this connection
-- (writable_schema=RESET), and the CREATE TABLE below changes the schema cookie, so every other
-- connection reloads it too.
-- PostgreSQL alters the CHECK (named users_role_check by default) in place.
-- [sqlite]
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''contractor'',''site_staff'')',
                     '''contractor'',''site_staff'',''school_admin'',''sender'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- [postgresql]
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff','school_admin','sender'));
-- [both]

-- When the password was last set by its owner (0: never since creation; created_ms counts).
ALTER TABLE users ADD COLUMN password_changed_ms INTEGER NOT NULL DEFAULT 0; -- 項目: パスワードを変更した日時; 一般

-- Devices approved by the ward (src/auth/approved_device.c): a device asks to be enrolled for
-- an account (its owner's login and password), gets a random credential kept in an HttpOnly
-- cookie (only its hash is stored here) and a six-digit code it shows; the ward checks the code
-- with the person (by phone) and approves. An account whose role needs an approved device signs
-- in only from one, and each of its requests is checked again (a revocation applies at once).
CREATE TABLE approved_devices ( -- 表: 職員の承認済み端末; platform; 本人: 職員
  id           INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  user_id      INTEGER NOT NULL REFERENCES users(id), -- 項目: 職員の番号; 一般
  token_hash   BLOB NOT NULL UNIQUE, -- 項目: 鍵のハッシュ値; 一般
  label        BLOB NOT NULL,          -- 項目: 端末の名前; 個人; 暗号化 — sealed: what the person calls it (自宅のパソコン, スマートフォン)
  code         TEXT NOT NULL,          -- 項目: 確認コード; 一般 — six digits shown to the person and to the ward
  agent        TEXT NOT NULL DEFAULT '', -- 項目: ブラウザの種類; 一般 — the browser's User-Agent when it asked (200 bytes)
  requested_ms INTEGER NOT NULL, -- 項目: 申請日時; 一般
  approved_ms  INTEGER, -- 項目: 承認日時; 一般
  approved_by  INTEGER REFERENCES users(id), -- 項目: 承認した職員の番号; 一般
  revoked_ms   INTEGER, -- 項目: 失効日時; 一般
  revoked_by   INTEGER REFERENCES users(id), -- 項目: 失効させた職員の番号; 一般
  last_used_ms INTEGER NOT NULL DEFAULT 0 -- 項目: 最後の利用日時; 一般
);
CREATE INDEX approved_devices_user ON approved_devices(user_id);
