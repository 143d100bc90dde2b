CREATE TABLE invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    total_cents bigint NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now()
);
