-- 0019_resubscribe.sql — a guardian who left a list can join it again (issue 13), through a new
-- confirmation: the unsubscribe page asks for it, a one-time link goes to the address itself
-- (24 hours), and opening it removes the unsubscribe. Only the token's hash is kept; the address
-- only as its blind index under the list's service's key (as unsubscribes has it).
CREATE TABLE resubscribe_tokens ( -- 表: 配信再開の鍵; platform; 本人: メールの宛先（保護者・申請者・利用者）
  token_hash BLOB PRIMARY KEY, -- 項目: 鍵のハッシュ値; 一般
  outbox_id  INTEGER NOT NULL REFERENCES outbox(id), -- 項目: メールの番号; 一般 — the message whose link asked
  addr_idx   BLOB NOT NULL, -- 項目: メールアドレスの検索用ハッシュ値; 一般
  list       TEXT NOT NULL, -- 項目: 配信リスト; 一般
  created_ms INTEGER NOT NULL, -- 項目: 作成日時; 一般
  expires_ms INTEGER NOT NULL, -- 項目: 有効期限; 一般
  used_ms    INTEGER -- 項目: 使用日時; 一般
);
CREATE INDEX resubscribe_tokens_addr ON resubscribe_tokens(addr_idx, list, created_ms);
