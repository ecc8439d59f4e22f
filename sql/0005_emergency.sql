-- 0005_emergency.sql — emergency mail (緊急時の一斉メール配信): one row per send. The message is
-- sealed (it was checked for personal data, but it is still the ward's word to families); the
-- mails themselves are outbox rows with send_id 'emergency:ID'.
CREATE TABLE emergency_sends (
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  author_id   INTEGER NOT NULL REFERENCES users(id),
  sites       TEXT NOT NULL,          -- comma-separated site codes, or '*' for every site
  subject_enc BLOB NOT NULL,          -- sealed as "emergency.subject"
  body_enc    BLOB NOT NULL,          -- sealed as "emergency.body"
  state       TEXT NOT NULL CHECK (state IN ('awaiting_approval','sent','rejected')),
  approver_id INTEGER REFERENCES users(id),
  approved_ms INTEGER,
  send_id     TEXT                    -- 'emergency:ID' once queued
);
CREATE INDEX emergency_sends_created ON emergency_sends(created_ms);
