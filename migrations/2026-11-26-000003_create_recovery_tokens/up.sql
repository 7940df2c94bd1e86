-- Password-recovery tokens. The raw token exists only in the mail; this table keeps its
-- SHA-256 digest (a fast hash is enough for a 256-bit random secret).
create table recovery_tokens (
    id uuid primary key default gen_random_uuid(),
    -- The account's id as the account store gives it (the host's own ids: a UUID, a number,
    -- anything). No foreign key: the accounts may live in the host's tables.
    user_id text not null,
    token_hash bytea not null unique check (octet_length(token_hash) = 32),
    -- The account's fingerprint (email and credentials) when the token was issued: the token
    -- is live only while the account still has it, whatever path changed the account.
    binding bytea not null,
    -- The admin who asked for it, as the authenticator named them; recorded, never required
    -- to exist.
    requested_by text,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz,
    superseded_at timestamptz,
    -- Killed for good: the password was changed with another token, or (default store) the
    -- account's email, password or disabled flag changed.
    revoked_at timestamptz,
    constraint recovery_tokens_expiry_after_issue check (expires_at > created_at),
    constraint recovery_tokens_one_end check (used_at is null or superseded_at is null)
);

-- At most one live token per account, enforced by the database even when two instances issue
-- tokens for the same account at the same moment.
create unique index recovery_tokens_one_live_per_user on recovery_tokens (user_id)
    where used_at is null and superseded_at is null and revoked_at is null;

-- Purging used and expired tokens.
create index recovery_tokens_expires_at on recovery_tokens (expires_at);
