-- 0008_unsubscribes.sql — guardians who asked for no more bulk mail of a list (List-Unsubscribe,
-- RFC 8058 one-click POST, the page behind the link, or a mail to the mailto address). A list is
-- the part of a send_id before ':' ('emergency', 'school' …); an address is named only by its
-- blind index (as guardians.email_idx). Notices (entry/exit, alerts, links) are not lists.
CREATE TABLE unsubscribes (
  addr_idx  BLOB NOT NULL,
  list      TEXT NOT NULL,
  at_ms     INTEGER NOT NULL,
  via       TEXT NOT NULL CHECK (via IN ('one-click','web','mailto')),
  outbox_id INTEGER REFERENCES outbox(id),   -- the message whose link or address was used
  PRIMARY KEY (addr_idx, list)
);
CREATE INDEX unsubscribes_outbox ON unsubscribes(outbox_id);
