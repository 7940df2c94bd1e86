-- The language a mail was written in (a BCP 47 tag such as `de` or `pt-BR`), for its
-- `Content-Language` header. Null for mails queued before languages existed.
alter table mail_outbox add column language text;
