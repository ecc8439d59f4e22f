-- 0039_totp.sql — the administrators' second factor (issue 19): TOTP (RFC 6238) for the roles
-- of ROLE_SECOND_FACTOR (src/auth/role.h: ward administrators and the contractors'
-- supervisors), its one-time recovery codes, and the sign-ins waiting for their code.
-- No personal data: the secret is sealed under the platform's key, recovery codes and
-- challenge tokens are stored only as keyed or plain hashes.

-- One account's authenticator: enrolled once its first code was confirmed (confirmed_ms).
CREATE TABLE user_totp (
  user_id         INTEGER PRIMARY KEY REFERENCES users(id),
  secret          BLOB NOT NULL,               -- sealed "user_totp.secret" (platform key)
  created_ms      INTEGER NOT NULL,
  confirmed_ms    INTEGER,                     -- NULL while enrolment waits for its first code
  last_step       INTEGER NOT NULL DEFAULT 0,  -- the last time step accepted: no replay
  failed_count    INTEGER NOT NULL DEFAULT 0,  -- wrong codes in a row
  locked_until_ms INTEGER NOT NULL DEFAULT 0   -- tries refused until then
);

-- Recovery codes (one-time): the platform's keyed blind index of "user id:code".
CREATE TABLE user_totp_recovery (
  code_idx   BLOB PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  created_ms INTEGER NOT NULL,
  used_ms    INTEGER                           -- NULL until used
);
CREATE INDEX user_totp_recovery_user ON user_totp_recovery(user_id);

-- A sign-in whose password was right and whose code is awaited: the token's hash, a few
-- minutes and a few tries.
CREATE TABLE totp_challenges (
  token_hash BLOB PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  created_ms INTEGER NOT NULL,
  tries      INTEGER NOT NULL DEFAULT 0
);
