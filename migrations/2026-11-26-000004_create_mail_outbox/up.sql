-- Transactional outbox: a request writes its mail here in the same transaction as the state
-- change that needs it, and a worker delivers it later. A request never waits on SMTP.
create table mail_outbox (
    id uuid primary key default gen_random_uuid(),
    kind text not null,
    -- The account's id (the host's, as text; no foreign key).
    user_id text,
    -- The recovery token this mail carries, if any: the worker drops the mail once that token
    -- is no longer live instead of sending it late.
    token_id uuid references recovery_tokens (id) on delete cascade,
    recipient text not null,
    subject text not null,
    -- Rendered bodies. They can hold a live token, so they are wiped (set to null) as soon as
    -- the mail is sent, dropped or abandoned.
    body_text text,
    body_html text,
    -- Stable per row, so a duplicate delivery after a crash is recognisable downstream.
    message_id text not null unique,
    status text not null default 'queued'
        check (status in ('queued', 'sent', 'dropped', 'abandoned')),
    attempts integer not null default 0 check (attempts >= 0),
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    sent_at timestamptz
);

-- The worker's claim query: due queued mails, oldest first.
create index mail_outbox_due on mail_outbox (next_attempt_at) where status = 'queued';
