alter table mail_outbox add constraint mail_outbox_message_id_key unique (message_id);

drop index audit_events_occurred_at;
create index audit_events_occurred_at on audit_events (occurred_at);

drop index recovery_tokens_expires_at;
create index recovery_tokens_expires_at on recovery_tokens (expires_at);
