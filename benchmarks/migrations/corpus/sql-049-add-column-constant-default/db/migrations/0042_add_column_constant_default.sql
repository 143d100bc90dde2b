SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN email_opt_in boolean NOT NULL DEFAULT false;
