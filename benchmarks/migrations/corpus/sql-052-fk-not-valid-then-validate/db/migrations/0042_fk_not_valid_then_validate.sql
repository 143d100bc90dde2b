SET lock_timeout = '2s';
ALTER TABLE orders
    ADD CONSTRAINT orders_coupon_id_fkey FOREIGN KEY (coupon_id) REFERENCES coupons (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_coupon_id_fkey;
