CREATE TABLE feature_flags (
    id serial PRIMARY KEY,
    key text NOT NULL UNIQUE,
    enabled boolean NOT NULL DEFAULT false
);
