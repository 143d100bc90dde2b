SET lock_timeout = '2s';
ALTER TABLE line_items ADD CONSTRAINT line_items_qty_positive CHECK (quantity > 0);
