drop index audit_events_occurred_at;
