SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN plan text;
UPDATE users SET plan = 'free';
