-- 0041_purge_marks.sql — erasure may empty append-only tables. The case-note versions of youth
-- support and of the development-support centre refuse every DELETE (0029, 0032), so the erasure
-- at a contract's end (src/app/erase.c) could not empty them: `mimamori erase --service youth`
-- failed and left the rows, and a restored backup could not drop an erased service's rows.
-- Now a DELETE is refused unless the table is marked here. store_table_clear marks a table,
-- empties it and takes the mark back inside the erasure's one transaction, so no other
-- connection ever sees a mark: for everyone else, and for every other statement of the
-- program, the versions stay append-only. Updates stay refused always.
CREATE TABLE purge_marks ( -- 表: 消去の処理中の表（消去の取引の中だけ）; platform
  tbl TEXT PRIMARY KEY -- 項目: 表の名前; 一般
);
-- [sqlite]
DROP TRIGGER yo_note_versions_no_delete;
CREATE TRIGGER yo_note_versions_no_delete BEFORE DELETE ON yo_note_versions
  WHEN NOT EXISTS (SELECT 1 FROM purge_marks WHERE tbl = 'yo_note_versions') BEGIN
  SELECT RAISE(ABORT, 'case note versions are append-only');
END;
DROP TRIGGER ce_note_versions_no_delete;
CREATE TRIGGER ce_note_versions_no_delete BEFORE DELETE ON ce_note_versions
  WHEN NOT EXISTS (SELECT 1 FROM purge_marks WHERE tbl = 'ce_note_versions') BEGIN
  SELECT RAISE(ABORT, 'daily record versions are append-only');
END;
-- [postgresql]
-- As append_only (0001), but a row of a table marked in purge_marks may go.
CREATE FUNCTION append_only_unless_purged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM purge_marks WHERE tbl = TG_TABLE_NAME) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '%', TG_ARGV[0];
END $$;
DROP TRIGGER yo_note_versions_no_delete ON yo_note_versions;
CREATE TRIGGER yo_note_versions_no_delete BEFORE DELETE ON yo_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only_unless_purged('case note versions are append-only');
DROP TRIGGER ce_note_versions_no_delete ON ce_note_versions;
CREATE TRIGGER ce_note_versions_no_delete BEFORE DELETE ON ce_note_versions
  FOR EACH ROW EXECUTE FUNCTION append_only_unless_purged('daily record versions are append-only');
-- [both]
