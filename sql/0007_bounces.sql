-- 0007_bounces.sql — bounces taken in by `mimamori mail-in` (RFC 3464 delivery status
-- notifications matched to outbox rows). An address is named only by its blind index (the same
-- as guardians.email_idx); diagnostics are stored with every address blanked.
CREATE TABLE bounce_addresses (
  addr_idx        BLOB PRIMARY KEY,        -- vault_blind('guardian-email', lower-cased address)
  hard_count      INTEGER NOT NULL DEFAULT 0, -- permanent bounces since the last confirmation
  soft_count      INTEGER NOT NULL DEFAULT 0, -- temporary ones (never make an address bouncing)
  last_ms         INTEGER NOT NULL,
  last_kind       TEXT NOT NULL CHECK (last_kind IN ('hard','soft')),
  last_status     TEXT NOT NULL,           -- enhanced status code, e.g. '5.1.1' ('' if none)
  last_diagnostic TEXT NOT NULL,           -- the remote server's words, addresses blanked
  bouncing_ms     INTEGER,                 -- set at bounce_limit hard bounces; no bulk mail then
  cleared_ms      INTEGER                  -- last re-confirmation: older mail's bounces not counted
);
CREATE INDEX bounce_addresses_bouncing ON bounce_addresses(bouncing_ms)
  WHERE bouncing_ms IS NOT NULL;

-- One row per notification taken in (or VERP-addressed mail that is no notification: 'other').
CREATE TABLE bounce_events (
  id         INTEGER PRIMARY KEY,
  outbox_id  INTEGER NOT NULL REFERENCES outbox(id),
  addr_idx   BLOB NOT NULL,
  at_ms      INTEGER NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('hard','soft','other')),
  action     TEXT NOT NULL,                -- the DSN's Action ('' for 'other')
  status     TEXT NOT NULL,                -- the DSN's Status ('' when none)
  diagnostic TEXT NOT NULL,                -- addresses blanked
  matched_by TEXT NOT NULL CHECK (matched_by IN ('verp','message-id')),
  counted    INTEGER NOT NULL DEFAULT 0    -- 1 when it counted toward bouncing
);
CREATE INDEX bounce_events_outbox ON bounce_events(outbox_id);
-- A message bounces hard once: a notification delivered twice does not count twice.
CREATE UNIQUE INDEX bounce_events_hard_once ON bounce_events(outbox_id) WHERE kind = 'hard';
