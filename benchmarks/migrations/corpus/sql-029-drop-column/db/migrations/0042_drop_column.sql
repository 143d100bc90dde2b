SET lock_timeout = '2s';
ALTER TABLE users DROP COLUMN legacy_plan;
