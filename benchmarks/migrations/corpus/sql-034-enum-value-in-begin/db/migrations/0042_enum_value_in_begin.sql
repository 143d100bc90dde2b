BEGIN;
ALTER TYPE subscription_plan ADD VALUE 'gold';
UPDATE subscriptions SET plan = 'gold' WHERE legacy_code = 'G1';
COMMIT;
