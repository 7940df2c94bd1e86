//! The crate beside a host's own tables: everything it creates lives in its own schema, and
//! tables the host owns, whatever their names, are never touched.

use std::sync::Arc;

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::json;

use crate::helpers::{app, fixtures, TestDb};

/// The host's tables, named like the crate's, with rows; and the host's own diesel bookkeeping.
const HOST_SCHEMA: &str = "
    create table users (id bigint primary key, email text not null, password text not null);
    insert into users values (1, 'ann@example.org', 'host-hash-1'), (2, 'bob@example.org', 'host-hash-2');
    create table sessions (token text primary key, user_id bigint not null references users (id));
    insert into sessions values ('host-session-1', 1);
    create table audit_events (id serial primary key, what text not null);
    insert into audit_events (what) values ('host event');
    create table __diesel_schema_migrations (version varchar(50) primary key, run_on timestamp not null default now());
    insert into __diesel_schema_migrations (version) values ('20200101000000'), ('20200202000000');
";

/// Every row of the host's tables and the tables of `public`, as one text.
async fn host_state(conn: &mut AsyncPgConnection) -> String {
    #[derive(diesel::QueryableByName)]
    struct State {
        #[diesel(sql_type = diesel::sql_types::Text)]
        state: String,
    }
    let sql = "select concat_ws(' | ',
        (select string_agg(t::text, ',' order by t::text) from public.users t),
        (select string_agg(t::text, ',' order by t::text) from public.sessions t),
        (select string_agg(t::text, ',' order by t::text) from public.audit_events t),
        (select string_agg(t::text, ',' order by t::text) from public.__diesel_schema_migrations t),
        (select string_agg(table_name::text, ',' order by table_name) from information_schema.tables
           where table_schema = 'public'),
        (select string_agg(routine_name::text, ',' order by routine_name) from information_schema.routines
           where routine_schema = 'public')) as state";
    diesel::sql_query(sql).get_result::<State>(conn).await.expect("read the host's tables").state
}

#[rocket::async_test]
async fn the_host_tables_are_untouched_by_ignition_and_a_whole_recovery() {
    let db = TestDb::empty().await;
    let mut host = db.host_conn().await;
    fixtures::execute(&mut host, HOST_SCHEMA).await;
    let before = host_state(&mut host).await;
    assert!(before.contains("host-hash-1") && before.contains("20200202000000"), "{before}");

    let app = app().spawn_on(Arc::new(db)).await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;
    let r = app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await;
    assert_eq!(r.status().code, 200);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let token = fixtures::token_in(&app.smtp.received()[0]);
    let r = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(crate::helpers::json(r).await["valid"], true);
    let change =
        json!({"token": token, "new_password": "violet tugboat quarry lantern", "sign_out_everywhere": true});
    let r = app.post("/change-password", &change, None).await;
    assert_eq!(r.status().code, 200);
    assert_eq!(app.deliver_mail().await.sent, 1, "the notification");
    let hash = fixtures::password_hash(&mut conn, ann).await.unwrap_or_default();
    assert!(rocket_user_account::internals::verify(&hash, "violet tugboat quarry lantern"));

    assert_eq!(host_state(&mut host).await, before, "the host's tables and schema are as they were");
    // The crate's own bookkeeping is in its schema, beside its tables.
    let crate_tables = fixtures::count(
        &mut host,
        "information_schema.tables where table_schema = 'user_account' and table_name in \
         ('users', 'sessions', 'recovery_tokens', 'mail_outbox', 'audit_events', 'rate_limit_counters', \
          '__diesel_schema_migrations')",
    )
    .await;
    assert_eq!(crate_tables, 7);
}

#[rocket::async_test]
async fn the_schema_is_configurable_and_two_schemas_share_a_database() {
    let db = Arc::new(TestDb::empty().await);
    let first = app().spawn_on(Arc::clone(&db)).await;
    let second = app().set("user_account.schema", "accounts_two").spawn_on(Arc::clone(&db)).await;
    let mut host = db.host_conn().await;
    for schema in ["user_account", "accounts_two"] {
        let n = fixtures::count(&mut host, &format!("{schema}.__diesel_schema_migrations")).await;
        assert!(n >= 6, "{schema}: {n} migrations");
    }
    // An admin of the first schema is unknown to the second.
    let mut conn = first.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let body = json!({"email": "admin@example.org"});
    assert_eq!(first.post("/password-recovery", &body, Some(admin.expose())).await.status().code, 200);
    assert_eq!(second.post("/password-recovery", &body, Some(admin.expose())).await.status().code, 401);
    assert_eq!(fixtures::count(&mut host, "accounts_two.recovery_tokens").await, 0);
    assert_eq!(fixtures::count(&mut host, "user_account.recovery_tokens").await, 1);
}

#[rocket::async_test]
async fn a_schema_that_is_not_a_plain_name_stops_ignition() {
    let db = TestDb::empty().await;
    for bad in ["public", "pg_catalog", "User", "a;drop table users", ""] {
        let rocket = app().set("user_account.schema", bad).rocket(&db);
        assert!(crate::helpers::ignition_fails(rocket).await, "{bad:?}");
    }
}
