-- 0039_totp.sql — the administrators' second factor (issue 19): TOTP (RFC 6238) for the roles
-- of ROLE_SECOND_FACTOR (src/auth/role.h: ward administrators and the contractors'
-- supervisors), its one-time recovery codes, and the sign-ins waiting for their code.
-- No personal data: the secret is sealed under the platform's key, recovery codes and
-- challenge tokens are stored only as keyed or plain hashes.

-- One account's authenticator: enrolled once its first code was confirmed (confirmed_ms).
CREATE TABLE user_totp ( -- 表: 管理者の二要素認証; platform; 本人: 管理者
  user_id         INTEGER PRIMARY KEY REFERENCES users(id), -- 項目: 利用者の番号; 一般
  secret          BLOB NOT NULL,               -- 項目: 認証の秘密鍵; 一般; 暗号化 — sealed "user_totp.secret" (platform key)
  created_ms      INTEGER NOT NULL, -- 項目: 登録日時; 一般
  confirmed_ms    INTEGER,                     -- 項目: 確認日時; 一般 — NULL while enrolment waits for its first code
  last_step       INTEGER NOT NULL DEFAULT 0,  -- 項目: 最後に受け付けた時間枠; 一般 — the last time step accepted: no replay
  failed_count    INTEGER NOT NULL DEFAULT 0,  -- 項目: 続けて誤った回数; 一般 — wrong codes in a row
  locked_until_ms INTEGER NOT NULL DEFAULT 0   -- 項目: 停止の期限; 一般 — tries refused until then
);

-- Recovery codes (one-time): the platform's keyed blind index of "user id:code".
CREATE TABLE user_totp_recovery ( -- 表: 二要素認証の回復コード; platform; 本人: 管理者
  code_idx   BLOB PRIMARY KEY, -- 項目: 回復コードの照合値; 一般
  user_id    INTEGER NOT NULL REFERENCES users(id), -- 項目: 利用者の番号; 一般
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  used_ms    INTEGER                           -- 項目: 使用日時; 一般 — NULL until used
);
CREATE INDEX user_totp_recovery_user ON user_totp_recovery(user_id);

-- A sign-in whose password was right and whose code is awaited: the token's hash, a few
-- minutes and a few tries.
CREATE TABLE totp_challenges ( -- 表: 二要素認証の待ち; platform; 本人: 管理者
  token_hash BLOB PRIMARY KEY, -- 項目: 待ちの照合値; 一般
  user_id    INTEGER NOT NULL REFERENCES users(id), -- 項目: 利用者の番号; 一般
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  tries      INTEGER NOT NULL DEFAULT 0 -- 項目: 試した回数; 一般
);
