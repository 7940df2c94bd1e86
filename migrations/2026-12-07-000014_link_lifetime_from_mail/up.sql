-- A recovery link's lifetime starts when its mail is accepted by the mail server, not when it
-- was asked for: a mail that waited out an SMTP outage still gives the user the whole
-- lifetime. Until then `expires_at` is the latest the mail may leave (`created_at` plus the
-- lifetime); when the mail is accepted the worker moves `expires_at` to `mailed_at` plus the
-- lifetime, in the statement that records the mail as sent.
alter table recovery_tokens add column mailed_at timestamptz;
