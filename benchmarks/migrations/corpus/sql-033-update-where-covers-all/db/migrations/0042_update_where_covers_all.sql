SET lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN tier text;
UPDATE accounts SET tier = 'basic' WHERE tier IS NULL;
