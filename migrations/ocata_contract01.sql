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
-- so there it stays nullable. On MySQL it does as on PostgreSQL, and Glance's
-- two triggers go (Glance's ocata_contract01). The triggers are dropped with
-- IF EXISTS because `bellows sync` never created them (they are rolling
-- sections).
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

-- bellows:upgrade mysql
DROP TRIGGER IF EXISTS insert_visibility;
DROP TRIGGER IF EXISTS update_visibility;
ALTER TABLE images MODIFY visibility VARCHAR(9) NOT NULL DEFAULT 'shared';
DROP INDEX ix_images_is_public ON images;

-- bellows:upgrade postgresql
DROP INDEX ix_images_is_public;

-- bellows:upgrade sqlite
DROP INDEX ix_images_is_public;

-- bellows:upgrade
ALTER TABLE images DROP COLUMN is_public;

-- bellows:downgrade
-- Back to the expanded schema: is_public again, in step with visibility.
ALTER TABLE images ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE images SET is_public = CASE WHEN visibility = 'public' THEN TRUE ELSE FALSE END;
CREATE INDEX ix_images_is_public ON images (is_public);

-- bellows:downgrade postgresql
ALTER TABLE images ALTER COLUMN visibility DROP NOT NULL;
ALTER TABLE images ALTER COLUMN visibility DROP DEFAULT;

-- bellows:downgrade mysql
-- The expanded schema as ocata_expand01 leaves it on MySQL.
ALTER TABLE images MODIFY visibility VARCHAR(9) NULL DEFAULT NULL;
ALTER TABLE images MODIFY is_public BOOLEAN NULL DEFAULT NULL;

-- bellows:downgrade mysql rolling
-- The same triggers as ocata_expand01's, for old services started again.
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
