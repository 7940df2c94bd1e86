use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::MigrationHarness;
use rocket::local::asynchronous::Client;
use rocket_user_account::internals::{run_migrations, MIGRATIONS};

use crate::helpers::db::schema;
use crate::helpers::{app, TestDb};

async fn applied_versions(db: &TestDb) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.conn().await;
    let c: Count = diesel::sql_query("select count(*) as n from __diesel_schema_migrations")
        .get_result(&mut conn)
        .await
        .expect("count migrations");
    c.n
}

#[rocket::async_test]
async fn migrations_apply_from_empty_and_are_idempotent() {
    let db = TestDb::empty().await;
    let first = run_migrations(&db.url, &schema()).await.expect("first run");
    let second = run_migrations(&db.url, &schema()).await.expect("second run");
    assert!(first >= 6, "applied {first}");
    assert_eq!(second, 0);
    assert_eq!(applied_versions(&db).await, i64::try_from(first).expect("fits"));
}

#[rocket::async_test]
async fn every_migration_reverts_and_reapplies() {
    let db = TestDb::empty().await;
    run_migrations(&db.url, &schema()).await.expect("apply");
    let url = db.url.clone();
    let reverted = rocket::tokio::task::spawn_blocking(move || {
        use diesel::connection::{Connection as _, SimpleConnection as _};
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).expect("connect");
        conn.batch_execute(&format!("set search_path to {}", schema())).expect("search path");
        conn.revert_all_migrations(MIGRATIONS).map(|v| v.len()).expect("revert all")
    })
    .await
    .expect("join");
    assert!(reverted >= 6);
    assert_eq!(applied_versions(&db).await, 0);
    assert_eq!(run_migrations(&db.url, &schema()).await.expect("reapply"), reverted);
}

#[rocket::async_test]
async fn two_instances_igniting_at_once_on_an_empty_database_both_come_up() {
    let db = TestDb::empty().await;
    let (a, b) = rocket::tokio::join!(Client::tracked(app().rocket(&db)), Client::tracked(app().rocket(&db)));
    assert!(a.is_ok(), "first instance: {:?}", a.err());
    assert!(b.is_ok(), "second instance: {:?}", b.err());
    let embedded =
        diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).expect("embedded");
    let expected = i64::try_from(embedded.len()).expect("fits");
    assert_eq!(applied_versions(&db).await, expected);
}

/// The default store's tables (`users`, `sessions`) come only with the default store's set;
/// the crate's own set never needs them, and running the full set afterwards adds them.
#[rocket::async_test]
async fn the_default_stores_tables_come_only_with_its_migrations() {
    use rocket_user_account::internals::{run_migrations_of, Migrations};
    let db = TestDb::empty().await;
    let tables = "information_schema.tables where table_schema = 'user_account' and table_name in ('users', 'sessions')";
    let crate_only = run_migrations_of(&db.url, &schema(), Migrations::CRATE_ONLY).await.expect("crate only");
    let mut conn = db.conn().await;
    assert_eq!(crate::helpers::fixtures::count(&mut conn, tables).await, 0);
    assert_eq!(crate::helpers::fixtures::count(&mut conn, "information_schema.tables where table_schema = 'user_account' and table_name = 'recovery_tokens'").await, 1);
    let rest = run_migrations_of(&db.url, &schema(), Migrations::WITH_DEFAULT_STORE)
        .await
        .expect("with the default store");
    assert_eq!(crate::helpers::fixtures::count(&mut conn, tables).await, 2);
    assert_eq!(crate_only + rest, usize::try_from(applied_versions(&db).await).expect("fits"));
    assert_eq!(rest, 4, "users, sessions, their trigger and the users' locale");
}
