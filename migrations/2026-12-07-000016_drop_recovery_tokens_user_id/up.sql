-- Every query that reads a user's tokens asks for the live ones only (`used_at`, `superseded_at`
-- and `revoked_at` null), which the one-live-per-user partial index already finds; this index
-- on every token was read by none of them, and cost an entry per issued token and another per
-- superseded one (that update cannot be HOT, its columns being in the partial index's predicate).
drop index recovery_tokens_user_id;
