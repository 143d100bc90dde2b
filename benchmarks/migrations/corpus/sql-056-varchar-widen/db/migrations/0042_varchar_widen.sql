SET lock_timeout = '2s';
ALTER TABLE companies ALTER COLUMN name TYPE varchar(255);
