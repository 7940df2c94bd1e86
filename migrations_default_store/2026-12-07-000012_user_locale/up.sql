-- The account's language, a BCP 47 tag such as `de` or `pt-BR` (its mails and the reset page
-- speak it); null means the configured default. A tag is short: 35 characters is the longest
-- registered form.
alter table users add column locale text constraint users_locale_short check (char_length(locale) <= 35);
