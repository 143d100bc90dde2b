SET lock_timeout = '2s';
alter table public.profiles add column bio text;
