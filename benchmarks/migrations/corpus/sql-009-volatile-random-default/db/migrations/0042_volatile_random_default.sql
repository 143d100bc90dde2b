SET lock_timeout = '2s';
ALTER TABLE experiments ADD COLUMN bucket float8 DEFAULT random();
