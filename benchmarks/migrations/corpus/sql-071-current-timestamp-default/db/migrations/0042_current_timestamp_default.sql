SET lock_timeout TO '5s';
ALTER TABLE invoices ADD COLUMN sent_at timestamptz DEFAULT CURRENT_TIMESTAMP;
