-- Append-only audit trail. No foreign keys: the record of what happened outlives the users it
-- names. Never holds a secret.
create table audit_events (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    event text not null,
    request_id text,
    client_ip text,
    actor_user_id uuid,
    target_user_id uuid,
    details jsonb not null default '{}'
);

create index audit_events_event_time on audit_events (event, occurred_at);
create index audit_events_target on audit_events (target_user_id) where target_user_id is not null;
