-- 0040_board_bump_once.sql — on PostgreSQL, the board's change counter (0034) is bumped once per
-- site and transaction, not once per row written (issue 18). Each UPDATE of a row leaves a new
-- version of it, and none can be pruned before the transaction ends: a roster import of 20,000
-- children in one transaction left 20,000 versions of 59 site rows, and every look-up of a site
-- walked them (make bench's PostgreSQL mail step: its import ran for many minutes, quadratic).
-- One bump per site and transaction is all a reader can see: the new version shows together
-- with everything the transaction wrote. A transaction-local setting per site
-- (mimamori.board_bumped_<id>, set_config(…, true)) remembers the sites bumped; a savepoint
-- rolled back (a group commit's failed unit) takes its settings back with its writes, so the
-- next unit bumps again. SQLite updates a row in place: its triggers stay as 0034 made them.
-- No table or column is added.
-- [postgresql]
CREATE FUNCTION board_bump(site bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF site IS NULL OR current_setting('mimamori.board_bumped_' || site, true) = '1' THEN
    RETURN;
  END IF;
  UPDATE sites SET board_version = board_version + 1 WHERE id = site;
  PERFORM set_config('mimamori.board_bumped_' || site, '1', true);
END $$;
CREATE OR REPLACE FUNCTION board_bump_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM board_bump(OLD.site_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.site_id IS DISTINCT FROM OLD.site_id) THEN
    PERFORM board_bump(NEW.site_id);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION board_bump_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM board_bump((SELECT site_id FROM children WHERE id = OLD.child_id));
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.child_id IS DISTINCT FROM OLD.child_id) THEN
    PERFORM board_bump((SELECT site_id FROM children WHERE id = NEW.child_id));
  END IF;
  RETURN NULL;
END $$;
-- [both]
