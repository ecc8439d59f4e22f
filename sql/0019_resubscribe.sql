-- 0019_resubscribe.sql — a guardian who left a list can join it again (issue 13), through a new
-- confirmation: the unsubscribe page asks for it, a one-time link goes to the address itself
-- (24 hours), and opening it removes the unsubscribe. Only the token's hash is kept; the address
-- only as its blind index under the list's service's key (as unsubscribes has it).
CREATE TABLE resubscribe_tokens (
  token_hash BLOB PRIMARY KEY,
  outbox_id  INTEGER NOT NULL REFERENCES outbox(id), -- the message whose link asked
  addr_idx   BLOB NOT NULL,
  list       TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_ms    INTEGER
);
CREATE INDEX resubscribe_tokens_addr ON resubscribe_tokens(addr_idx, list, created_ms);
