-- revision: mitaka02
-- down_revision: mitaka01
-- message: update property names from 'OS::Nova::Instance' to 'OS::Nova::Server'
-- legacy_version: 44

-- bellows:upgrade
UPDATE image_properties SET value = 'OS::Nova::Server'
 WHERE name = 'resource_type' AND value = 'OS::Nova::Instance';

-- bellows:downgrade
UPDATE image_properties SET value = 'OS::Nova::Instance'
 WHERE name = 'resource_type' AND value = 'OS::Nova::Server';
