-- The default store's bearer sessions. Only a SHA-256 digest of each token is stored, so a
-- database leak does not hand out working credentials.
create table sessions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea not null unique check (octet_length(token_hash) = 32),
    scopes text[] not null default '{}',
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz
);

-- Counting and revoking a user's live sessions after a password change.
create index sessions_user_live on sessions (user_id) where revoked_at is null;
