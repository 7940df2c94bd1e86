alter table recovery_tokens drop column mailed_at;
