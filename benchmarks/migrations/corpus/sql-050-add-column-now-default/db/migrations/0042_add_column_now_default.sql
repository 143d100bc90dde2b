SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN synced_at timestamptz DEFAULT now();
