SET lock_timeout = '2s';
alter table public.messages alter column id type bigint;
