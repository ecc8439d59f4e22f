-- 0024_bath_mailings.sql — the bath pass's mailings by post (issue 15): the March mailing of the
-- next fiscal year's passes to everyone who had one (or applied) the year before and is still
-- eligible (seed 002: 「入浴証申請者には、郵送により新年度の入浴証を発送」, 3月23日に一斉発送).
-- A mailing is the set of its pass events ("issue", method mail, each with its 整理番号); its
-- letters (送付状) are made again from them whenever the PDF is downloaded, so that no file of
-- names and addresses is kept. No personal data in these columns.
CREATE TABLE bath_mailings ( -- 表: 郵送の記録; bathpass
  id          INTEGER PRIMARY KEY, -- 項目: 番号; 一般
  fiscal_year INTEGER NOT NULL,      -- 項目: 年度; 一般 — the passes' fiscal year (April–March)
  on_date     TEXT NOT NULL,         -- 項目: 交付日; 一般 — the letters' date and the passes' 交付日 (ISO)
  letters     INTEGER NOT NULL, -- 項目: 通数; 一般
  first_no    TEXT NOT NULL,         -- 項目: 最初の整理番号; 一般 — the first and last 整理番号 given
  last_no     TEXT NOT NULL, -- 項目: 最後の整理番号; 一般
  held        INTEGER NOT NULL,      -- 項目: 保留した数; 一般 — left out for a person to handle (returned mail, 個別事由)
  created_by  INTEGER NOT NULL REFERENCES users(id), -- 項目: 作成した職員の番号; 一般
  created_ms  INTEGER NOT NULL -- 項目: 作成日時; 一般
);

-- The mailing a pass by post belongs to (NULL: one at a time, or at a counter).
ALTER TABLE bath_events ADD COLUMN mailing_id INTEGER REFERENCES bath_mailings(id); -- 項目: 郵送の番号; 一般
CREATE INDEX bath_events_mailing ON bath_events(mailing_id);
-- The kinds of a year's events, for the mailing's choice of who had a pass the year before.
CREATE INDEX bath_events_year ON bath_events(fiscal_year, kind);
