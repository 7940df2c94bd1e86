-- Every recovery writes a token row (and supersedes one), a mail and an audit event; each of
-- their B-tree entries is work on the request's path. Two indexes are read only by the purge's
-- range scans, over columns that grow with insertion order (a token's expiry is its creation
-- plus the configured lifetime; an event's time is its insertion): a BRIN index serves those
-- for almost nothing per insert. And a mail's `message_id` is made from its row id, so it is
-- unique by construction: its unique index only cost an entry per mail.
drop index recovery_tokens_expires_at;
create index recovery_tokens_expires_at on recovery_tokens using brin (expires_at);

drop index audit_events_occurred_at;
create index audit_events_occurred_at on audit_events using brin (occurred_at);

alter table mail_outbox drop constraint mail_outbox_message_id_key;
