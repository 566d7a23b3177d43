-- Real-world migration statements with the locks and work PostgreSQL 15 documents for
-- them. Each statement is preceded by one `-- expect:` line:
--   -- expect: <relation>=<LOCK MODE>[, ...]; work=<work>[; ops=<op>,<op>...]
-- `index:` before a relation marks an index. Read by locks_test.ts (and a sample of it by
-- tests/pg_locks_test.ts). Sources: bellows's bundled Glance migrations (migrations/),
-- the OpenStack Glance, Nova and Neutron Alembic histories (tests/fixtures/alembic_real),
-- and the unsafe/safe examples that strong_migrations, squawk and GitLab's migration
-- style guide publish.

-- expect: images=ACCESS EXCLUSIVE; work=metadata; ops=add-column
ALTER TABLE images ADD COLUMN visibility VARCHAR(9);

-- expect: images=SHARE; work=scan; ops=create-index
CREATE INDEX visibility_image_idx ON images (visibility);

-- expect: images=SHARE UPDATE EXCLUSIVE; work=scan; ops=create-index
CREATE INDEX CONCURRENTLY created_at_image_idx ON images (created_at);

-- expect: public.images=SHARE UPDATE EXCLUSIVE; work=scan; ops=create-index
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_images_checksum ON public.images USING btree (checksum) WHERE deleted = false;

-- expect: images=ACCESS EXCLUSIVE; work=metadata; ops=drop
ALTER TABLE images DROP COLUMN is_public;

-- expect: image_members=ACCESS EXCLUSIVE, images=ACCESS EXCLUSIVE; work=metadata; ops=drop
DROP TABLE image_members, images;

-- expect: index:visibility_image_idx=ACCESS EXCLUSIVE; work=metadata; ops=drop-index
DROP INDEX visibility_image_idx;

-- expect: index:ix_users_email=SHARE UPDATE EXCLUSIVE; work=metadata; ops=drop-index
DROP INDEX CONCURRENTLY IF EXISTS ix_users_email;

-- expect: users=ACCESS EXCLUSIVE; work=rewrite; ops=add-column
ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=add-column
ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=add-column
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=add-column
ALTER TABLE users ADD COLUMN some_column text NOT NULL;

-- expect: users=ACCESS EXCLUSIVE; work=rewrite; ops=add-column
ALTER TABLE users ADD COLUMN id2 bigserial;

-- expect: users=ACCESS EXCLUSIVE; work=rewrite; ops=add-column
ALTER TABLE users ADD COLUMN full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED;

-- expect: users=ACCESS EXCLUSIVE; work=rewrite-unless-compatible; ops=add-column
ALTER TABLE users ADD COLUMN slug text DEFAULT make_slug('x');

-- expect: users=ACCESS EXCLUSIVE; work=rewrite-unless-compatible; ops=alter-column-type
ALTER TABLE users ALTER COLUMN id TYPE bigint;

-- expect: tasks=ACCESS EXCLUSIVE; work=rewrite-unless-compatible; ops=alter-column-type
ALTER TABLE tasks ALTER COLUMN request_id SET DATA TYPE varchar(64) USING request_id::varchar(64);

-- expect: users=ACCESS EXCLUSIVE; work=scan; ops=set-not-null
ALTER TABLE users ALTER COLUMN some_column SET NOT NULL;

-- expect: users=ACCESS EXCLUSIVE; work=metadata
ALTER TABLE users ALTER COLUMN some_column DROP NOT NULL;

-- expect: users=ACCESS EXCLUSIVE; work=metadata
ALTER TABLE users ALTER COLUMN active SET DEFAULT false;

-- expect: users=ACCESS EXCLUSIVE; work=scan; ops=add-constraint
ALTER TABLE users ADD CONSTRAINT users_some_column_null CHECK (some_column IS NOT NULL);

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=add-constraint
ALTER TABLE users ADD CONSTRAINT users_some_column_null CHECK (some_column IS NOT NULL) NOT VALID;

-- expect: users=SHARE UPDATE EXCLUSIVE; work=scan; ops=validate-constraint
ALTER TABLE users VALIDATE CONSTRAINT users_some_column_null;

-- expect: users=ACCESS EXCLUSIVE; work=scan; ops=set-not-null,drop
ALTER TABLE users ALTER COLUMN some_column SET NOT NULL, DROP CONSTRAINT users_some_column_null;

-- expect: orders=SHARE ROW EXCLUSIVE, users=SHARE ROW EXCLUSIVE; work=scan; ops=add-constraint
ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES users (id);

-- expect: orders=SHARE ROW EXCLUSIVE, users=SHARE ROW EXCLUSIVE; work=metadata; ops=add-constraint
ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- expect: orders=SHARE UPDATE EXCLUSIVE; work=scan; ops=validate-constraint
ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_users;

-- expect: users=ACCESS EXCLUSIVE; work=scan; ops=add-constraint
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=add-constraint
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=rename
ALTER TABLE users RENAME COLUMN some_column TO new_name;

-- expect: users=ACCESS EXCLUSIVE; work=metadata; ops=rename
ALTER TABLE users RENAME TO customers;

-- expect: index:ix_old=SHARE UPDATE EXCLUSIVE; work=metadata; ops=rename
ALTER INDEX ix_old RENAME TO ix_new;

-- expect: images=SHARE ROW EXCLUSIVE; work=metadata; ops=create-other
CREATE TRIGGER images_visibility_sync BEFORE INSERT OR UPDATE ON images FOR EACH ROW EXECUTE FUNCTION images_visibility_sync();

-- expect: images=SHARE ROW EXCLUSIVE; work=metadata
ALTER TABLE images DISABLE TRIGGER images_visibility_sync;

-- expect: images=ACCESS EXCLUSIVE; work=metadata; ops=drop
DROP TRIGGER IF EXISTS images_visibility_sync ON images;

-- expect: work=none; ops=create-other
CREATE FUNCTION images_visibility_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

-- expect: images=ROW EXCLUSIVE; work=rows
UPDATE images SET visibility = CASE WHEN is_public THEN 'public' ELSE 'private' END WHERE visibility IS NULL;

-- expect: metadef_properties=ROW EXCLUSIVE; work=rows
DELETE FROM metadef_properties WHERE name = 'hw_watchdog_action';

-- expect: metadef_namespaces=ROW EXCLUSIVE; work=rows
INSERT INTO metadef_namespaces (namespace, display_name, created_at) VALUES ('OS::Compute::Watchdog', 'Watchdog', now());

-- expect: work=metadata; ops=create-table
CREATE TABLE image_tags (id SERIAL PRIMARY KEY, image_id VARCHAR(36) NOT NULL, value VARCHAR(255) NOT NULL);

-- expect: images=SHARE ROW EXCLUSIVE; work=metadata; ops=create-table
CREATE TABLE cached_images (id BIGSERIAL PRIMARY KEY, image_id VARCHAR(36) NOT NULL REFERENCES images (id), hits INTEGER DEFAULT 0);

-- expect: sessions=ACCESS EXCLUSIVE; work=rewrite
TRUNCATE sessions;

-- expect: users=SHARE; work=metadata
LOCK TABLE users IN SHARE MODE;

-- expect: users=ACCESS EXCLUSIVE; work=metadata
LOCK users;

-- expect: users=SHARE UPDATE EXCLUSIVE; work=scan
VACUUM ANALYZE users;

-- expect: users=ACCESS EXCLUSIVE; work=rewrite
VACUUM FULL users;

-- expect: users=SHARE; work=scan
REINDEX TABLE users;

-- expect: users=SHARE UPDATE EXCLUSIVE; work=scan
REINDEX TABLE CONCURRENTLY users;

-- expect: users=ACCESS EXCLUSIVE; work=rewrite
ALTER TABLE users SET TABLESPACE fast;

-- expect: users=SHARE UPDATE EXCLUSIVE; work=metadata
ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;

-- expect: users=SHARE UPDATE EXCLUSIVE; work=metadata
COMMENT ON COLUMN users.email IS 'login';

-- expect: work=none; ops=set-setting
SET lock_timeout = 0;

-- expect: work=none; ops=set-setting
RESET lock_timeout;

-- expect: work=none; ops=set-setting
SELECT set_config('lock_timeout', '0', false);

-- expect: measurements=SHARE UPDATE EXCLUSIVE, measurements_2024=ACCESS EXCLUSIVE; work=scan
ALTER TABLE measurements ATTACH PARTITION measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- expect: instances=ACCESS EXCLUSIVE, compute_nodes=SHARE ROW EXCLUSIVE; work=scan; ops=add-column,add-constraint
ALTER TABLE instances ADD COLUMN compute_id BIGINT REFERENCES compute_nodes (id);

-- expect: users=ACCESS EXCLUSIVE; work=scan; ops=add-column,add-column
ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int UNIQUE;
