use crate::helpers::{app, ignition_fails, TestDb};

/// Ignition fails for each bad value; the message naming the key is covered by the unit tests
/// of `Config` and logged at ignition.
#[rocket::async_test]
async fn a_bad_configuration_value_stops_ignition() {
    let db = TestDb::empty().await;
    let cases: [(&str, serde_json::Value); 4] = [
        ("user_account.mount", "api/users".into()),
        ("user_account.public_url", "not a url".into()),
        ("user_account.token_ttl_secs", 100_000.into()),
        ("user_account.mail.transport", "pigeon".into()),
    ];
    for (key, value) in cases {
        let rocket = app().set(key, &value).rocket(&db);
        assert!(ignition_fails(rocket).await, "{key} = {value} must stop ignition");
    }
    let good = app().rocket(&db);
    assert!(!ignition_fails(good).await, "the same database with a good configuration ignites");
}

#[rocket::async_test]
async fn a_missing_database_url_stops_ignition() {
    let rocket = rocket::custom(rocket::Config::figment().merge(("log_level", "off")))
        .attach(rocket_user_account::UserAccount::fairing());
    assert!(ignition_fails(rocket).await);
}

#[rocket::async_test]
async fn an_unreachable_database_stops_ignition() {
    let db = TestDb::empty().await;
    let unreachable = db.url.replace(":5432/", ":1/").replace(":54330/", ":1/");
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("databases.user_account.url", unreachable));
    let rocket = rocket::custom(figment).attach(rocket_user_account::UserAccount::fairing());
    assert!(ignition_fails(rocket).await);
}
