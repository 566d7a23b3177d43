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
--
-- On MySQL the triggers are Glance's own (insert_visibility, update_visibility):
-- a writer gives is_public or visibility, never both, and the trigger fills in
-- the other; an insert or update that sets both, or neither, or NULL, is
-- refused with Glance's message 'Invalid visibility value' (SQLSTATE 45000).
-- For that, is_public becomes nullable without a default, as Glance makes it.

-- bellows:upgrade
ALTER TABLE images ADD COLUMN visibility VARCHAR(9);
CREATE INDEX visibility_image_idx ON images (visibility);

-- bellows:upgrade mysql
ALTER TABLE images MODIFY is_public BOOLEAN NULL DEFAULT NULL;

-- bellows:upgrade mysql rolling
CREATE TRIGGER insert_visibility BEFORE INSERT ON images
FOR EACH ROW
BEGIN
    -- NOTE(abashmak):
    -- The following IF/ELSE block implements a priority decision tree.
    -- Strict order MUST be followed to correctly cover all the edge cases.

    -- Edge case: neither is_public nor visibility specified
    --            (or both specified as NULL):
    IF NEW.is_public <=> NULL AND NEW.visibility <=> NULL THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
    -- Edge case: both is_public and visibility specified:
    ELSEIF NOT(NEW.is_public <=> NULL OR NEW.visibility <=> NULL) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
    -- Inserting with is_public, set visibility accordingly:
    ELSEIF NOT NEW.is_public <=> NULL THEN
        IF NEW.is_public = 1 THEN
            SET NEW.visibility = 'public';
        ELSE
            SET NEW.visibility = 'shared';
        END IF;
    -- Inserting with visibility, set is_public accordingly:
    ELSEIF NOT NEW.visibility <=> NULL THEN
        IF NEW.visibility = 'public' THEN
            SET NEW.is_public = 1;
        ELSE
            SET NEW.is_public = 0;
        END IF;
    -- Edge case: either one of: is_public or visibility,
    --            is explicitly set to NULL:
    ELSE
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
    END IF;
END;

CREATE TRIGGER update_visibility BEFORE UPDATE ON images
FOR EACH ROW
BEGIN
    -- Case: new value specified for is_public:
    IF NOT NEW.is_public <=> OLD.is_public THEN
        -- Edge case: is_public explicitly set to NULL:
        IF NEW.is_public <=> NULL THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
        -- Edge case: new value also specified for visibility
        ELSEIF NOT NEW.visibility <=> OLD.visibility THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
        -- Case: visibility not specified or specified as OLD value:
        -- NOTE(abashmak): There is no way to reliably determine which
        -- of the above two cases occurred, but allowing to proceed with
        -- the update in either case does not break the model for both
        -- N and N-1 services.
        ELSE
            -- Set visibility according to the value of is_public:
            IF NEW.is_public <=> 1 THEN
                SET NEW.visibility = 'public';
            ELSE
                SET NEW.visibility = 'shared';
            END IF;
        END IF;
    -- Case: new value specified for visibility:
    ELSEIF NOT NEW.visibility <=> OLD.visibility THEN
        -- Edge case: visibility explicitly set to NULL:
        IF NEW.visibility <=> NULL THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
        -- Edge case: new value also specified for is_public
        ELSEIF NOT NEW.is_public <=> OLD.is_public THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid visibility value';
        -- Case: is_public not specified or specified as OLD value:
        -- NOTE(abashmak): There is no way to reliably determine which
        -- of the above two cases occurred, but allowing to proceed with
        -- the update in either case does not break the model for both
        -- N and N-1 services.
        ELSE
            -- Set is_public according to the value of visibility:
            IF NEW.visibility <=> 'public' THEN
                SET NEW.is_public = 1;
            ELSE
                SET NEW.is_public = 0;
            END IF;
        END IF;
    END IF;
END;

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

-- bellows:downgrade mysql
DROP TRIGGER IF EXISTS insert_visibility;
DROP TRIGGER IF EXISTS update_visibility;
UPDATE images SET is_public = (visibility = 'public') WHERE is_public IS NULL;
ALTER TABLE images MODIFY is_public BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX visibility_image_idx ON images;

-- bellows:downgrade postgresql
DROP INDEX visibility_image_idx;

-- bellows:downgrade sqlite
DROP INDEX visibility_image_idx;

-- bellows:downgrade
ALTER TABLE images DROP COLUMN visibility;
