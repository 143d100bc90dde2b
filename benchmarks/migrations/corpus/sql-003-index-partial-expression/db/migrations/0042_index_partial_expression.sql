SET lock_timeout = '3s';
-- speeds up the login lookup
CREATE INDEX orders_lower_email_active_idx
    ON orders (lower(customer_email))
    WHERE deleted_at IS NULL;
