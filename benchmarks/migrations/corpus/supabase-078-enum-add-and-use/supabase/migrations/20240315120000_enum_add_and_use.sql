alter type public.post_status add value 'archived';
update public.posts set status = 'archived' where published_at < '2020-01-01';
