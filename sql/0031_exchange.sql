-- 0031_exchange.sql — secure file exchange (ファイル授受; issue 17 section 5), a service of its own
-- (src/exchange/): its own tables and data key (data_key:exchange). A contractor (the clubs'
-- contractor, the benefits' operators and supervisors: grant/homehelp) sends a file to a named
-- member of the ward's staff; the file is sealed under a key of its own, that key is wrapped under
-- a password the system makes (sent to the recipient in a mail of its own), and the whole row is
-- deleted at its expiry.

-- The ward's staff who receive files: registered by the ward's administrator. data: sealed JSON
-- of 氏名, 所属 and the mail address the link and the password go to.
CREATE TABLE ex_recipients (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id),
  data       BLOB NOT NULL,          -- sealed "ex_recipients.data"
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_ms INTEGER NOT NULL
);

-- A file waiting for its recipient. body: the file under its own key (XChaCha20-Poly1305);
-- file_key: that key wrapped under the file's password (argon2id), sealed under the service's
-- key; meta: sealed JSON of the file's name, type and the sender's note. Deleted at expires_ms
-- (and its deleted bytes scrubbed, store_scrub), or when withdrawn.
CREATE TABLE ex_files (
  id           INTEGER PRIMARY KEY,
  sender_id    INTEGER NOT NULL REFERENCES users(id),
  recipient_id INTEGER NOT NULL REFERENCES users(id),
  meta         BLOB NOT NULL,        -- sealed "ex_files.meta"
  size         INTEGER NOT NULL,
  body         BLOB NOT NULL,
  file_key     BLOB NOT NULL,        -- sealed "ex_files.file_key"
  failures     INTEGER NOT NULL DEFAULT 0,
  locked       INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  downloads    INTEGER NOT NULL DEFAULT 0,
  created_ms   INTEGER NOT NULL,
  expires_ms   INTEGER NOT NULL
);
CREATE INDEX ex_files_expires ON ex_files(expires_ms);
CREATE INDEX ex_files_recipient ON ex_files(recipient_id);
CREATE INDEX ex_files_sender ON ex_files(sender_id);

-- What happened to the files (the lists of the sender, the recipient and the ward's
-- administrator): kept after a file is gone, with no name and no content of it.
CREATE TABLE ex_events (
  id           INTEGER PRIMARY KEY,
  file_id      INTEGER,              -- no reference: the file is deleted, its events stay
  action       TEXT NOT NULL CHECK (action IN ('upload','refused','download','wrong_password',
                                               'locked','expired','withdrawn')),
  user_id      INTEGER REFERENCES users(id), -- who did it (NULL: the sweeper)
  sender_id    INTEGER REFERENCES users(id),
  recipient_id INTEGER REFERENCES users(id),
  size         INTEGER NOT NULL DEFAULT 0,
  at_ms        INTEGER NOT NULL
);
CREATE INDEX ex_events_file ON ex_events(file_id);
CREATE INDEX ex_events_at ON ex_events(at_ms);
