-- Paid plans. Planted launch problems: on the live members table this fails on the
-- first existing row (NOT NULL without a default), blocks every sign-up while the index
-- builds (no CONCURRENTLY), and waits for its lock with no lock_timeout.
ALTER TABLE members ADD COLUMN plan text NOT NULL;
CREATE INDEX members_email_idx ON members (email);
