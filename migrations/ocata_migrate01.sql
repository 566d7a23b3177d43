-- data_migration: ocata_migrate01
-- after: ocata_expand01
-- message: fill in images.visibility from is_public and image members
--
-- Glance Ocata, migrate phase (Glance's ocata_migrate01_community_images). An
-- image written before ocata_expand01 has no visibility yet: it becomes public
-- if is_public, shared if it has members that are not deleted, private
-- otherwise (community is new in Ocata, so no older image is one). Images
-- written since get their visibility from the expand triggers, so the count
-- only goes down. Each batch fills at most --batch-size images; running it
-- again after an interruption carries on with the images still NULL. The
-- batch picks its ids in a derived table, as MySQL allows no LIMIT in an IN
-- subquery nor a subquery on the table it updates.

-- bellows:check
SELECT count(*) FROM images WHERE visibility IS NULL;

-- bellows:batch
UPDATE images
   SET visibility = CASE
         WHEN is_public THEN 'public'
         WHEN EXISTS (SELECT 1 FROM image_members m
                       WHERE m.image_id = images.id AND NOT m.deleted) THEN 'shared'
         ELSE 'private'
       END
 WHERE visibility IS NULL
   AND id IN (SELECT id FROM (SELECT id FROM images WHERE visibility IS NULL
                                ORDER BY id LIMIT :batch_size) AS batch);
