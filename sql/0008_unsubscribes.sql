-- 0008_unsubscribes.sql — guardians who asked for no more bulk mail of a list (List-Unsubscribe,
-- RFC 8058 one-click POST, the page behind the link, or a mail to the mailto address). A list is
-- the part of a send_id before ':' ('emergency', 'school' …); an address is named only by its
-- blind index (as guardians.email_idx). Notices (entry/exit, alerts, links) are not lists.
CREATE TABLE unsubscribes ( -- 表: 配信停止; platform; 本人: メールの宛先（保護者・申請者・利用者）
  addr_idx  BLOB NOT NULL, -- 項目: メールアドレスの検索用ハッシュ値; 一般
  list      TEXT NOT NULL, -- 項目: 配信リスト; 一般
  at_ms     INTEGER NOT NULL, -- 項目: 日時; 一般
  via       TEXT NOT NULL CHECK (via IN ('one-click','web','mailto')), -- 項目: 停止の方法; 一般
  outbox_id INTEGER REFERENCES outbox(id),   -- 項目: 停止に使われたメールの番号; 一般 — the message whose link or address was used
  PRIMARY KEY (addr_idx, list)
);
CREATE INDEX unsubscribes_outbox ON unsubscribes(outbox_id);
