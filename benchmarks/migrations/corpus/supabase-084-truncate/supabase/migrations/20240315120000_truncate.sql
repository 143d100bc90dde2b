truncate table public.notifications;
