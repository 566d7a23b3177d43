-- revision: ocata_contract01
-- down_revision: mitaka02
-- branch_labels: contract
-- depends_on: ocata_expand01
-- message: remove is_public from images
-- replaces: ocata01
--
-- Glance Ocata, contract phase: once no Newton service is left and
-- ocata_migrate01 has filled in every visibility, the triggers and is_public
-- go. On PostgreSQL visibility also becomes NOT NULL with default 'shared';
-- SQLite cannot change a column's constraints without rebuilding the table,
-- so there it stays nullable. The triggers are dropped with IF EXISTS because
-- `bellows sync` never created them (they are rolling sections).
-- `ocata01` is the id Glance's Ocata release recorded for this revision; a version
-- row still holding it is read as ocata_contract01 and rewritten by commands that
-- write, as glance-manage does.

-- bellows:upgrade postgresql
DROP TRIGGER IF EXISTS images_visibility_sync ON images;
DROP FUNCTION IF EXISTS images_visibility_sync();
ALTER TABLE images ALTER COLUMN visibility SET DEFAULT 'shared';
ALTER TABLE images ALTER COLUMN visibility SET NOT NULL;

-- bellows:upgrade sqlite
DROP TRIGGER IF EXISTS images_visibility_insert;
DROP TRIGGER IF EXISTS images_is_public_insert;
DROP TRIGGER IF EXISTS images_visibility_update;
DROP TRIGGER IF EXISTS images_is_public_update;

-- bellows:upgrade
DROP INDEX ix_images_is_public;
ALTER TABLE images DROP COLUMN is_public;

-- bellows:downgrade
-- Back to the expanded schema: is_public again, in step with visibility.
ALTER TABLE images ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE images SET is_public = CASE WHEN visibility = 'public' THEN TRUE ELSE FALSE END;
CREATE INDEX ix_images_is_public ON images (is_public);

-- bellows:downgrade postgresql
ALTER TABLE images ALTER COLUMN visibility DROP NOT NULL;
ALTER TABLE images ALTER COLUMN visibility DROP DEFAULT;

-- bellows:downgrade postgresql rolling
-- The same trigger as ocata_expand01's, for old services started again.
CREATE FUNCTION images_visibility_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.visibility IS NULL THEN
      NEW.visibility := CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END;
    ELSE
      NEW.is_public := NEW.visibility = 'public';
    END IF;
  ELSIF NEW.visibility IS DISTINCT FROM OLD.visibility THEN
    IF NEW.visibility IS NULL THEN
      RAISE EXCEPTION 'images.visibility cannot be set to NULL';
    END IF;
    NEW.is_public := NEW.visibility = 'public';
  ELSIF NEW.is_public IS DISTINCT FROM OLD.is_public THEN
    NEW.visibility := CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER images_visibility_sync BEFORE INSERT OR UPDATE ON images
  FOR EACH ROW EXECUTE FUNCTION images_visibility_sync();

-- bellows:downgrade sqlite rolling
-- The same triggers as ocata_expand01's, for old services started again.
CREATE TRIGGER images_visibility_insert AFTER INSERT ON images
  WHEN NEW.visibility IS NULL
BEGIN
  UPDATE images SET visibility = CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END
   WHERE id = NEW.id;
END;
CREATE TRIGGER images_is_public_insert AFTER INSERT ON images
  WHEN NEW.visibility IS NOT NULL
BEGIN
  UPDATE images SET is_public = (NEW.visibility = 'public') WHERE id = NEW.id;
END;
CREATE TRIGGER images_visibility_update AFTER UPDATE OF visibility ON images
  WHEN NEW.visibility IS NOT OLD.visibility
BEGIN
  SELECT RAISE(ABORT, 'images.visibility cannot be set to NULL') WHERE NEW.visibility IS NULL;
  UPDATE images SET is_public = (NEW.visibility = 'public') WHERE id = NEW.id;
END;
CREATE TRIGGER images_is_public_update AFTER UPDATE OF is_public ON images
  WHEN NEW.is_public IS NOT OLD.is_public AND NEW.visibility IS OLD.visibility
   AND (NEW.visibility IS NULL OR (NEW.visibility = 'public') IS NOT (NEW.is_public <> 0))
BEGIN
  UPDATE images SET visibility = CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END
   WHERE id = NEW.id;
END;
