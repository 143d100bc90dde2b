SET lock_timeout = '2s';
alter table public.profiles drop column website;
