SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN bio TYPE text;
ALTER TABLE users ALTER COLUMN login_count TYPE bigint;
