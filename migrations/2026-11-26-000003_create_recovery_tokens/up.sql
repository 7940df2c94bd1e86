-- Password-recovery tokens. The raw token exists only in the mail; this table keeps its
-- SHA-256 digest (a fast hash is enough for a 256-bit random secret).
create table recovery_tokens (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea not null unique check (octet_length(token_hash) = 32),
    -- Digest of the user's email and password hash when the token was issued: a token dies
    -- when either changes by any path, including ones that bypass this crate.
    binding bytea not null,
    -- The admin who asked for it; kept when that admin's account goes away.
    requested_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz,
    superseded_at timestamptz,
    constraint recovery_tokens_expiry_after_issue check (expires_at > created_at),
    constraint recovery_tokens_one_end check (used_at is null or superseded_at is null)
);

-- At most one live token per user, enforced by the database even when two instances issue
-- tokens for the same user at the same moment.
create unique index recovery_tokens_one_live_per_user on recovery_tokens (user_id)
    where used_at is null and superseded_at is null;

-- Purging used and expired tokens.
create index recovery_tokens_expires_at on recovery_tokens (expires_at);
