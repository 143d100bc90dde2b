create or replace view public.published_posts with (security_invoker = on) as
  select id, title, author_id, published_at from public.posts where status = 'published';
