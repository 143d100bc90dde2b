SET lock_timeout = '2s';
alter table public.posts add constraint posts_author_fk foreign key (author_id) references public.profiles (id);
