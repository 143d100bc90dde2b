SET lock_timeout = '2s';
ALTER TABLE products ADD CONSTRAINT products_price_nonneg CHECK (price_cents >= 0) NOT VALID;
ALTER TABLE products VALIDATE CONSTRAINT products_price_nonneg;
