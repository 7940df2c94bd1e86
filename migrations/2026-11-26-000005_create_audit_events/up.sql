-- Append-only audit trail. No foreign keys: the record of what happened outlives the accounts
-- it names, which are the host's ids as text. Never holds a secret.
create table audit_events (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    event text not null,
    request_id text,
    client_ip text,
    actor_user_id text,
    target_user_id text,
    details jsonb not null default '{}'
);

create index audit_events_event_time on audit_events (event, occurred_at);
create index audit_events_target on audit_events (target_user_id) where target_user_id is not null;
-- The worker purges events past `audit_retention_days`; this keeps that delete from scanning
-- the whole trail.
create index audit_events_occurred_at on audit_events (occurred_at);
