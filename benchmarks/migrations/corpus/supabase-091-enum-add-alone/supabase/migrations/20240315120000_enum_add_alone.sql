alter type public.post_status add value if not exists 'scheduled';
