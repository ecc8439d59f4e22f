-- 0009_device_cookies.sql — device cookies (OWASP "Slow down online guessing attacks with
-- device cookies"): a client that signed in to an account before holds a random token bound
-- to that account, stored here only as its hash. Its failed attempts are counted on its own
-- row, so a correct password from it signs in even while the account is locked for everyone
-- else, and an attacker who locks the account does not lock its owner out.
CREATE TABLE device_cookies ( -- 表: 職員の端末の印; platform; 本人: 職員
  token_hash      BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  user_id         INTEGER NOT NULL REFERENCES users(id), -- 項目: 職員の番号; 一般
  created_ms      INTEGER NOT NULL, -- 項目: 作成日時; 一般
  last_used_ms    INTEGER NOT NULL, -- 項目: 最後の利用日時; 一般
  failed_count    INTEGER NOT NULL DEFAULT 0, -- 項目: 続けて失敗した回数; 一般
  last_failed_ms  INTEGER NOT NULL DEFAULT 0, -- 項目: 最後に失敗した日時; 一般
  locked_until_ms INTEGER NOT NULL DEFAULT 0 -- 項目: ロックの期限; 一般
);
CREATE INDEX device_cookies_user ON device_cookies(user_id, last_used_ms);
