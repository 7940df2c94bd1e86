-- What operators need to see and steer a recovery, and what lets a user cancel one.

alter table recovery_tokens
    -- The user said "this wasn't me" (the mail's cancel link). A cancelled token is revoked
    -- too, so every rule about ended tokens (and the one-live-per-user index) holds unchanged.
    add column cancelled_at timestamptz,
    -- The admin who asked, as the authenticator named them (`requested_by` is their account
    -- id, when they have one). Idempotency keys are scoped to it.
    add column requested_by_subject text,
    -- SHA-256 of the request's `Idempotency-Key`, and of the request it came with: a repeat
    -- with the same key and request answers this token's answer again, a repeat with another
    -- request is refused. Only digests are kept, and they go when the token is purged.
    add column idempotency_key_hash bytea check (octet_length(idempotency_key_hash) = 32),
    add column request_hash bytea check (octet_length(request_hash) = 32),
    add constraint recovery_tokens_cancel_revokes check (cancelled_at is null or revoked_at is not null),
    add constraint recovery_tokens_keyed_request
        check ((idempotency_key_hash is null) = (request_hash is null)),
    add constraint recovery_tokens_keyed_subject
        check (idempotency_key_hash is null or requested_by_subject is not null);

-- One token per (admin, key), also when two requests with one key race.
create unique index recovery_tokens_idempotency on recovery_tokens (requested_by_subject, idempotency_key_hash)
    where idempotency_key_hash is not null;

-- Listing a user's tokens for an admin.
create index recovery_tokens_user_id on recovery_tokens (user_id, created_at);

alter table mail_outbox
    -- What kind of failure the last attempt met (`connection`, `timeout`, `tls`, `transient`,
    -- `permanent`, `other`): what a status may show. `last_error` keeps the text for the log
    -- reader and is never answered.
    add column last_error_class text;
