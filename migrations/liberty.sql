-- revision: liberty
-- down_revision:
-- message: initial image catalogue (Glance Liberty)
-- legacy_version: 42
--
-- The schema as SQLAlchemy-Migrate left it at version 42: images carry the old
-- boolean is_public flag, which Ocata replaces with a visibility column.

-- bellows:upgrade
CREATE TABLE images (
    id VARCHAR(36) NOT NULL,
    name VARCHAR(255),
    size BIGINT,
    status VARCHAR(30) NOT NULL,
    is_public BOOLEAN NOT NULL DEFAULT FALSE,
    owner VARCHAR(255),
    protected BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT images_pkey PRIMARY KEY (id)
);

CREATE INDEX ix_images_is_public ON images (is_public);
CREATE INDEX ix_images_deleted ON images (deleted);
CREATE INDEX owner_image_idx ON images (owner);

CREATE TABLE image_members (
    id INTEGER NOT NULL,
    image_id VARCHAR(36) NOT NULL REFERENCES images (id),
    member VARCHAR(255) NOT NULL,
    can_share BOOLEAN NOT NULL DEFAULT FALSE,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT image_members_pkey PRIMARY KEY (id),
    CONSTRAINT image_members_image_id_member_deleted_at_key UNIQUE (image_id, member, deleted_at)
);

CREATE INDEX ix_image_members_image_id_member ON image_members (image_id, member);

CREATE TABLE image_properties (
    id INTEGER NOT NULL,
    image_id VARCHAR(36) NOT NULL REFERENCES images (id),
    name VARCHAR(255) NOT NULL,
    value TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT image_properties_pkey PRIMARY KEY (id),
    CONSTRAINT ix_image_properties_image_id_name UNIQUE (image_id, name)
);

CREATE TABLE image_tags (
    id INTEGER NOT NULL,
    image_id VARCHAR(36) NOT NULL REFERENCES images (id),
    value VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT image_tags_pkey PRIMARY KEY (id)
);

CREATE INDEX ix_image_tags_image_id_tag_value ON image_tags (image_id, value);

-- bellows:downgrade
DROP TABLE image_tags;
DROP TABLE image_properties;
DROP TABLE image_members;
DROP TABLE images;
