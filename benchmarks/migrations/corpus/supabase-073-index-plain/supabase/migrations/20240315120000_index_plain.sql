SET lock_timeout = '2s';
create index profiles_username_idx on public.profiles (username);
