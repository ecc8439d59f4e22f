-- 0022_outbox_claims.sql — which mail sender claimed a row it is sending, so that several
-- `mimamori serve` on one database (PostgreSQL) put back only the rows of a sender that is gone
-- (its lock is free: src/store/locks.c), never those another live server has in flight.
-- NULL for rows no sender holds (and for rows left 'sending' by a program before this one).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT; -- 項目: 送信中のサーバ; 一般
