-- A recovery token dies for good when its user is disabled or their email or password hash
-- changes, by any path. The binding digest already makes such a token fail while the change
-- stands; this makes it permanent, so re-enabling the user or changing the email back does
-- not bring an old link back to life.
alter table recovery_tokens add column revoked_at timestamptz;

-- A revoked token no longer holds the user's one live slot.
drop index recovery_tokens_one_live_per_user;
create unique index recovery_tokens_one_live_per_user on recovery_tokens (user_id)
    where used_at is null and superseded_at is null and revoked_at is null;

create function recovery_tokens_revoke_on_account_change() returns trigger
language plpgsql as $$
begin
    update recovery_tokens set revoked_at = now()
    where user_id = new.id and used_at is null and superseded_at is null and revoked_at is null;
    return new;
end;
$$;

create trigger users_account_change_revokes_recovery_tokens
    after update of disabled, email, password_hash on users
    for each row
    when (old.disabled is distinct from new.disabled
          or old.email is distinct from new.email
          or old.password_hash is distinct from new.password_hash)
    execute function recovery_tokens_revoke_on_account_change();
