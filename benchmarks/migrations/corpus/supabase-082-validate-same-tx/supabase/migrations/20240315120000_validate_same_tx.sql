set lock_timeout = '2s';
alter table public.comments add constraint comments_post_fk
    foreign key (post_id) references public.posts (id) not valid;
alter table public.comments validate constraint comments_post_fk;
