SET lock_timeout = '2s';
ALTER TABLE order_lines ADD COLUMN total_cents bigint GENERATED ALWAYS AS (quantity * unit_cents) STORED;
