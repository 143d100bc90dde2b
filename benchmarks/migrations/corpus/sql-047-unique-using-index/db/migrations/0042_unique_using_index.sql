SET lock_timeout = '2s';
CREATE UNIQUE INDEX CONCURRENTLY users_email_uniq_idx ON users (email);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_uniq_idx;
