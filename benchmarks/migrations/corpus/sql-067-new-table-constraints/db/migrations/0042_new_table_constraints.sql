CREATE TABLE coupons_v2 (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL,
    percent_off int NOT NULL
);
ALTER TABLE coupons_v2 ADD CONSTRAINT coupons_v2_code_key UNIQUE (code);
ALTER TABLE coupons_v2 ADD CONSTRAINT coupons_v2_percent CHECK (percent_off BETWEEN 1 AND 100);
ALTER TABLE coupons_v2 ALTER COLUMN code SET NOT NULL;
ALTER TABLE coupons_v2 RENAME COLUMN percent_off TO percent;
