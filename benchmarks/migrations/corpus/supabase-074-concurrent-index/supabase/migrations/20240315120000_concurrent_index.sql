create index concurrently if not exists posts_author_idx on public.posts (author_id);
