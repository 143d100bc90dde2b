CREATE UNIQUE INDEX accounts_slug_key ON accounts (slug);
