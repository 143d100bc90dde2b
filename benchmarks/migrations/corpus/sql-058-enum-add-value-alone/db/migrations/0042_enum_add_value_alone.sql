ALTER TYPE subscription_plan ADD VALUE IF NOT EXISTS 'enterprise';
