//! A real SMTP server on loopback (mailin-embedded) that records what it receives and can be
//! told to refuse mail, for the delivery tests.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use mail_parser::{Message, MessageParser};
use mailin_embedded::{response, Handler, Response, Server};

/// How the server answers each recipient. Refusals come at RCPT: mailin keeps a session in
/// DATA state after an error reply to the final dot, which no client can recover from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 250: accept every mail.
    Accept,
    /// 451: a temporary local error.
    TempFail,
    /// 554: transaction failed.
    PermFail,
    /// Takes the whole message, then says nothing for thirty seconds and refuses it.
    Stall,
    /// Takes the whole message, then answers 421 and closes the connection.
    Drop,
    /// Takes the whole message, waits this long, then accepts it.
    Slow(Duration),
}

/// A mail as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope recipients (RCPT TO).
    pub rcpt: Vec<String>,
    /// The raw message.
    pub data: Vec<u8>,
}

impl Received {
    /// The parsed message.
    pub fn parsed(&self) -> Message<'_> {
        MessageParser::default().parse(&self.data).expect("a parsable message")
    }

    /// The raw message as text.
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    mode: Option<Mode>,
}

#[derive(Clone)]
struct Recorder {
    shared: Arc<Mutex<Shared>>,
    arrived: Arc<Condvar>,
    rcpt: Vec<String>,
    data: Vec<u8>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        let mode = lock(&self.shared).mode.unwrap_or(Mode::Accept);
        match mode {
            Mode::Accept | Mode::Stall | Mode::Drop | Mode::Slow(_) => response::OK,
            Mode::TempFail => response::INTERNAL_ERROR,
            Mode::PermFail => response::TRANSACTION_FAILED,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.rcpt = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // Read the mode first: a guard in the match would stay locked through the stall.
        let mode = lock(&self.shared).mode.unwrap_or(Mode::Accept);
        match mode {
            Mode::Stall => {
                std::thread::sleep(Duration::from_secs(30));
                // Never accepted, so the client's retry is not a duplicate. The 421 closes the
                // session: mailin keeps one that got any other error here in DATA state.
                return response::NO_SERVICE;
            }
            Mode::Drop => return response::NO_SERVICE,
            Mode::Slow(wait) => std::thread::sleep(wait),
            // Refusals happen at RCPT; nothing else reaches this point.
            Mode::Accept | Mode::TempFail | Mode::PermFail => {}
        }
        let mail = Received { rcpt: std::mem::take(&mut self.rcpt), data: std::mem::take(&mut self.data) };
        lock(&self.shared).received.push(mail);
        self.arrived.notify_all();
        response::OK
    }
}

/// The server; it runs on its own threads until the test process ends.
#[derive(Clone)]
pub struct SmtpServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    arrived: Arc<Condvar>,
}

/// A free loopback port (bound and released, for a server started later).
pub fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}

impl SmtpServer {
    /// Starts a server on a fresh loopback port.
    pub fn start() -> SmtpServer {
        Self::start_at(free_port())
    }

    /// Starts a server on `addr`.
    pub fn start_at(addr: SocketAddr) -> SmtpServer {
        let listener = TcpListener::bind(addr).expect("bind the SMTP port");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let arrived = Arc::new(Condvar::new());
        let recorder = Recorder {
            shared: Arc::clone(&shared),
            arrived: Arc::clone(&arrived),
            rcpt: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(recorder);
        server.with_name("localhost").with_num_threads(4).with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("test SMTP server stopped: {e}");
            }
        });
        SmtpServer { addr, shared, arrived }
    }

    /// A server that was never started: connections to it are refused.
    pub fn unstarted() -> SmtpServer {
        Self::unstarted_at(free_port())
    }

    /// Like [`SmtpServer::unstarted`], at `addr` (start one there later with `start_at`).
    pub fn unstarted_at(addr: SocketAddr) -> SmtpServer {
        SmtpServer { addr, shared: Arc::default(), arrived: Arc::default() }
    }

    /// The URL the app is configured with.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Changes how the server answers.
    pub fn set_mode(&self, mode: Mode) {
        lock(&self.shared).mode = Some(mode);
    }

    /// Waits (off the async runtime) until `count` mails have arrived or `timeout` passes;
    /// returns whether they arrived.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> bool {
        let (shared, arrived) = (Arc::clone(&self.shared), Arc::clone(&self.arrived));
        rocket::tokio::task::spawn_blocking(move || {
            let guard = lock(&shared);
            let (guard, _) = arrived
                .wait_timeout_while(guard, timeout, |s| s.received.len() < count)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            guard.received.len() >= count
        })
        .await
        .unwrap_or(false)
    }

    /// Every mail received so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared).received.clone()
    }
}
