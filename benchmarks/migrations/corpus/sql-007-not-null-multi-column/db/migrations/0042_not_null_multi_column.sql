SET lock_timeout = '2s';
ALTER TABLE orders
    ADD COLUMN note text,
    ADD COLUMN currency char(3) NOT NULL;
