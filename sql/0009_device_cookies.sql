-- 0009_device_cookies.sql — device cookies (OWASP "Slow down online guessing attacks with
-- device cookies"): a client that signed in to an account before holds a random token bound
-- to that account, stored here only as its hash. Its failed attempts are counted on its own
-- row, so a correct password from it signs in even while the account is locked for everyone
-- else, and an attacker who locks the account does not lock its owner out.
CREATE TABLE device_cookies (
  token_hash      BLOB PRIMARY KEY,
  user_id         INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL,
  last_used_ms    INTEGER NOT NULL,
  failed_count    INTEGER NOT NULL DEFAULT 0,
  last_failed_ms  INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX device_cookies_user ON device_cookies(user_id, last_used_ms);
