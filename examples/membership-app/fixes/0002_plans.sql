-- db/migrations/0002_plans.sql, rewritten the safe way (`make demo` shows the two side by
-- side, linted and dry-run).
--
-- Give up after 2 s instead of queueing every sign-up behind a long query:
SET lock_timeout = '2s';
-- A constant default fills existing members without a table rewrite (PostgreSQL 11+):
ALTER TABLE members ADD COLUMN plan text NOT NULL DEFAULT 'free';
-- Built without blocking writes, outside a transaction; IF NOT EXISTS lets a rerun pass
-- after a failed build (drop the invalid index it leaves first).
CREATE INDEX CONCURRENTLY IF NOT EXISTS members_email_idx ON members (email);
