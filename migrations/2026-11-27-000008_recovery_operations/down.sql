alter table mail_outbox drop column last_error_class;
drop index recovery_tokens_user_id;
drop index recovery_tokens_idempotency;
alter table recovery_tokens
    drop constraint recovery_tokens_keyed_subject,
    drop constraint recovery_tokens_keyed_request,
    drop constraint recovery_tokens_cancel_revokes,
    drop column request_hash,
    drop column idempotency_key_hash,
    drop column requested_by_subject,
    drop column cancelled_at;
