create type public.invite_status as enum ('pending', 'accepted', 'revoked');
create table public.invites (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    status public.invite_status not null default 'pending',
    created_at timestamptz not null default now()
);
