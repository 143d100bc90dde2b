SET lock_timeout = '2s';
ALTER TABLE sessions ADD COLUMN touched_at timestamptz DEFAULT clock_timestamp();
