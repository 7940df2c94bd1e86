-- Self-service recovery requests (`POST forgot-password`) waiting for the worker. Answering one
-- costs the same whatever the address: this insert and nothing else. The worker looks the
-- account up later, issues the token and queues the mail (or refuses silently), and deletes the
-- row in the same transaction, so an address rests here only until its turn.
create table self_service_requests (
    -- In arrival order: the worker takes the oldest due first through the primary key.
    id bigint generated always as identity primary key,
    -- As the user typed it (trimmed); compared as the account store compares emails.
    email text not null,
    -- The language of the page the user asked from (a tag): the mail's when the account has none.
    language text,
    request_id text,
    client_ip text,
    created_at timestamptz not null default now(),
    -- Handling it failed this many times (the account store erred, say); it waits until
    -- `not_before` and is dropped after the fifth failure, so one bad row never stalls the queue.
    attempts integer not null default 0,
    not_before timestamptz not null default now()
);
