drop trigger users_account_change_revokes_recovery_tokens on users;
drop function recovery_tokens_revoke_on_account_change();
drop index recovery_tokens_one_live_per_user;
create unique index recovery_tokens_one_live_per_user on recovery_tokens (user_id)
    where used_at is null and superseded_at is null;
alter table recovery_tokens drop column revoked_at;
