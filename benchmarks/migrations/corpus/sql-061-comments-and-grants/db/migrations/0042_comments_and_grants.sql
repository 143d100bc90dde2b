COMMENT ON TABLE users IS 'Registered members';
COMMENT ON COLUMN users.plan IS 'Billing plan';
GRANT SELECT ON users, orders TO analytics;
