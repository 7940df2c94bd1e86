drop table recovery_tokens;
