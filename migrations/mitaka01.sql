-- revision: mitaka01
-- down_revision: liberty
-- message: add index on created_at and updated_at columns of 'images' table
-- legacy_version: 43

-- bellows:upgrade
CREATE INDEX created_at_image_idx ON images (created_at);
CREATE INDEX updated_at_image_idx ON images (updated_at);

-- bellows:downgrade postgresql
DROP INDEX updated_at_image_idx;
DROP INDEX created_at_image_idx;

-- bellows:downgrade sqlite
DROP INDEX updated_at_image_idx;
DROP INDEX created_at_image_idx;

-- bellows:downgrade mysql
-- MySQL's indexes belong to their table.
DROP INDEX updated_at_image_idx ON images;
DROP INDEX created_at_image_idx ON images;
