-- The default account store's accounts, for hosts that have none of their own. A host with
-- its own accounts plugs in an account store instead and this table stays empty. Like every
-- object of the crate, it lives in the crate's own schema (these migrations run with that
-- schema alone on the search_path), never beside the host's tables.
create table users (
    id uuid primary key default gen_random_uuid(),
    -- The address mail goes to. Nullable: a user without an email simply cannot be recovered.
    email text,
    -- NFKC + lowercase form of `email`, computed by the crate. Lookups compare this, never the
    -- raw input, so `MIKE@example.org` finds `mike@example.org` while a look-alike such as a
    -- dotless i does not collide with it.
    email_normalized text unique,
    display_name text not null default '',
    -- An argon2id PHC string. Nullable for users who never had a password.
    password_hash text,
    password_changed_at timestamptz,
    disabled boolean not null default false,
    -- Stored avatar bytes with their sniffed type, or a URL to redirect to (not both).
    avatar_bytes bytea,
    avatar_content_type text,
    avatar_url text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint users_email_normalized_present check ((email is null) = (email_normalized is null)),
    constraint users_avatar_bytes_typed check ((avatar_bytes is null) = (avatar_content_type is null)),
    constraint users_avatar_one_source check (avatar_bytes is null or avatar_url is null),
    constraint users_avatar_type_allowed
        check (avatar_content_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    -- The same cap the CLI enforces, so no other path can store a huge blob.
    constraint users_avatar_size check (octet_length(avatar_bytes) <= 1048576)
);
