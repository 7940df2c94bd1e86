// @generated automatically by Diesel CLI.

diesel::table! {
    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        event -> Text,
        request_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        actor_user_id -> Nullable<Uuid>,
        target_user_id -> Nullable<Uuid>,
        details -> Jsonb,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Uuid,
        kind -> Text,
        user_id -> Nullable<Uuid>,
        token_id -> Nullable<Uuid>,
        recipient -> Text,
        subject -> Text,
        body_text -> Nullable<Text>,
        body_html -> Nullable<Text>,
        message_id -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    rate_limit_counters (bucket, subject, window_start) {
        bucket -> Text,
        subject -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    recovery_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        binding -> Bytea,
        requested_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        superseded_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        scopes -> Array<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Nullable<Text>,
        email_normalized -> Nullable<Text>,
        display_name -> Text,
        password_hash -> Nullable<Text>,
        password_changed_at -> Nullable<Timestamptz>,
        disabled -> Bool,
        avatar_bytes -> Nullable<Bytea>,
        avatar_content_type -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(mail_outbox -> recovery_tokens (token_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    mail_outbox,
    rate_limit_counters,
    recovery_tokens,
    sessions,
    users,
);
