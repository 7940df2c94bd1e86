use rocket::http::Header;
use rocket::request::Request;
use rocket::{get, routes};
use rocket_user_account::{AdminScope, AuthError, Authenticator, Principal};

use crate::helpers::{app, assert_error, fixtures, spawn_app, MOUNT};

#[get("/probe/admin")]
fn admin_probe(admin: AdminScope) -> String {
    admin.0.subject
}

fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

async fn get_probe<'a>(
    app: &'a crate::helpers::TestApp,
    auth: Option<Header<'static>>,
) -> rocket::local::asynchronous::LocalResponse<'a> {
    let mut request = app.get(format!("{MOUNT}/probe/admin"));
    if let Some(h) = auth {
        request = request.header(h);
    }
    request.dispatch().await
}

async fn assert_401(response: rocket::local::asynchronous::LocalResponse<'_>) {
    assert_eq!(response.headers().get_one("WWW-Authenticate"), Some("Bearer"));
    assert_error(response, 401, "unauthenticated").await;
}

#[rocket::async_test]
async fn admin_scope_refuses_missing_and_bad_credentials_with_401() {
    let app = app().routes(routes![admin_probe]).spawn().await;
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "admin@example.org").await;
    let expired = fixtures::session(&mut conn, user, &["admin"]).await;
    fixtures::expire_session(&mut conn, &expired).await;
    let revoked = fixtures::session(&mut conn, user, &["admin"]).await;
    fixtures::revoke_session(&mut conn, &revoked).await;
    let unknown = rocket_user_account::internals::PlainToken::generate();

    assert_401(get_probe(&app, None).await).await;
    assert_401(get_probe(&app, Some(Header::new("Authorization", "Basic YTpi"))).await).await;
    assert_401(get_probe(&app, Some(bearer("too-short"))).await).await;
    assert_401(get_probe(&app, Some(bearer(unknown.expose()))).await).await;
    assert_401(get_probe(&app, Some(bearer(expired.expose()))).await).await;
    assert_401(get_probe(&app, Some(bearer(revoked.expose()))).await).await;
}

#[rocket::async_test]
async fn admin_scope_refuses_a_disabled_users_token() {
    let app = app().routes(routes![admin_probe]).spawn().await;
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "admin@example.org").await;
    let token = fixtures::session(&mut conn, user, &["admin"]).await;
    assert_eq!(get_probe(&app, Some(bearer(token.expose()))).await.status().code, 200);
    fixtures::disable_user(&mut conn, user).await;
    assert_401(get_probe(&app, Some(bearer(token.expose()))).await).await;
}

#[rocket::async_test]
async fn admin_scope_answers_403_without_the_scope_and_passes_with_it() {
    let app = app().routes(routes![admin_probe]).spawn().await;
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "someone@example.org").await;
    let plain = fixtures::session(&mut conn, user, &["profile"]).await;
    let admin = fixtures::session(&mut conn, user, &["profile", "admin"]).await;

    assert_error(get_probe(&app, Some(bearer(plain.expose()))).await, 403, "forbidden").await;
    let ok = get_probe(&app, Some(bearer(admin.expose()))).await;
    assert_eq!(ok.status().code, 200);
    assert_eq!(ok.into_string().await.as_deref(), Some(user.to_string().as_str()));
}

#[rocket::async_test]
async fn the_admin_scope_name_is_configurable() {
    let app = app().set("user_account.admin_scope", "ops").routes(routes![admin_probe]).spawn().await;
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "ops@example.org").await;
    let admin = fixtures::session(&mut conn, user, &["admin"]).await;
    let ops = fixtures::session(&mut conn, user, &["ops"]).await;
    assert_error(get_probe(&app, Some(bearer(admin.expose()))).await, 403, "forbidden").await;
    assert_eq!(get_probe(&app, Some(bearer(ops.expose()))).await.status().code, 200);
}

struct HeaderKeys;

#[rocket::async_trait]
impl Authenticator for HeaderKeys {
    async fn authenticate(&self, request: &Request<'_>) -> Result<Principal, AuthError> {
        match request.headers().get_one("X-Api-Key") {
            None => Err(AuthError::Missing),
            Some("root-key") => {
                Ok(Principal { subject: "key:root".into(), user_id: None, scopes: vec!["admin".into()] })
            }
            Some("reader-key") => {
                Ok(Principal { subject: "key:reader".into(), user_id: None, scopes: vec![] })
            }
            Some(_) => Err(AuthError::Invalid),
        }
    }
}

#[rocket::async_test]
async fn a_custom_authenticator_given_to_the_builder_is_used() {
    let app = app().authenticator(HeaderKeys).routes(routes![admin_probe]).spawn().await;
    let key = |k: &'static str| Some(Header::new("X-Api-Key", k));

    let ok = get_probe(&app, key("root-key")).await;
    assert_eq!(ok.status().code, 200);
    assert_eq!(ok.into_string().await.as_deref(), Some("key:root"));
    assert_error(get_probe(&app, key("reader-key")).await, 403, "forbidden").await;
    assert_401(get_probe(&app, key("wrong")).await).await;
    // The default session lookup is not consulted any more.
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "a@example.org").await;
    let session = fixtures::session(&mut conn, user, &["admin"]).await;
    assert_401(get_probe(&app, Some(bearer(session.expose()))).await).await;
}

#[rocket::async_test]
async fn the_probe_path_is_a_json_404_until_a_host_mounts_a_route_there() {
    // The probe route above is the host's, not the crate's: without it the path is unknown.
    let app = spawn_app().await;
    let response = app.get(format!("{MOUNT}/probe/admin")).dispatch().await;
    assert_error(response, 404, "not_found").await;
}
