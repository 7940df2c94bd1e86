create index recovery_tokens_user_id on recovery_tokens (user_id, created_at);
