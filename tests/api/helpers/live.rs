//! The app on a real TCP port, for what the local client cannot do: clients that stall
//! mid-body, raw paths, connections held open.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rocket::tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use rocket::tokio::net::TcpStream;

use super::{smtp::free_port, AppBuilder, SmtpServer, TestDb};

/// A server launched in this process; shut down when dropped.
pub struct LiveApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database.
    pub db: Arc<TestDb>,
    /// Its SMTP server.
    pub smtp: SmtpServer,
    /// The ignited rocket's managed state, for metrics.
    pub hasher: rocket_user_account::HashingPool,
    shutdown: rocket::Shutdown,
}

/// An HTTP answer as it came over the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The header block, as text.
    pub head: String,
    /// The body.
    pub body: String,
}

impl AppBuilder {
    /// Launches the app on a free loopback port over a fresh database.
    pub async fn launch(self) -> LiveApp {
        let db = Arc::new(TestDb::migrated().await);
        let smtp = SmtpServer::start();
        let addr = free_port();
        let rocket =
            self.set("address", addr.ip().to_string()).set("port", addr.port()).rocket_with(&db, &smtp);
        let rocket = rocket.ignite().await.expect("the app ignites");
        let shutdown = rocket.shutdown();
        let service = rocket.state::<rocket_user_account::RecoveryService>().expect("the service");
        let hasher = service.hashing().clone();
        rocket::tokio::spawn(rocket.launch());
        for _ in 0..100 {
            if TcpStream::connect(addr).await.is_ok() {
                return LiveApp { addr, db, smtp, hasher, shutdown };
            }
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not start listening on {addr}");
    }
}

impl LiveApp {
    /// Sends `request` (a whole HTTP/1.1 request; add `Connection: close`) and reads the answer.
    pub async fn send(&self, request: &[u8]) -> RawResponse {
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        stream.write_all(request).await.expect("send");
        read_response(&mut stream).await
    }

    /// A JSON POST to `path`, with extra header lines (each ending in CRLF).
    pub async fn post(&self, path: &str, body: &str, headers: &str) -> RawResponse {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n{headers}\r\n{body}",
            self.addr,
            body.len()
        );
        self.send(request.as_bytes()).await
    }

    /// Opens a connection that sends the headers of a JSON POST to `path` announcing
    /// `length` bytes of body, then only `sent` of them, and stalls.
    pub async fn stall(&self, path: &str, length: usize, sent: usize) -> TcpStream {
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\
             Connection: close\r\n\r\n{{\"token\": \"",
            self.addr
        );
        stream.write_all(head.as_bytes()).await.expect("send the head");
        stream.write_all(&vec![b'a'; sent.saturating_sub(11)]).await.expect("send part of the body");
        stream
    }
}

/// Reads a whole response from a connection the server closes after it.
pub async fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut bytes = Vec::new();
    rocket::tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut bytes))
        .await
        .expect("an answer within 30 s")
        .expect("read the answer");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    RawResponse { status, head: head.to_owned(), body: body.to_owned() }
}

impl Drop for LiveApp {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}
