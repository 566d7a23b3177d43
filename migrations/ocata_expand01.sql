-- revision: ocata_expand01
-- down_revision: mitaka02
-- branch_labels: expand
-- message: add visibility to images
--
-- Glance Ocata, expand phase. Images get a visibility column (private, public,
-- shared or community) that replaces the boolean is_public. While Newton and
-- Ocata services run side by side, triggers keep the two columns in step
-- whichever one a service writes:
--   * a Newton service writes is_public; visibility follows: public, or shared
--     for a non-public image (Newton lets any image have members);
--   * an Ocata service writes visibility; is_public follows: true only for public.
-- Rows written before this revision keep visibility NULL until the data
-- migration ocata_migrate01 fills them in. ocata_contract01 drops the triggers
-- and is_public once no Newton service is left.

-- bellows:upgrade
ALTER TABLE images ADD COLUMN visibility VARCHAR(9);
CREATE INDEX visibility_image_idx ON images (visibility);

-- bellows:upgrade postgresql rolling
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

-- bellows:upgrade sqlite rolling
-- SQLite triggers cannot change NEW, so each one updates the row it fired for.
-- Those updates fire the other triggers in turn (recursive_triggers is off, so
-- never themselves); the WHEN clauses make that a no-op: is_public steers
-- visibility only when a writer changed is_public alone and the two disagree.
-- Without that, an Ocata service setting 'community' would see the is_public
-- trigger answer the visibility trigger's update with 'shared'.
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

-- bellows:downgrade postgresql
DROP TRIGGER IF EXISTS images_visibility_sync ON images;
DROP FUNCTION IF EXISTS images_visibility_sync();

-- bellows:downgrade sqlite
DROP TRIGGER IF EXISTS images_visibility_insert;
DROP TRIGGER IF EXISTS images_is_public_insert;
DROP TRIGGER IF EXISTS images_visibility_update;
DROP TRIGGER IF EXISTS images_is_public_update;

-- bellows:downgrade
DROP INDEX visibility_image_idx;
ALTER TABLE images DROP COLUMN visibility;
