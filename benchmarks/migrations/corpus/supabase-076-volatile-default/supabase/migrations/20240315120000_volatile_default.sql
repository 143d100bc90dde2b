SET lock_timeout = '2s';
alter table public.orders add column receipt_id uuid default gen_random_uuid();
