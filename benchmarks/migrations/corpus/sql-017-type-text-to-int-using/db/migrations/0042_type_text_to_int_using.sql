SET lock_timeout = '2s';
ALTER TABLE addresses ALTER COLUMN zip_code TYPE integer USING zip_code::integer;
