SET lock_timeout = '2s';
alter table public.todos rename to tasks;
