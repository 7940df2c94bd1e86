-- The worker purges audit events past `audit_retention_days`; this keeps that delete from
-- scanning the whole trail.
create index audit_events_occurred_at on audit_events (occurred_at);
