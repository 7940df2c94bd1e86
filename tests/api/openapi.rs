//! `GET <mount>/openapi.json`: the document is OpenAPI 3.1, lists exactly the routes the crate
//! mounts, under the mount it is mounted at, and what the server really answers fits it.

use std::collections::BTreeSet;

use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::{json, Value};

use crate::helpers::{app, assert_json_no_store, fixtures, json, spawn_app, TestApp, MOUNT};

/// The document served by `app` at `mount`.
async fn document(app: &TestApp, mount: &str) -> Value {
    let response = app.get(format!("{mount}/openapi.json")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_json_no_store(&response, "openapi.json");
    json(response).await
}

/// `(method, path)` of every operation in `doc`.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item").keys();
            methods.map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

/// `(method, path)` of every route the crate mounted at `mount`, in OpenAPI's `{param}` form.
/// The unnamed routes there are the 405 answers for the other methods of each path, which the
/// document describes once (the `MethodNotAllowed` response) rather than as operations.
fn mounted_routes(app: &TestApp, mount: &str) -> BTreeSet<(String, String)> {
    app.client
        .rocket()
        .routes()
        // The reset page's assets are static files for the page, not API operations.
        .filter(|route| {
            route.uri.base() == mount
                && route.name.as_deref().is_some_and(|name| name != "user_account::reset_page")
        })
        .map(|route| (route.method.as_str().to_owned(), route.uri.path().replace('<', "{").replace('>', "}")))
        .collect()
}

#[rocket::async_test]
async fn the_document_is_openapi_3_1_served_as_json_with_the_crates_headers() {
    let app = spawn_app().await;
    let doc = document(&app, MOUNT).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(document(&app, MOUNT).await, doc, "the same document every time");

    // Every `$ref` resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"").skip(1).filter_map(|rest| rest.split('"').next()) {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{reference} resolves");
    }

    let head = app.req(Method::Head, format!("{MOUNT}/openapi.json")).dispatch().await;
    assert_eq!(head.status(), Status::Ok);
    let post = app.req(Method::Post, format!("{MOUNT}/openapi.json")).dispatch().await;
    assert_eq!(post.status(), Status::MethodNotAllowed);
    assert_eq!(post.headers().get_one("Allow"), Some("GET, HEAD"));
}

#[rocket::async_test]
async fn every_route_the_crate_mounts_is_documented_and_nothing_else() {
    let debug = spawn_app().await;
    let doc = document(&debug, MOUNT).await;
    let documented = operations(&doc);
    assert_eq!(documented, mounted_routes(&debug, MOUNT));
    for expected in [
        "/password-recovery",
        "/verify-recovery-token",
        "/change-password",
        "/{id}/avatar",
        "/password-recovery/{recovery_id}",
        "/recovery-tokens",
        "/recovery-tokens/{token_id}",
        "/cancel-recovery",
    ] {
        assert!(documented.iter().any(|(_, path)| *path == format!("{MOUNT}{expected}")), "{expected}");
    }

    // Outside debug mode the avatar route does not exist, and the document says so.
    let release = app().profile("release").spawn().await;
    let doc = document(&release, MOUNT).await;
    let documented = operations(&doc);
    assert_eq!(documented, mounted_routes(&release, MOUNT));
    assert!(!documented.iter().any(|(_, path)| path.ends_with("/avatar")), "{documented:?}");
    assert_eq!(documented.len(), 8, "{documented:?}");
}

#[rocket::async_test]
async fn the_configured_mount_is_honoured() {
    for mount in ["/accounts/v2", "/"] {
        let app = app().set("user_account.mount", mount).spawn().await;
        let prefix = mount.trim_end_matches('/');
        let doc = document(&app, prefix).await;
        let documented = operations(&doc);
        assert_eq!(documented, mounted_routes(&app, mount), "{mount}");
        assert!(documented.iter().all(|(_, path)| path.starts_with(&format!("{prefix}/"))), "{documented:?}");
        assert!(
            documented.contains(&("POST".into(), format!("{prefix}/password-recovery"))),
            "{documented:?}"
        );
        assert_eq!(doc["servers"].as_array().map(|s| s.len()), Some(1), "one server");
        assert_eq!(doc["servers"][0]["url"], "/", "the paths are absolute: no server prefix");
        if mount != "/" {
            let elsewhere = app.get(format!("{MOUNT}/openapi.json")).dispatch().await;
            assert_eq!(elsewhere.status(), Status::NotFound);
        }
    }
}

#[rocket::async_test]
async fn bodies_and_security_are_described_as_the_server_takes_them() {
    let app = app().set("user_account.self_service_recovery", true).spawn().await;
    let doc = document(&app, MOUNT).await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["TokenRequest"]["additionalProperties"], false);
    assert_eq!(schemas["PasswordReset"]["additionalProperties"], false);
    assert_eq!(schemas["PasswordReset"]["properties"]["new_password"]["type"], "string");
    assert_eq!(schemas["PasswordReset"]["required"], json!(["token", "new_password"]));
    // Exactly one of `email` and `user_id`: two named shapes, each refusing the other's field.
    let shapes: Vec<&Value> = schemas["PasswordRecovery"]["anyOf"]
        .as_array()
        .expect("two shapes")
        .iter()
        .map(|shape| resolve(&doc, shape))
        .collect();
    assert_eq!(shapes, [&schemas["PasswordRecoveryByEmail"], &schemas["PasswordRecoveryByUserId"]]);
    for (shape, (field, other)) in shapes.iter().zip([("email", "user_id"), ("user_id", "email")]) {
        assert_eq!(shape["required"], json!([field]), "{shape}");
        assert_eq!(shape["properties"][other]["type"], "null", "{shape}");
        assert_eq!(shape["additionalProperties"], false, "{shape}");
    }
    assert_eq!(schemas["Reason"]["enum"], json!(["invalid", "expired", "used", "superseded", "cancelled"]));
    let key = &doc["paths"][format!("{MOUNT}/password-recovery")]["post"]["parameters"][0];
    assert_eq!((&key["name"], &key["in"]), (&json!("Idempotency-Key"), &json!("header")), "{key}");
    assert_eq!(key["schema"]["maxLength"], 255, "{key}");
    assert_eq!(key["schema"]["type"], "string", "a header is never null: {key}");
    assert_eq!(key["required"], false, "{key}");
    for (method, path) in [
        ("get", "/password-recovery/{recovery_id}"),
        ("get", "/recovery-tokens"),
        ("delete", "/recovery-tokens/{token_id}"),
    ] {
        let op = &doc["paths"][format!("{MOUNT}{path}")][method];
        assert_eq!(op["security"], json!([{"bearer": []}]), "{path}");
    }
    // The public operations say so: `security: []`.
    for (method, path) in [
        ("post", "/cancel-recovery"),
        ("post", "/verify-recovery-token"),
        ("post", "/change-password"),
        ("post", "/forgot-password"),
        ("get", "/openapi.json"),
        ("get", "/{id}/avatar"),
    ] {
        let op = &doc["paths"][format!("{MOUNT}{path}")][method];
        assert_eq!(op["security"], json!([]), "{path}");
    }

    let recovery = &doc["paths"][format!("{MOUNT}/password-recovery")]["post"];
    assert_eq!(recovery["security"], json!([{"bearer": []}]));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let unauthorized = &doc["components"]["responses"]["Unauthorized"];
    assert!(unauthorized["headers"].get("WWW-Authenticate").is_some(), "{unauthorized}");
    assert!(doc["components"]["responses"]["TooManyRequests"]["headers"].get("Retry-After").is_some());
    // Every component is used (the 405 is described in `info`, not as an unused response).
    let text = doc.to_string();
    for (kind, names) in
        [("responses", &doc["components"]["responses"]), ("schemas", &doc["components"]["schemas"])]
    {
        for name in names.as_object().expect("components").keys() {
            let used = format!("\"#/components/{kind}/{name}\"");
            assert!(text.contains(&used), "{kind}/{name} is never used");
        }
    }
    assert!(doc["info"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("405 `method_not_allowed` with `Allow`")));
}

/// Asserts that `response` to `method path` is documented: its status, the headers the
/// document lists for that status, and its content type among the documented ones. Returns
/// the documented response.
fn documented<'d>(doc: &'d Value, method: &str, path: &str, response: &LocalResponse<'_>) -> &'d Value {
    let status = response.status().code.to_string();
    let operation = &doc["paths"][path][method.to_lowercase()];
    let documented = resolve(doc, &operation["responses"][&status]);
    assert!(documented.is_object(), "{method} {path}: {status} is not documented");
    for name in documented["headers"].as_object().into_iter().flat_map(|h| h.keys()) {
        assert!(response.headers().get_one(name).is_some(), "{method} {path} {status}: no {name} header");
    }
    let content_type = response.content_type().map(|ct| format!("{}/{}", ct.top(), ct.sub()));
    match documented["content"].as_object() {
        Some(content) => {
            let ct = content_type.unwrap_or_default();
            assert!(content.contains_key(&ct), "{method} {path} {status}: {ct} is not documented");
        }
        None => assert_eq!(content_type, None, "{method} {path} {status}: a body where none is documented"),
    }
    documented
}

/// Asserts that `response` to `method path` is documented and that its JSON body fits the
/// documented schema; returns the body.
async fn conforms(doc: &Value, method: &str, path: &str, response: LocalResponse<'_>) -> Value {
    let documented = documented(doc, method, path, &response);
    let status = response.status().code;
    let body = json(response).await;
    let schema = &documented["content"]["application/json"]["schema"];
    let mut errors = Vec::new();
    check(doc, schema, &body, "$", &mut errors);
    assert!(errors.is_empty(), "{method} {path} {status}: {body} does not fit: {errors:?}");
    body
}

/// `value` with a `$ref` followed.
fn resolve<'d>(doc: &'d Value, value: &'d Value) -> &'d Value {
    match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => resolve(doc, doc.pointer(pointer).unwrap_or(&Value::Null)),
        None => value,
    }
}

/// The JSON Schema keywords the document uses: `$ref`, `type` (one or several), `enum`,
/// `required`, `properties`, `additionalProperties: false`, `oneOf`, `anyOf`, `items`,
/// `minimum`, `maximum`, `format: date-time`.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    for (keyword, fits_how_many) in [("oneOf", "exactly one"), ("anyOf", "at least one")] {
        let Some(branches) = schema[keyword].as_array() else { continue };
        let fits = branches
            .iter()
            .filter(|branch| {
                let mut branch_errors = Vec::new();
                check(doc, branch, value, at, &mut branch_errors);
                branch_errors.is_empty()
            })
            .count();
        if (keyword == "oneOf" && fits != 1) || fits == 0 {
            errors.push(format!("{at}: fits {fits} of the {keyword} branches, not {fits_how_many}"));
        }
    }
    let fits = |ty: &str| match ty {
        "object" => value.is_object(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        _ => true,
    };
    let type_fits = match &schema["type"] {
        Value::String(ty) => fits(ty),
        Value::Array(types) => types.iter().filter_map(Value::as_str).any(fits),
        _ => true,
    };
    if !type_fits {
        errors.push(format!("{at}: {value} is not of type {}", schema["type"]));
        return;
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"), errors);
        }
    }
    if let (Some(maximum), Some(n)) = (schema["maximum"].as_f64(), value.as_f64()) {
        if n > maximum {
            errors.push(format!("{at}: {n} > {maximum}"));
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(minimum), Some(n)) = (schema["minimum"].as_f64(), value.as_f64()) {
        if n < minimum {
            errors.push(format!("{at}: {n} < {minimum}"));
        }
    }
    if schema["format"] == "date-time"
        && !value.is_null()
        && value.as_str().is_none_or(|s| chrono::DateTime::parse_from_rfc3339(s).is_err())
    {
        errors.push(format!("{at}: {value} is not a date-time"));
    }
    let Some(object) = value.as_object() else { return };
    for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !object.contains_key(name) {
            errors.push(format!("{at}: `{name}` is missing"));
        }
    }
    let properties = schema["properties"].as_object();
    for (name, field) in object {
        match properties.and_then(|p| p.get(name)) {
            Some(field_schema) => check(doc, field_schema, field, &format!("{at}.{name}"), errors),
            None if schema["additionalProperties"] == false => {
                errors.push(format!("{at}: `{name}` is not in the schema"));
            }
            None => {}
        }
    }
}

#[rocket::async_test]
async fn what_the_server_answers_fits_the_document() {
    // Room for the public calls below before the per-IP limit answers 429 at the end.
    let app = app().set("user_account.rate_limits.public_per_ip_minute", 12).spawn().await;
    let doc = document(&app, MOUNT).await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let (recover, verify, change) = (
        format!("{MOUNT}/password-recovery"),
        format!("{MOUNT}/verify-recovery-token"),
        format!("{MOUNT}/change-password"),
    );

    // The flow, every success answer checked against its schema.
    let r = app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await;
    let queued = conforms(&doc, "POST", &recover, r).await;
    assert_eq!(queued["user_id"], ann.to_string());
    assert_eq!(app.deliver_mail().await.sent, 1);
    let token = fixtures::token_in(app.smtp.received().last().expect("the recovery mail"));
    let r = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(conforms(&doc, "POST", &verify, r).await["valid"], true);
    let new_password = json!({"token": token, "new_password": "violet tugboat quarry lantern"});
    // The admin's views, then the weak-password answers with their typed details.
    let recovery = queued["recovery_id"].as_str().unwrap_or_default();
    let status_path = format!("{MOUNT}/password-recovery/{{recovery_id}}");
    let r = app
        .get(format!("{MOUNT}/password-recovery/{recovery}"))
        .header(Header::new("Authorization", format!("Bearer {}", admin.expose())))
        .dispatch()
        .await;
    let status = conforms(&doc, "GET", &status_path, r).await;
    assert_eq!(
        (&status["token"], &status["delivery"]["state"]),
        (&json!("live"), &json!("sent")),
        "{status}"
    );
    let list_path = format!("{MOUNT}/recovery-tokens");
    let r = app
        .get(format!("{list_path}?user_id={ann}"))
        .header(Header::new("Authorization", format!("Bearer {}", admin.expose())))
        .dispatch()
        .await;
    assert_eq!(conforms(&doc, "GET", &list_path, r).await["tokens"][0]["token_id"], recovery);
    for (weak, reason) in [("short", "too_short"), ("passwordpassword", "too_guessable")] {
        let r = app.post("/change-password", &json!({"token": token, "new_password": weak}), None).await;
        let error = conforms(&doc, "POST", &change, r).await;
        assert_eq!(
            (&error["error"]["code"], &error["error"]["details"]["reason"]),
            (&json!("weak_password"), &json!(reason))
        );
    }
    let r = app.post("/change-password", &new_password, None).await;
    assert_eq!(conforms(&doc, "POST", &change, r).await["status"], "password_changed");
    let r = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(conforms(&doc, "POST", &verify, r).await, json!({"valid": false, "reason": "used"}));

    // Errors: the envelope, with the headers their status documents.
    let r = app.post("/change-password", &new_password, None).await;
    assert_eq!(conforms(&doc, "POST", &change, r).await["error"]["code"], "invalid_token");
    let r = app.post("/password-recovery", &json!({"email": "ann@example.org"}), None).await;
    assert_eq!(conforms(&doc, "POST", &recover, r).await["error"]["code"], "unauthenticated");
    let r =
        app.post("/password-recovery", &json!({"email": "nobody@example.org"}), Some(admin.expose())).await;
    assert_eq!(conforms(&doc, "POST", &recover, r).await["error"]["code"], "user_not_found");
    let r = app.post("/password-recovery", &json!({"email": " "}), Some(admin.expose())).await;
    let field = conforms(&doc, "POST", &recover, r).await;
    assert_eq!(
        (&field["error"]["code"], &field["error"]["details"]["field"]),
        (&json!("invalid_field"), &json!("email"))
    );
    let r = app
        .post("/password-recovery", &json!({"email": "ann@example.org", "cc": "x"}), Some(admin.expose()))
        .await;
    assert_eq!(conforms(&doc, "POST", &recover, r).await["error"]["code"], "invalid_body");
    let form =
        app.req(Method::Post, verify.clone()).header(ContentType::Form).body("token=x").dispatch().await;
    assert_eq!(conforms(&doc, "POST", &verify, form).await["error"]["code"], "unsupported_media_type");
    let avatar = app.get(format!("{MOUNT}/not-an-id/avatar")).dispatch().await;
    let avatar_path = format!("{MOUNT}/{{id}}/avatar");
    assert_eq!(conforms(&doc, "GET", &avatar_path, avatar).await["error"]["code"], "not_found");

    // The avatar's image, its 304 and its redirect.
    fixtures::png_avatar(&mut conn, ann).await;
    let image = app.get(format!("{MOUNT}/{ann}/avatar")).dispatch().await;
    documented(&doc, "GET", &avatar_path, &image);
    let etag = image.headers().get_one("ETag").map(str::to_owned).unwrap_or_default();
    let not_modified =
        app.get(format!("{MOUNT}/{ann}/avatar")).header(Header::new("If-None-Match", etag)).dispatch().await;
    assert_eq!(not_modified.status(), Status::NotModified);
    documented(&doc, "GET", &avatar_path, &not_modified);
    let bob = fixtures::user(&mut conn, "bob@example.org").await;
    fixtures::url_avatar(&mut conn, bob, "https://cdn.example.org/bob.png").await;
    let redirect = app.get(format!("{MOUNT}/{bob}/avatar")).dispatch().await;
    assert_eq!(redirect.status(), Status::Found);
    documented(&doc, "GET", &avatar_path, &redirect);

    // Over the per-IP limit (the calls above count too): 429 with `Retry-After`.
    let limited = loop {
        let r = app
            .req(Method::Post, verify.clone())
            .header(ContentType::JSON)
            .body(json!({"token": "x"}).to_string())
            .dispatch()
            .await;
        if r.status() == Status::TooManyRequests {
            break r;
        }
        assert_eq!(r.status(), Status::Ok);
    };
    assert_eq!(conforms(&doc, "POST", &verify, limited).await["error"]["code"], "rate_limited");
}

#[rocket::async_test]
async fn states_and_reasons_are_closed_sets_and_fields_always_sent_are_required() {
    let app = spawn_app().await;
    let doc = document(&app, MOUNT).await;
    let schemas = &doc["components"]["schemas"];
    let values = |name: &str| schemas[name]["enum"].clone();
    assert_eq!(values("DeliveryState"), json!(["queued", "retrying", "sent", "abandoned", "dropped"]));
    assert_eq!(
        values("TokenState"),
        json!(["live", "redeemed", "expired", "superseded", "cancelled", "revoked"])
    );
    assert_eq!(
        values("FailureClass"),
        json!(["connection", "timeout", "tls", "transient", "permanent", "other"])
    );
    assert_eq!(schemas["Delivery"]["properties"]["state"]["$ref"], "#/components/schemas/DeliveryState");
    assert_eq!(schemas["RecoveryStatus"]["properties"]["token"]["$ref"], "#/components/schemas/TokenState");

    // Every property of an answer is required: the server always sends it (null where it may be).
    for name in [
        "Queued",
        "Changed",
        "Delivery",
        "RecoveryStatus",
        "OutstandingToken",
        "OutstandingTokens",
        "Revoked",
    ] {
        let schema = &schemas[name];
        let mut properties: Vec<&String> = schema["properties"].as_object().expect(name).keys().collect();
        let mut required: Vec<&str> =
            schema["required"].as_array().expect(name).iter().filter_map(Value::as_str).collect();
        properties.sort();
        required.sort_unstable();
        assert_eq!(properties, required, "{name}");
    }
    let sent_at = &schemas["Delivery"]["properties"]["sent_at"];
    assert_eq!(sent_at["type"], json!(["string", "null"]), "{sent_at}");
    let nullable = |name: &str, field: &str| {
        let text = schemas[name]["properties"][field].to_string();
        text.contains("\"null\"")
    };
    assert!(nullable("Delivery", "last_error") && nullable("RecoveryStatus", "requested_by"));
    assert!(!nullable("Delivery", "state") && !nullable("RecoveryStatus", "token"));

    // The error body: one object per code with details, told apart by `code`.
    let body = &schemas["ErrorBody"];
    assert_eq!(body["discriminator"]["propertyName"], "code");
    let variants: Vec<&str> =
        body["oneOf"].as_array().expect("variants").iter().filter_map(|v| v["$ref"].as_str()).collect();
    assert_eq!(
        variants,
        [
            "#/components/schemas/InvalidTokenError",
            "#/components/schemas/WeakPasswordError",
            "#/components/schemas/InvalidFieldError",
            "#/components/schemas/PlainError",
        ]
    );
    assert_eq!(schemas["InvalidTokenDetails"]["properties"]["reason"]["$ref"], "#/components/schemas/Reason");
    let guessable = &schemas["PasswordTooGuessable"];
    assert_eq!(guessable["properties"]["suggestions"]["items"]["type"], "string");
    assert_eq!(guessable["required"], json!(["reason", "score", "min_score", "warning", "suggestions"]));
    assert!(schemas["PlainError"]["properties"].get("details").is_none());
    // Union members have names of their own, not numbers.
    let verdicts: Vec<&Value> =
        schemas["Verdict"]["oneOf"].as_array().expect("two").iter().map(|v| &v["title"]).collect();
    assert_eq!(verdicts, [&json!("VerdictValid"), &json!("VerdictInvalid")]);
}

#[rocket::async_test]
async fn the_document_is_json_only_and_says_so_to_an_accept_that_refuses_json() {
    let app = spawn_app().await;
    let doc = document(&app, MOUNT).await;
    let path = format!("{MOUNT}/openapi.json");
    for accept in ["application/yaml", "text/html", "text/*", "application/json;q=0, text/plain"] {
        let response = app.get(path.clone()).header(Header::new("Accept", accept)).dispatch().await;
        let body = conforms(&doc, "GET", &path, response).await;
        assert_eq!(body["error"]["code"], "not_acceptable", "{accept}");
    }
    for accept in ["application/json", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/*"] {
        let response = app.get(path.clone()).header(Header::new("Accept", accept)).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{accept}");
    }
}
