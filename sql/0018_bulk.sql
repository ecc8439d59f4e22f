-- 0018_bulk.sql — bulk sends as a platform layer (src/bulk/, issue 13): any service hands it an
-- audience and a message; compose, templates, scheduled sends, four-eyes approval, the
-- personal-data check, the per-recipient ledger (the outbox rows), read confirmation and
-- List-Unsubscribe are the layer's. Emergency mail is attendance's kind of bulk send now.

-- The lists bulk mail goes out on, each declared by the service that sends on it, with whether a
-- recipient may leave it. Emergency mail (緊急連絡) may not: the club's duty of care.
CREATE TABLE mail_lists ( -- 表: 配信リスト; platform
  name        TEXT PRIMARY KEY,        -- 項目: リストの名前; 一般 — the send_id before ':' ("emergency", "school")
  service     TEXT NOT NULL,           -- 項目: サービス名; 一般 — whose list: its mail is sealed under that key
  label_ja    TEXT NOT NULL,           -- 項目: リストの表示名; 一般 — what people call it (緊急連絡)
  may_leave   INTEGER NOT NULL CHECK (may_leave IN (0, 1)), -- 項目: 配信停止できるか; 一般
  declared_ms INTEGER NOT NULL -- 項目: 登録日時; 一般
);
INSERT INTO mail_lists(name, service, label_ja, may_leave, declared_ms)
VALUES ('emergency', 'attendance', '緊急連絡', 0, 0);

-- Each bulk row says its list, the recipient's record in the service's own tables (never
-- joined across services: the id means something only to its service), and whether it carries
-- a read confirmation link.
ALTER TABLE outbox ADD COLUMN list TEXT; -- 項目: 配信リスト; 一般
-- [postgresql]
-- SQLite's instr(haystack, needle) (1-based position, 0 when absent), which this migration and
-- the services' SQL use; PostgreSQL calls it strpos.
CREATE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN strpos($1, $2);
-- [both]
UPDATE outbox SET list = substr(send_id, 1, instr(send_id || ':', ':') - 1) WHERE kind = 'bulk';
ALTER TABLE outbox ADD COLUMN owner_id INTEGER; -- 項目: 宛先の記録の番号; 一般
ALTER TABLE outbox ADD COLUMN read_link INTEGER NOT NULL DEFAULT 0; -- 項目: 既読確認の有無; 一般

-- Read confirmations (「読みました」): one per message at most.
CREATE TABLE mail_reads ( -- 表: 既読の記録; platform; 本人: メールの宛先（保護者・申請者・利用者）
  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id), -- 項目: メールの番号; 一般
  at_ms     INTEGER NOT NULL -- 項目: 既読にした日時; 個人
);

-- One row per bulk send of any service. audience is the service's own description of whom it
-- reaches, chosen anew at each send (attendance: site codes "G01,G02" or "*"); never personal
-- data. Subject and body are sealed under the service's key as "<list>.subject"/"<list>.body".
CREATE TABLE bulk_sends ( -- 表: 一斉送信; platform
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  service     TEXT NOT NULL, -- 項目: サービス名; 一般
  list        TEXT NOT NULL, -- 項目: 配信リスト; 一般
  audience    TEXT NOT NULL, -- 項目: 送信先の範囲; 一般
  subject_enc BLOB NOT NULL, -- 項目: 件名; 一般; 暗号化
  body_enc    BLOB NOT NULL, -- 項目: 本文（個人情報を含まないことを確認）; 一般; 暗号化
  state       TEXT NOT NULL CHECK (state IN ('awaiting_approval', 'scheduled', 'sent', -- 項目: 状態; 一般
                                             'rejected', 'cancelled', 'refused')),
  author_id   INTEGER NOT NULL REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms  INTEGER NOT NULL, -- 項目: 作成日時; 一般
  approver_id INTEGER REFERENCES users(id), -- 項目: 承認した職員の番号; 一般 — who approved or rejected it (never the author)
  approved_ms INTEGER,                      -- 項目: 承認日時; 一般 — when
  at_ms       INTEGER,                      -- 項目: 予約した送信日時; 一般 — a scheduled send's time, NULL: at once
  read_confirm INTEGER NOT NULL DEFAULT 0,  -- 項目: 既読確認の有無; 一般 — 1: each mail asks for 「読みました」
  parent_id   INTEGER REFERENCES bulk_sends(id), -- 項目: 再送元の一斉送信; 一般 — a re-send to those who have not read it
  send_id     TEXT,                         -- 項目: 送信の識別子; 一般 — '<list>:<id>' once queued
  recipients  INTEGER,                      -- 項目: 宛先の数; 一般 — mails queued
  sent_ms     INTEGER,                      -- 項目: 送信日時; 一般 — when it was queued
  refusal     TEXT                          -- 項目: 予約送信を断った理由; 一般 — why a scheduled send was refused at its time
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
CREATE TABLE bulk_templates ( -- 表: 一斉送信のひな形; platform
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  service     TEXT NOT NULL, -- 項目: サービス名; 一般
  list        TEXT NOT NULL, -- 項目: 配信リスト; 一般
  name        TEXT NOT NULL,             -- 項目: ひな形の名前; 一般 — its title, checked like a message (no personal data)
  subject_enc BLOB NOT NULL, -- 項目: 件名; 一般; 暗号化
  body_enc    BLOB NOT NULL, -- 項目: 本文; 一般; 暗号化
  author_id   INTEGER NOT NULL REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  updated_ms  INTEGER NOT NULL, -- 項目: 更新日時; 一般
  UNIQUE (list, name)
);
