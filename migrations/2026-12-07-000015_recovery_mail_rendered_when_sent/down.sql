update mail_outbox set subject = '' where subject is null;
alter table mail_outbox drop column context, alter column subject set not null;
