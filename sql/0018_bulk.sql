-- 0018_bulk.sql — bulk sends as a platform layer (src/bulk/, issue 13): any service hands it an
-- audience and a message; compose, templates, scheduled sends, four-eyes approval, the
-- personal-data check, the per-recipient ledger (the outbox rows), read confirmation and
-- List-Unsubscribe are the layer's. Emergency mail is attendance's kind of bulk send now.

-- The lists bulk mail goes out on, each declared by the service that sends on it, with whether a
-- recipient may leave it. Emergency mail (緊急連絡) may not: the club's duty of care.
CREATE TABLE mail_lists (
  name        TEXT PRIMARY KEY,        -- the send_id before ':' ("emergency", "school")
  service     TEXT NOT NULL,           -- whose list: its mail is sealed under that key
  label_ja    TEXT NOT NULL,           -- what people call it (緊急連絡)
  may_leave   INTEGER NOT NULL CHECK (may_leave IN (0, 1)),
  declared_ms INTEGER NOT NULL
);
INSERT INTO mail_lists(name, service, label_ja, may_leave, declared_ms)
VALUES ('emergency', 'attendance', '緊急連絡', 0, 0);

-- Each bulk row says its list, the recipient's record in the service's own tables (never
-- joined across services: the id means something only to its service), and whether it carries
-- a read confirmation link.
ALTER TABLE outbox ADD COLUMN list TEXT;
UPDATE outbox SET list = substr(send_id, 1, instr(send_id || ':', ':') - 1) WHERE kind = 'bulk';
ALTER TABLE outbox ADD COLUMN owner_id INTEGER;
ALTER TABLE outbox ADD COLUMN read_link INTEGER NOT NULL DEFAULT 0;

-- Read confirmations (「読みました」): one per message at most.
CREATE TABLE mail_reads (
  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id),
  at_ms     INTEGER NOT NULL
);

-- One row per bulk send of any service. audience is the service's own description of whom it
-- reaches, chosen anew at each send (attendance: site codes "G01,G02" or "*"); never personal
-- data. Subject and body are sealed under the service's key as "<list>.subject"/"<list>.body".
CREATE TABLE bulk_sends (
  id          INTEGER PRIMARY KEY,
  service     TEXT NOT NULL,
  list        TEXT NOT NULL,
  audience    TEXT NOT NULL,
  subject_enc BLOB NOT NULL,
  body_enc    BLOB NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('awaiting_approval', 'scheduled', 'sent',
                                             'rejected', 'cancelled', 'refused')),
  author_id   INTEGER NOT NULL REFERENCES users(id),
  created_ms  INTEGER NOT NULL,
  approver_id INTEGER REFERENCES users(id), -- who approved or rejected it (never the author)
  approved_ms INTEGER,                      -- when
  at_ms       INTEGER,                      -- a scheduled send's time, NULL: at once
  read_confirm INTEGER NOT NULL DEFAULT 0,  -- 1: each mail asks for 「読みました」
  parent_id   INTEGER REFERENCES bulk_sends(id), -- a re-send to those who have not read it
  send_id     TEXT,                         -- '<list>:<id>' once queued
  recipients  INTEGER,                      -- mails queued
  sent_ms     INTEGER,                      -- when it was queued
  refusal     TEXT                          -- why a scheduled send was refused at its time
);
CREATE INDEX bulk_sends_list ON bulk_sends(list, id);
CREATE INDEX bulk_sends_due ON bulk_sends(at_ms) WHERE state = 'scheduled';

-- The emergency sends so far, with their ids (their mail is 'emergency:ID') and sealed texts
-- (sealed as "emergency.subject"/"emergency.body": the list's name, as the layer seals).
INSERT INTO bulk_sends(id, service, list, audience, subject_enc, body_enc, state, author_id,
                       created_ms, approver_id, approved_ms, send_id, recipients, sent_ms)
SELECT e.id, 'attendance', 'emergency', e.sites, e.subject_enc, e.body_enc, e.state,
       e.author_id, e.created_ms, e.approver_id, e.approved_ms, e.send_id,
       (SELECT count(*) FROM outbox o WHERE o.send_id = e.send_id),
       CASE WHEN e.state = 'sent' THEN COALESCE(e.approved_ms, e.created_ms) END
FROM emergency_sends e;
DROP TABLE emergency_sends;

-- Templates a service's staff reuse (休校のお知らせ, 不審者情報 …); the texts sealed under the
-- service's key as "<list>.template.subject"/"<list>.template.body".
CREATE TABLE bulk_templates (
  id          INTEGER PRIMARY KEY,
  service     TEXT NOT NULL,
  list        TEXT NOT NULL,
  name        TEXT NOT NULL,             -- its title, checked like a message (no personal data)
  subject_enc BLOB NOT NULL,
  body_enc    BLOB NOT NULL,
  author_id   INTEGER NOT NULL REFERENCES users(id),
  updated_ms  INTEGER NOT NULL,
  UNIQUE (list, name)
);
