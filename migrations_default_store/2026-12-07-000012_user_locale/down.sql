alter table users drop column locale;
