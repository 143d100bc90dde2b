SET lock_timeout = '2s';
alter table public.profiles alter column username set not null;
