set lock_timeout = '2s';
alter table public.profiles add column display_name text;
update public.profiles set display_name = username;
