-- 0034_board_versions.sql — a change counter per site for the staff board (issue 18). Every
-- write that can change what a site's board shows (scans, alerts, plans and their changes,
-- pickup people, children, the site's settings) bumps sites.board_version in the writing
-- transaction, by the triggers below, whichever server or command made it. A server keeps each
-- site's board rendered in memory and checks it with one read of this column per request; its
-- watcher reads the column of every site a few times a second for the live updates
-- (Server-Sent Events). The version, the day and the minute are the board's ETag.
-- A column of sites rather than a table of its own: `migrate-store` copies tables with COPY,
-- and rows made by triggers would collide with the copied ones; a bump of a copied site is
-- harmless.
ALTER TABLE sites ADD COLUMN board_version INTEGER NOT NULL DEFAULT 1; -- 項目: 出欠表の版; 一般
-- [sqlite]
CREATE TRIGGER board_sites_upd AFTER UPDATE ON sites
  WHEN NEW.board_version = OLD.board_version BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER board_scans_ins AFTER INSERT ON scans BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = NEW.site_id;
END;
CREATE TRIGGER board_scans_upd AFTER UPDATE ON scans BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id IN (OLD.site_id, NEW.site_id);
END;
CREATE TRIGGER board_scans_del AFTER DELETE ON scans BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = OLD.site_id;
END;
CREATE TRIGGER board_alerts_ins AFTER INSERT ON alerts BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = NEW.site_id;
END;
CREATE TRIGGER board_alerts_upd AFTER UPDATE ON alerts BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id IN (OLD.site_id, NEW.site_id);
END;
CREATE TRIGGER board_alerts_del AFTER DELETE ON alerts BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = OLD.site_id;
END;
CREATE TRIGGER board_children_ins AFTER INSERT ON children BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = NEW.site_id;
END;
CREATE TRIGGER board_children_upd AFTER UPDATE ON children BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id IN (OLD.site_id, NEW.site_id);
END;
CREATE TRIGGER board_children_del AFTER DELETE ON children BEGIN
  UPDATE sites SET board_version = board_version + 1 WHERE id = OLD.site_id;
END;
CREATE TRIGGER board_plan_days_ins AFTER INSERT ON plan_days BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = NEW.child_id);
END;
CREATE TRIGGER board_plan_days_upd AFTER UPDATE ON plan_days BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id IN (SELECT site_id FROM children WHERE id IN (OLD.child_id, NEW.child_id));
END;
CREATE TRIGGER board_plan_days_del AFTER DELETE ON plan_days BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = OLD.child_id);
END;
CREATE TRIGGER board_plan_weekly_ins AFTER INSERT ON plan_weekly BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = NEW.child_id);
END;
CREATE TRIGGER board_plan_weekly_upd AFTER UPDATE ON plan_weekly BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id IN (SELECT site_id FROM children WHERE id IN (OLD.child_id, NEW.child_id));
END;
CREATE TRIGGER board_plan_weekly_del AFTER DELETE ON plan_weekly BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = OLD.child_id);
END;
CREATE TRIGGER board_plan_changes_ins AFTER INSERT ON plan_changes BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = NEW.child_id);
END;
CREATE TRIGGER board_plan_changes_upd AFTER UPDATE ON plan_changes BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id IN (SELECT site_id FROM children WHERE id IN (OLD.child_id, NEW.child_id));
END;
CREATE TRIGGER board_plan_changes_del AFTER DELETE ON plan_changes BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = OLD.child_id);
END;
CREATE TRIGGER board_pickups_ins AFTER INSERT ON pickups BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = NEW.child_id);
END;
CREATE TRIGGER board_pickups_upd AFTER UPDATE ON pickups BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id IN (SELECT site_id FROM children WHERE id IN (OLD.child_id, NEW.child_id));
END;
CREATE TRIGGER board_pickups_del AFTER DELETE ON pickups BEGIN
  UPDATE sites SET board_version = board_version + 1
   WHERE id = (SELECT site_id FROM children WHERE id = OLD.child_id);
END;
-- [postgresql]
-- Three trigger functions: a change of the site itself, rows that name their site, rows that
-- name a child (its site).
CREATE FUNCTION board_site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.board_version = OLD.board_version THEN
    NEW.board_version := OLD.board_version + 1;
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION board_bump_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE sites SET board_version = board_version + 1 WHERE id = OLD.site_id;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.site_id IS DISTINCT FROM OLD.site_id) THEN
    UPDATE sites SET board_version = board_version + 1 WHERE id = NEW.site_id;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION board_bump_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE sites SET board_version = board_version + 1
     WHERE id = (SELECT site_id FROM children WHERE id = OLD.child_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.child_id IS DISTINCT FROM OLD.child_id) THEN
    UPDATE sites SET board_version = board_version + 1
     WHERE id = (SELECT site_id FROM children WHERE id = NEW.child_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER board_sites_upd BEFORE UPDATE ON sites
  FOR EACH ROW EXECUTE FUNCTION board_site_changed();
CREATE TRIGGER board_scans AFTER INSERT OR UPDATE OR DELETE ON scans
  FOR EACH ROW EXECUTE FUNCTION board_bump_site();
CREATE TRIGGER board_alerts AFTER INSERT OR UPDATE OR DELETE ON alerts
  FOR EACH ROW EXECUTE FUNCTION board_bump_site();
CREATE TRIGGER board_children AFTER INSERT OR UPDATE OR DELETE ON children
  FOR EACH ROW EXECUTE FUNCTION board_bump_site();
CREATE TRIGGER board_plan_days AFTER INSERT OR UPDATE OR DELETE ON plan_days
  FOR EACH ROW EXECUTE FUNCTION board_bump_child();
CREATE TRIGGER board_plan_weekly AFTER INSERT OR UPDATE OR DELETE ON plan_weekly
  FOR EACH ROW EXECUTE FUNCTION board_bump_child();
CREATE TRIGGER board_plan_changes AFTER INSERT OR UPDATE OR DELETE ON plan_changes
  FOR EACH ROW EXECUTE FUNCTION board_bump_child();
CREATE TRIGGER board_pickups AFTER INSERT OR UPDATE OR DELETE ON pickups
  FOR EACH ROW EXECUTE FUNCTION board_bump_child();
-- [both]
