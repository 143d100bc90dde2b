BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN gift_message text;
ALTER TABLE orders ADD COLUMN is_gift boolean NOT NULL DEFAULT false;
COMMIT;
