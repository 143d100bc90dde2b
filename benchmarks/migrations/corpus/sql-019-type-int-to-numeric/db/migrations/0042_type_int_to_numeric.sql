SET lock_timeout = '2s';
ALTER TABLE products ALTER COLUMN price SET DATA TYPE numeric(12, 2);
