//! The runnable server and its CLI, run as an operator runs them: the real binary, its own
//! working directory, configuration from Rocket.toml or `ROCKET_*`, real HTTP and real SMTP.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::helpers::binary::{cli, cli_ok, Server};
use crate::helpers::smtp::free_port;
use crate::helpers::{binary, fixtures, SmtpServer, TestDb};

const ADMIN: &str = "admin@example.org";
const ANN: &str = "ann@example.org";

/// Creates an admin and Ann through the CLI; returns the admin's bearer token.
fn admin_and_ann(dir: &Path, env: &[(&str, String)]) -> String {
    cli_ok(dir, env, &["user", "add", "--email", ADMIN, "--name", "Admin"]);
    cli_ok(dir, env, &["user", "add", "--email", ANN, "--name", "Ann"]);
    cli_ok(dir, env, &["token", "issue", "--email", ADMIN, "--scope", "admin"])
}

/// Asks for Ann's recovery over HTTP and checks that the mail reached `smtp`, not a folder.
async fn recovery_mail_goes_over_smtp(server: &Server, dir: &Path, smtp: &SmtpServer, token: &str) {
    let bearer = format!("Bearer {token}");
    let body = json!({ "email": ANN }).to_string();
    let response =
        server.request("POST", "/api/users/password-recovery", &[("Authorization", &bearer)], Some(&body));
    assert_eq!(response.status, 200, "{}\n{}", response.body, server.log());
    assert_eq!(response.json()["status"], "queued");
    assert!(smtp.wait_for(1, Duration::from_secs(20)).await, "no mail over SMTP:\n{}", server.log());
    assert_eq!(smtp.received()[0].rcpt, [ANN]);
    assert!(!dir.join("target/mail").exists(), "the file transport wrote mail");
}

/// The line the server prints at launch, naming the SMTP server.
fn launch_line(server: &Server) -> String {
    server
        .wait_for_line("user_account: mail via", Duration::from_secs(20))
        .unwrap_or_else(|| panic!("no launch line:\n{}", server.log()))
}

#[rocket::async_test]
async fn rocket_toml_default_profile_outranks_the_servers_file_transport_in_release() {
    let db = TestDb::migrated().await;
    let smtp = SmtpServer::start();
    let port = free_port().port();
    let dir = binary::work_dir("toml-release");
    let toml = format!(
        "[default]\nport = {port}\n\n[default.databases.user_account]\nurl = \"{}\"\n\n\
         [default.user_account.mail]\ntransport = \"smtp\"\nsmtp_url = \"{}\"\n",
        db.url,
        smtp.url()
    );
    std::fs::write(dir.join("Rocket.toml"), toml).expect("write Rocket.toml");
    let env = [("ROCKET_PROFILE", "release".to_owned())];
    let token = admin_and_ann(&dir, &env);

    let server = Server::start(&dir, &env, port);
    let line = launch_line(&server);
    assert!(line.contains(&format!("smtp to {}", smtp.addr)), "{line}");
    assert!(line.contains("debug routes off"), "{line}");
    recovery_mail_goes_over_smtp(&server, &dir, &smtp, &token).await;
    assert_eq!(server.log().matches("user_account: mail via").count(), 1, "one launch line");
}

#[rocket::async_test]
async fn rocket_env_variables_outrank_the_servers_defaults() {
    let db = TestDb::migrated().await;
    let smtp = SmtpServer::start();
    let port = free_port().port();
    let dir = binary::work_dir("env-release");
    let env = [
        ("ROCKET_PROFILE", "release".to_owned()),
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_IDENT", "ua-binary-test".to_owned()),
        // The release level, which hides the fairing's own (info) launch line.
        ("ROCKET_LOG_LEVEL", "critical".to_owned()),
        ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
        ("ROCKET_USER_ACCOUNT", format!("{{mail={{transport=\"smtp\",smtp_url=\"{}\"}}}}", smtp.url())),
    ];
    let token = admin_and_ann(&dir, &env);

    let server = Server::start(&dir, &env, port);
    let line = launch_line(&server);
    assert!(line.contains(&format!("smtp to {}", smtp.addr)), "{line}");
    // Outside the mount the host's `ident` stands (the fairing hides it under the mount only).
    let outside = server.request("GET", "/not-here", &[], None);
    assert_eq!(outside.status, 404);
    assert_eq!(outside.headers.get("server").map(String::as_str), Some("ua-binary-test"));
    recovery_mail_goes_over_smtp(&server, &dir, &smtp, &token).await;
    assert_eq!(server.log().matches("user_account: mail via").count(), 1, "one launch line");
}

/// At `log_level = "debug"` nothing secret reaches the log: not the admin's bearer token (which
/// Rocket's own `received request` record would print), not a refused one, not their digests,
/// not the SMTP password (neither in the launch line nor in the failed delivery it causes).
#[rocket::async_test]
async fn the_debug_log_holds_no_bearer_token_and_no_smtp_password() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, ANN).await;
    let smtp = SmtpServer::start();
    let port = free_port().port();
    let dir = binary::work_dir("debug-log");
    let smtp_password = "smtp-canary-Secret-4e1d";
    let env = [
        ("ROCKET_LOG_LEVEL", "debug".to_owned()),
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
        (
            "ROCKET_USER_ACCOUNT",
            format!(
                "{{mail={{transport=\"smtp\",smtp_url=\"smtp://mailer:{smtp_password}@{}\"}}}}",
                smtp.addr
            ),
        ),
    ];
    let server = Server::start(&dir, &env, port);
    let line = launch_line(&server);
    assert!(line.contains(&format!("smtp to {}", smtp.addr)), "{line}");
    assert_eq!(server.log().matches("user_account: mail via").count(), 1, "one launch line");

    let refused = "refused-canary-token-0123456789abcdefABCDEF";
    let body = json!({ "email": ANN }).to_string();
    for token in [admin.expose(), refused] {
        let bearer = format!("Bearer {token}");
        server.request("POST", "/api/users/password-recovery", &[("Authorization", &bearer)], Some(&body));
    }
    // Let the worker try the delivery (and fail: the test server offers no AUTH).
    std::thread::sleep(Duration::from_secs(2));
    let log = server.log();
    // Rocket's own trace record at launch: debug output is on.
    assert!(log.contains("configuration trace information"), "debug records are shown:\n{log}");
    let digest: String = admin.hash().0.iter().map(|b| format!("{b:02x}")).collect();
    for (secret, what) in [
        (admin.expose(), "the admin's bearer token"),
        (refused, "a refused bearer token"),
        (digest.as_str(), "the token digest"),
        (smtp_password, "the SMTP password"),
    ] {
        assert!(!log.contains(secret), "the log holds {what}:\n{log}");
    }
}

#[rocket::async_test]
async fn user_add_refuses_a_password_that_fails_the_policy() {
    let db = TestDb::migrated().await;
    let dir = binary::work_dir("cli-policy");
    let env = [("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url))];
    let add =
        ["user", "add", "--email", "patricia@example.org", "--name", "Patricia Quill", "--password-stdin"];
    for (password, fix) in
        [("short words", "at least 15 characters"), ("patricia quill patricia quill", "too easy to guess")]
    {
        let out = cli(&dir, &env, &add, Some(&format!("{password}\n")));
        assert!(!out.status.success(), "{password:?} was accepted");
        assert!(out.stderr.contains(fix), "{}", out.stderr);
        assert!(!out.stderr.contains(password) && !out.stdout.contains(password), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let mut conn = db.conn().await;
    assert_eq!(fixtures::count(&mut conn, "users").await, 0, "no user was created");

    let out = cli(&dir, &env, &["user", "add", "--email", "p@example.org", "--password", "x"], None);
    assert!(!out.status.success(), "--password on the command line is gone");
}

#[rocket::async_test]
async fn user_add_reads_the_password_from_stdin() {
    let db = TestDb::migrated().await;
    let dir = binary::work_dir("cli-stdin");
    let env = [("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url))];
    let password = "violet tugboat quarry lantern";
    let add = ["user", "add", "--email", "pat@example.org", "--name", "Pat", "--password-stdin"];
    let out = cli(&dir, &env, &add, Some(&format!("{password}\r\n")));
    assert!(out.status.success(), "{}", out.stderr);
    let id: uuid::Uuid = out.stdout.trim().parse().expect("the new user's id");
    let mut conn = db.conn().await;
    let hash = fixtures::password_hash(&mut conn, id).await.expect("a password hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(rocket_user_account::internals::verify(&hash, password), "the line ending is not part of it");

    let out = cli(&dir, &env, &["user", "add", "--email", "q@example.org", "--password-stdin"], Some(""));
    assert!(!out.status.success());
    assert!(out.stderr.contains("no password"), "{}", out.stderr);
}

#[rocket::async_test]
async fn token_issue_bounds_its_lifetime() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    fixtures::user(&mut conn, ANN).await;
    let dir = binary::work_dir("cli-hours");
    let env = [("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url))];
    for hours in ["0", "4294967295", "8761"] {
        let out = cli(&dir, &env, &["token", "issue", "--email", ANN, "--hours", hours], None);
        assert!(!out.status.success(), "--hours {hours} was accepted");
        assert!(out.stderr.contains("1..=8760"), "--hours {hours}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "--hours {hours}: {}", out.stderr);
    }
    assert_eq!(fixtures::count(&mut conn, "sessions").await, 0);
    let token = cli_ok(&dir, &env, &["token", "issue", "--email", ANN, "--hours", "8760"]);
    assert_eq!(token.len(), 43, "a bearer token");
    assert_eq!(fixtures::count(&mut conn, "sessions").await, 1);
}

/// The launch line says where the mailed links point; the page answers there by default, and
/// with `reset_page = false` and nothing else serving the path, the log warns naming it.
#[rocket::async_test]
async fn the_launch_says_where_links_point_and_warns_when_nothing_serves_them() {
    let db = TestDb::migrated().await;
    for (page, name) in [(true, "page-on"), (false, "page-off")] {
        let port = free_port().port();
        let dir = binary::work_dir(name);
        let env = [
            ("ROCKET_PORT", port.to_string()),
            ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
            ("ROCKET_USER_ACCOUNT", format!("{{reset_page={page}}}")),
        ];
        let server = Server::start(&dir, &env, port);
        let line = launch_line(&server);
        assert!(line.contains("links open http://127.0.0.1:8000/reset-password"), "{line}");
        let answer = server.request("GET", "/reset-password", &[], None);
        let warning = "nothing serves GET /reset-password";
        if page {
            assert_eq!(answer.status, 200, "the page is served");
            assert!(!server.log().contains(warning), "{}", server.log());
        } else {
            assert_eq!(answer.status, 404);
            assert!(server.wait_for_line(warning, Duration::from_secs(10)).is_some(), "{}", server.log());
        }
    }
}

/// Sends `bytes` on a fresh connection and returns what the server answers and when, within
/// `wait` (`None` if it answered nothing and kept the connection open).
fn stall(port: u16, bytes: &[u8], wait: Duration) -> Option<(String, Duration)> {
    use std::io::{Read as _, Write as _};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(bytes).expect("send");
    stream.set_read_timeout(Some(wait)).expect("read timeout");
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => Some((String::from_utf8_lossy(&answer).into_owned(), started.elapsed())),
        Err(_) if !answer.is_empty() => {
            Some((String::from_utf8_lossy(&answer).into_owned(), started.elapsed()))
        }
        Err(_) => None,
    }
}

/// Rocket reads a head and the first 14 bytes of a body before any route runs, with no
/// deadline; the server's front gives both `body_timeout_secs`: a request stalled silent, in
/// its head, or after 0 or 10 bytes of its body gets a JSON 408 and loses its connection.
/// Whole requests, chunked ones included, pass through; a head the front cannot frame without
/// doubt is a JSON 400; and the per-IP limit counts the socket's address whatever `X-Real-IP`
/// a client sends.
#[rocket::async_test]
async fn the_front_bounds_what_rocket_reads_before_routing_and_names_the_client_itself() {
    let db = TestDb::migrated().await;
    let port = free_port().port();
    let dir = binary::work_dir("front");
    let env = [
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
        ("ROCKET_USER_ACCOUNT", "{body_timeout_secs=2,rate_limits={public_per_ip_minute=3}}".to_owned()),
    ];
    let server = Server::start(&dir, &env, port);
    let chunked = "POST /api/users/verify-recovery-token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                   Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
                   6\r\n{\"toke\r\n9\r\nn\":\"abc\"}\r\n0\r\n\r\n";
    let (answer, _) = stall(server.port, chunked.as_bytes(), Duration::from_secs(6)).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "a chunked body passes through: {answer}");
    let doubtful = "POST /api/users/verify-recovery-token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\
                    Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    let (answer, _) = stall(server.port, doubtful.as_bytes(), Duration::from_secs(6)).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains(r#""code":"malformed_request""#), "{answer}");
    // Its request id has the form of every other (the document's `X-Request-Id` pattern).
    let id = answer.lines().find_map(|l| l.strip_prefix("x-request-id: ")).unwrap_or_default();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{answer}");
    // The chunked call was the first of three a minute: two more, whatever they claim, and the
    // limit holds for the socket's address.
    let body = json!({ "token": "x" }).to_string();
    for claimed in ["198.51.100.1", "198.51.100.2"] {
        let within = server.request(
            "POST",
            "/api/users/verify-recovery-token",
            &[("X-Real-IP", claimed)],
            Some(&body),
        );
        assert_eq!(within.status, 200, "{}", within.body);
    }
    for spoofed in ["198.51.100.3", "203.0.113.9"] {
        let over = server.request(
            "POST",
            "/api/users/verify-recovery-token",
            &[("X-Real-IP", spoofed)],
            Some(&body),
        );
        assert_eq!(over.status, 429, "a client claiming {spoofed} is still the socket's: {}", over.body);
    }
    let head = "POST /api/users/verify-recovery-token HTTP/1.1\r\nHost: x\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    let stalls: [(&str, Vec<u8>); 4] = [
        ("silent", Vec::new()),
        ("mid-head", head.as_bytes()[..20].to_vec()),
        ("after 0 body bytes", head.as_bytes().to_vec()),
        ("after 10 body bytes", [head.as_bytes(), b"{\"token\":\""].concat()),
    ];
    for (name, bytes) in &stalls {
        let (answer, after) = stall(server.port, bytes, Duration::from_secs(6)).unwrap_or_else(|| {
            panic!("a request stalled {name} still holds its connection:\n{}", server.log())
        });
        assert!(answer.starts_with("HTTP/1.1 408"), "stalled {name}: {answer}");
        assert!(answer.contains(r#""code":"request_timeout""#), "stalled {name}: {answer}");
        assert!(after < Duration::from_secs(4), "stalled {name}: answered after {after:?}");
    }
}

/// Behind a proxy that bounds requests itself, `front = false` leaves Rocket on the operator's
/// port with no front; a `front` that is not a boolean stops the start with a message.
#[rocket::async_test]
async fn the_front_can_be_turned_off_and_a_bad_value_is_refused() {
    let db = TestDb::migrated().await;
    let port = free_port().port();
    let dir = binary::work_dir("front-off");
    let env = [
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_FRONT", "false".to_owned()),
        ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
    ];
    let server = Server::start(&dir, &env, port);
    let body = json!({ "token": "x" }).to_string();
    let answer = server.request("POST", "/api/users/verify-recovery-token", &[], Some(&body));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(!server.log().contains("user-account: listening on"), "{}", server.log());
    drop(server);
    let env = [
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_FRONT", "sometimes".to_owned()),
        ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
    ];
    let out = cli(&dir, &env, &["serve"], None);
    assert!(!out.status.success());
    assert!(out.stderr.contains("`front` must be true or false"), "{}", out.stderr);
}

/// Reads one answer off a kept-alive connection: its head, then as many body bytes as its
/// `content-length` says. `None` if the connection closed first.
fn read_answer(stream: &mut std::net::TcpStream) -> Option<String> {
    use std::io::Read as _;
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&got).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(head + &String::from_utf8_lossy(&body))
}

/// The front's clocks: a stalled request gets its 408 at the deadline, not before; a kept-alive
/// connection on which answers keep moving outlives the idle limit; pipelined requests are all
/// answered; a stall after a first whole request loses the connection without a 408 (the server
/// may be mid-answer); an idle connection closes after `keep_alive`; a client that closes its
/// side without a word gets nothing, and one that closes it mid-head gets a JSON 400.
#[rocket::async_test]
async fn the_front_keeps_what_moves_and_drops_what_stalls_or_idles() {
    use std::io::{Read as _, Write as _};
    use std::net::{Shutdown, TcpStream};
    use std::time::Instant;
    let db = TestDb::migrated().await;
    let port = free_port().port();
    let dir = binary::work_dir("front-clocks");
    let env = [
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_KEEP_ALIVE", "2".to_owned()),
        ("ROCKET_DATABASES", format!("{{user_account={{url=\"{}\"}}}}", db.url)),
        ("ROCKET_USER_ACCOUNT", "{body_timeout_secs=2}".to_owned()),
    ];
    let server = Server::start(&dir, &env, port);
    let verify =
        "POST /api/users/verify-recovery-token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                  Content-Length: 13\r\n\r\n{\"token\":\"x\"}";
    let open = || {
        let stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(8))).expect("read timeout");
        stream
    };
    // The deadline is waited for: the 408 comes at about 2 s, not at once.
    let (answer, after) = stall(server.port, &verify.as_bytes()[..40], Duration::from_secs(6))
        .expect("a stalled head is answered");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(after >= Duration::from_millis(1900), "the 408 came after {after:?}, before the deadline");
    // Requests 1.2 s apart on one connection: 3.6 s in all, past the 2 s idle limit.
    let mut kept = open();
    let started = Instant::now();
    for i in 0..4 {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(1200));
        }
        kept.write_all(verify.as_bytes()).expect("send");
        let answer = read_answer(&mut kept).unwrap_or_else(|| panic!("request {i} lost its connection"));
        assert!(answer.starts_with("HTTP/1.1 200"), "request {i}: {answer}");
    }
    assert!(started.elapsed() > Duration::from_secs(3));
    // Three requests in one write: three answers.
    let mut pipelined = open();
    pipelined.write_all(verify.repeat(3).as_bytes()).expect("send");
    for i in 0..3 {
        let answer =
            read_answer(&mut pipelined).unwrap_or_else(|| panic!("pipelined request {i} unanswered"));
        assert!(answer.starts_with("HTTP/1.1 200"), "pipelined request {i}: {answer}");
    }
    // Idle after an answer: closed after the idle limit, with nothing more said.
    let started = Instant::now();
    let mut rest = Vec::new();
    assert!(pipelined.read_to_end(&mut rest).is_ok() && rest.is_empty(), "an idle connection closes quietly");
    let idle = started.elapsed();
    assert!(idle >= Duration::from_millis(1500) && idle < Duration::from_secs(5), "closed after {idle:?}");
    // A stall after a whole first request: the connection goes, with no 408 after the 200.
    let mut later = open();
    later.write_all(verify.as_bytes()).expect("send");
    assert!(read_answer(&mut later).is_some_and(|a| a.starts_with("HTTP/1.1 200")));
    later.write_all(&verify.as_bytes()[..40]).expect("send a part");
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = later.read_to_end(&mut rest);
    assert!(rest.is_empty(), "nothing follows the first answer: {}", String::from_utf8_lossy(&rest));
    let dropped = started.elapsed();
    assert!(dropped >= Duration::from_millis(1900), "dropped after {dropped:?}, before its deadline");
    // Closing without a word gets nothing; closing mid-head gets a JSON 400.
    let mut quiet = open();
    quiet.shutdown(Shutdown::Write).expect("shut");
    let mut rest = Vec::new();
    let _ = quiet.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    let mut cut = open();
    cut.write_all(&verify.as_bytes()[..40]).expect("send a part");
    cut.shutdown(Shutdown::Write).expect("shut");
    let mut rest = Vec::new();
    let _ = cut.read_to_end(&mut rest);
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.starts_with("HTTP/1.1 400") && rest.contains("malformed_request"), "{rest}");
}
