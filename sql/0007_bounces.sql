-- 0007_bounces.sql — bounces taken in by `mimamori mail-in` (RFC 3464 delivery status
-- notifications matched to outbox rows). An address is named only by its blind index (the same
-- as guardians.email_idx); diagnostics are stored with every address blanked.
CREATE TABLE bounce_addresses ( -- 表: 届かないメールアドレス; platform; 本人: メールの宛先（保護者・申請者・利用者）
  addr_idx        BLOB PRIMARY KEY,        -- 項目: メールアドレスの検索用ハッシュ値; 一般 — vault_blind('guardian-email', lower-cased address)
  hard_count      INTEGER NOT NULL DEFAULT 0, -- 項目: 恒久的な不達の回数; 一般 — permanent bounces since the last confirmation
  soft_count      INTEGER NOT NULL DEFAULT 0, -- 項目: 一時的な不達の回数; 一般 — temporary ones (never make an address bouncing)
  last_ms         INTEGER NOT NULL, -- 項目: 最後の不達の日時; 一般
  last_kind       TEXT NOT NULL CHECK (last_kind IN ('hard','soft')), -- 項目: 最後の不達の種類; 一般
  last_status     TEXT NOT NULL,           -- 項目: 最後の不達の状態コード; 一般 — enhanced status code, e.g. '5.1.1' ('' if none)
  last_diagnostic TEXT NOT NULL,           -- 項目: 相手サーバの説明（アドレスは伏せる）; 一般 — the remote server's words, addresses blanked
  bouncing_ms     INTEGER,                 -- 項目: 配信停止にした日時; 一般 — set at bounce_limit hard bounces; no bulk mail then
  cleared_ms      INTEGER                  -- 項目: 再確認の日時; 一般 — last re-confirmation: older mail's bounces not counted
);
CREATE INDEX bounce_addresses_bouncing ON bounce_addresses(bouncing_ms)
  WHERE bouncing_ms IS NOT NULL;

-- One row per notification taken in (or VERP-addressed mail that is no notification: 'other').
CREATE TABLE bounce_events ( -- 表: 不達の記録; platform; 本人: メールの宛先（保護者・申請者・利用者）
  id         INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  outbox_id  INTEGER NOT NULL REFERENCES outbox(id), -- 項目: メールの番号; 一般
  addr_idx   BLOB NOT NULL, -- 項目: メールアドレスの検索用ハッシュ値; 一般
  at_ms      INTEGER NOT NULL, -- 項目: 日時; 一般
  kind       TEXT NOT NULL CHECK (kind IN ('hard','soft','other')), -- 項目: 種類; 一般
  action     TEXT NOT NULL,                -- 項目: 不達通知の Action; 一般 — the DSN's Action ('' for 'other')
  status     TEXT NOT NULL,                -- 項目: 不達通知の Status; 一般 — the DSN's Status ('' when none)
  diagnostic TEXT NOT NULL,                -- 項目: 相手サーバの説明（アドレスは伏せる）; 一般 — addresses blanked
  matched_by TEXT NOT NULL CHECK (matched_by IN ('verp','message-id')), -- 項目: 照合の方法; 一般
  counted    INTEGER NOT NULL DEFAULT 0    -- 項目: 数えたかどうか; 一般 — 1 when it counted toward bouncing
);
CREATE INDEX bounce_events_outbox ON bounce_events(outbox_id);
-- A message bounces hard once: a notification delivered twice does not count twice.
CREATE UNIQUE INDEX bounce_events_hard_once ON bounce_events(outbox_id) WHERE kind = 'hard';
