SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN username TYPE varchar(32);
