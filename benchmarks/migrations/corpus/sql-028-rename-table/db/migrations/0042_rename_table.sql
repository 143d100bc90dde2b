SET lock_timeout = '2s';
ALTER TABLE invoices RENAME TO bills;
