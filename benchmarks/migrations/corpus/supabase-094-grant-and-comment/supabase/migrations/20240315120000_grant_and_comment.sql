grant select on table public.published_posts to anon, authenticated;
comment on table public.profiles is 'Public profile of each auth user';
