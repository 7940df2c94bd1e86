-- A recovery mail is rendered when it is sent, not when it is asked for: its row keeps the
-- values its templates take (`context`, JSON with the format's version `v`), not the rendered
-- subject and bodies. The request writes a few hundred bytes instead of a few kilobytes and
-- renders nothing. Like the bodies, `context` holds the live link, so it is wiped (set to
-- null) as soon as the mail is sent, dropped or abandoned. Other mails are still rendered when
-- queued, and a row queued by an earlier version keeps its bodies and is sent as it is.
alter table mail_outbox add column context text, alter column subject drop not null;
