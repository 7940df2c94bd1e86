-- Default store only: a recovery token dies for good when its user is disabled or their email
-- or password hash changes, by any path. The fingerprint comparison already makes such a
-- token fail while the change stands; this makes it permanent, so re-enabling the user or
-- changing the email back does not bring an old link back to life. (A host's own store gets
-- the comparison, at verify and at redeem, but no trigger: its tables are not the crate's.)
create function recovery_tokens_revoke_on_account_change() returns trigger
language plpgsql
-- The function runs with the search_path of whoever updates `users`; pin it to the crate's
-- schema (the one these migrations run in) so it always finds `recovery_tokens`.
set search_path from current
as $$
begin
    update recovery_tokens set revoked_at = now()
    where user_id = new.id::text and used_at is null and superseded_at is null and revoked_at is null;
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
