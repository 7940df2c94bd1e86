//! The runnable server's front door. Rocket 0.5 reads a request's head, and then the first
//! 14 bytes of its body, before any route, fairing or guard runs, and gives neither a deadline
//! (hyper's header timeout is turned off, and no setting or listener hook exists), so a client
//! that stalls there holds its connection for as long as it likes. The front accepts the
//! connections itself and relays each to Rocket on a loopback port, one upstream connection per
//! client, and bounds what Rocket does not:
//!
//! - a request's head and the first bytes of its body must arrive within the deadline
//!   (`user_account.body_timeout_secs`), counted from the connection's start for its first
//!   request and from the first byte of each later one; a stalled one gets a JSON 408 (on a
//!   connection's first request) and the connection is closed;
//! - a connection on which nothing moves, either way, between requests is closed after the idle
//!   limit (Rocket's `keep_alive`).
//!
//! To know where each request ends it frames the client's bytes as HTTP/1.1 does (the head with
//! `httparse`, as hyper does; then `Content-Length` or `chunked`), and refuses with a JSON 400
//! what it cannot frame without doubt: both `Content-Length` and `Transfer-Encoding`, a coding
//! other than `chunked`, differing lengths. The responses pass back untouched. Rocket sees the
//! front's loopback address, so the front names the client in `X-Real-IP` (after dropping any
//! `X-Real-IP` the client sent) and the server trusts that header alone, unless the operator
//! named a proxy header of their own in `user_account.trusted_proxy_header`: then the front
//! passes the headers through as they came.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rocket::tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use rocket::tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use rocket::tokio::net::{TcpListener, TcpStream};
use rocket::tokio::sync::oneshot;
use rocket::tokio::time::{timeout_at, Instant};

/// The body bytes Rocket reads before it routes a request (`"_method=delete".len()`).
const PEEK: u64 = 14;
/// The longest head the front takes (hyper's own limit is larger; no route here needs more).
const MAX_HEAD: usize = 32 * 1024;
/// The most headers in a head.
const MAX_HEADERS: usize = 100;
/// The longest chunk-size line or trailer section.
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// The header the front names the client in.
pub const CLIENT_HEADER: &str = "X-Real-IP";

/// The bounds the front holds every connection to.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// How long a request's head and the first bytes of its body may take to arrive.
    pub request: Duration,
    /// How long a connection may sit with nothing moving either way between requests.
    pub idle: Duration,
    /// Whether to name the client in [`CLIENT_HEADER`] (off when the operator's proxy does).
    pub name_client: bool,
}

/// Accepts on `listener` and relays each connection to `upstream` within `bounds`, until the
/// listener fails.
pub async fn serve(listener: TcpListener, upstream: SocketAddr, bounds: Bounds) {
    loop {
        match listener.accept().await {
            Ok((client, peer)) => {
                rocket::tokio::spawn(relay(client, peer, upstream, bounds));
            }
            Err(e) => {
                // Out of descriptors, say: wait a little rather than spin.
                log::warn!("user-account: front: accept failed: {e}");
                rocket::tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// What moved on a connection: when bytes last moved, either way (in milliseconds since its
/// start), and whether the server answered anything yet.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    answered: AtomicBool,
}

impl Activity {
    fn new() -> Activity {
        Activity { start: Instant::now(), last_ms: AtomicU64::new(0), answered: AtomicBool::new(false) }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
}

/// How the client's side of a connection ended.
enum Ended {
    /// The client closed its side after whole requests: let the answers finish.
    Closed,
    /// Stalled or broken after a request went to the server: close both sides now.
    Dropped,
    /// Refused on the connection's first request: answer this (if the server did not), then close.
    Refused(Vec<u8>),
}

async fn relay(client: TcpStream, peer: SocketAddr, upstream: SocketAddr, bounds: Bounds) {
    let _ = client.set_nodelay(true);
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = server.set_nodelay(true);
    let (client_r, client_w) = client.into_split();
    let (server_r, server_w) = server.into_split();
    let activity = Arc::new(Activity::new());
    let (stop, stopped) = oneshot::channel();
    let mut answers = rocket::tokio::spawn(answers(server_r, client_w, Arc::clone(&activity), stopped));
    let mut requests = Requests {
        client: client_r,
        server: server_w,
        peer,
        bounds,
        activity: Arc::clone(&activity),
        first: true,
    };
    let ended = rocket::tokio::select! {
        ended = requests.run() => ended,
        _ = &mut answers => return,
    };
    match ended {
        Ended::Closed => {
            // The server sees the client's end only now, and finishes its answers.
            drop(requests);
            let _ = answers.await;
        }
        Ended::Dropped => answers.abort(),
        Ended::Refused(answer) => {
            // Stopped before the server's side is closed, so the client's is not closed first.
            let _ = stop.send(());
            // Only where the server answered nothing on this connection: no answer of its can
            // be cut in two.
            if let Ok(mut client) = answers.await {
                if !activity.answered.load(Ordering::Relaxed) {
                    let _ = client.write_all(&answer).await;
                }
                let _ = client.shutdown().await;
            }
        }
    }
}

/// Copies the server's bytes to the client as they come, until the server closes or `stop`
/// fires; hands the client's write half back.
async fn answers(
    mut server: OwnedReadHalf,
    mut client: OwnedWriteHalf,
    activity: Arc<Activity>,
    mut stop: oneshot::Receiver<()>,
) -> OwnedWriteHalf {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let read = rocket::tokio::select! {
            read = server.read(&mut buf) => read,
            _ = &mut stop => return client,
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                activity.touch();
                activity.answered.store(true, Ordering::Relaxed);
                if client.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = client.shutdown().await;
    client
}

/// What comes after a request on a connection.
enum Next {
    /// The next request's first byte arrived at this time.
    Starts(Instant),
    /// The client closed its side.
    Closed,
    /// Nothing moved either way for the idle limit.
    Idle,
}

/// Why a request was refused before it reached the server.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Not HTTP/1 the front can frame without doubt.
    Malformed(&'static str),
    /// The head or the first body bytes did not arrive in time.
    Stalled,
}

/// The client's side of one connection: its requests, framed, forwarded and timed.
struct Requests {
    client: OwnedReadHalf,
    server: OwnedWriteHalf,
    peer: SocketAddr,
    bounds: Bounds,
    activity: Arc<Activity>,
    /// Whether this is the connection's first request (a refusal can then be answered).
    first: bool,
}

impl Requests {
    async fn run(&mut self) -> Ended {
        let mut buf: Vec<u8> = Vec::with_capacity(4096);
        loop {
            let deadline = if self.first {
                Instant::now() + self.bounds.request
            } else {
                match self.next_start(&mut buf).await {
                    Next::Starts(at) => at + self.bounds.request,
                    Next::Closed => return Ended::Closed,
                    Next::Idle => return Ended::Dropped,
                }
            };
            let outcome = self.one(&mut buf, deadline).await;
            match outcome {
                Ok(true) => self.first = false,
                Ok(false) => return self.end(&buf),
                Err(refusal) => return self.refuse(&refusal),
            }
        }
    }

    /// How the client's side ends once it sent nothing more: closed after whole requests, or
    /// in the middle of one.
    fn end(&self, buf: &[u8]) -> Ended {
        if buf.is_empty() {
            Ended::Closed
        } else {
            Ended::Dropped
        }
    }

    /// Waits for the first byte of the next request while something moves on the connection
    /// at least once per idle limit.
    async fn next_start(&mut self, buf: &mut Vec<u8>) -> Next {
        if !buf.is_empty() {
            return Next::Starts(Instant::now());
        }
        loop {
            let idle_until = self.activity.last() + self.bounds.idle;
            if Instant::now() >= idle_until {
                return Next::Idle;
            }
            match timeout_at(idle_until, read_more(&mut self.client, buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return Next::Closed,
                Ok(Ok(_)) => {
                    self.activity.touch();
                    return Next::Starts(Instant::now());
                }
                // An answer may have moved meanwhile: look again.
                Err(_) => {}
            }
        }
    }

    /// Reads, checks and forwards one request whose head and first body bytes are due by
    /// `deadline`; the rest of its body is forwarded as it comes. `Ok(false)` when the client
    /// closed before a request began.
    async fn one(&mut self, buf: &mut Vec<u8>, deadline: Instant) -> Result<bool, Refusal> {
        let (head, framing) = loop {
            if !buf.is_empty() {
                if let Some(parsed) = parse_head(buf)? {
                    break parsed;
                }
            }
            if buf.len() >= MAX_HEAD {
                return Err(Refusal::Malformed("the request head is too large"));
            }
            match timeout_at(deadline, read_more(&mut self.client, buf)).await {
                Err(_) => return Err(Refusal::Stalled),
                Ok(Ok(0)) | Ok(Err(_)) if buf.is_empty() => return Ok(false),
                Ok(Ok(0)) | Ok(Err(_)) => return Err(Refusal::Malformed("the connection closed mid-head")),
                Ok(Ok(_)) => self.activity.touch(),
            }
        };
        let rewritten = rewrite(&buf[..head.len], &head, self.peer.ip(), self.bounds.name_client);
        buf.drain(..head.len);
        self.send(&rewritten).await?;
        let mut body = Body::new(framing);
        // The first bytes of the body are due by the deadline; the rest comes as it will.
        loop {
            let consumed = body.advance(buf)?;
            if consumed > 0 {
                self.send(&buf[..consumed]).await?;
                buf.drain(..consumed);
            }
            if body.done() {
                return Ok(true);
            }
            let read = if body.peeked() {
                read_more(&mut self.client, buf).await
            } else {
                match timeout_at(deadline, read_more(&mut self.client, buf)).await {
                    Ok(read) => read,
                    Err(_) => return Err(Refusal::Stalled),
                }
            };
            match read {
                Ok(0) | Err(_) => return Err(Refusal::Malformed("the connection closed mid-body")),
                Ok(_) => self.activity.touch(),
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), Refusal> {
        self.server.write_all(bytes).await.map_err(|_| Refusal::Malformed("the server closed"))
    }

    /// A refusal: answered on the connection's first request (where the server answered
    /// nothing yet), else the connection is dropped.
    fn refuse(&self, refusal: &Refusal) -> Ended {
        let (status, code, message) = match refusal {
            Refusal::Stalled => {
                ("408 Request Timeout", "request_timeout", "The request did not arrive in time.")
            }
            Refusal::Malformed(_) => {
                ("400 Bad Request", "malformed_request", "The request is not well-formed HTTP.")
            }
        };
        if let Refusal::Malformed(why) = refusal {
            log::info!("user-account: front: refused a request from {}: {why}", self.peer.ip());
        }
        if !self.first {
            return Ended::Dropped;
        }
        // The crate's error envelope, with a request id of its own as every answer has.
        // (32 hex digits, as the crate's own ids and the document's `X-Request-Id` pattern.)
        let id = uuid::Uuid::new_v4().simple();
        let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}","request_id":"{id}"}}}}"#);
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\
             connection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\
             x-request-id: {id}\r\n\r\n{body}",
            body.len()
        );
        Ended::Refused(answer.into_bytes())
    }
}

/// Appends what the client sends next to `buf`; `Ok(0)` once it closed its side.
async fn read_more(client: &mut OwnedReadHalf, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = client.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// A request head, parsed.
#[derive(Debug)]
struct Head {
    /// Its length in bytes, the blank line included.
    len: usize,
    /// Where the request line ends (its line break included).
    line_end: usize,
    /// Its headers, as sent.
    headers: Vec<(String, Vec<u8>)>,
}

/// How a request's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `Content-Length` (0 when neither header is sent).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// The head at the start of `buf` and its body's framing, or `None` while it is incomplete.
fn parse_head(buf: &[u8]) -> Result<Option<(Head, Framing)>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(Refusal::Malformed("too many headers")),
        Err(_) => return Err(Refusal::Malformed("not an HTTP/1 request head")),
    };
    let line_end = buf.iter().position(|&b| b == b'\n').map_or(len, |i| i + 1);
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut encoded = false;
    let mut parsed = Vec::with_capacity(request.headers.len());
    for header in request.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            let value =
                std::str::from_utf8(header.value).map_err(|_| Refusal::Malformed("a bad Content-Length"))?;
            let value = value.trim();
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::Malformed("a bad Content-Length"));
            }
            let value: u64 = value.parse().map_err(|_| Refusal::Malformed("a bad Content-Length"))?;
            if length.is_some_and(|seen| seen != value) {
                return Err(Refusal::Malformed("differing Content-Length headers"));
            }
            length = Some(value);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if encoded || !header.value.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                return Err(Refusal::Malformed("a transfer coding other than one `chunked`"));
            }
            encoded = true;
            chunked = true;
        }
        parsed.push((header.name.to_owned(), header.value.to_vec()));
    }
    let framing = match (length, chunked) {
        (Some(_), true) => return Err(Refusal::Malformed("both Content-Length and Transfer-Encoding")),
        (_, true) => Framing::Chunked,
        (length, false) => Framing::Length(length.unwrap_or(0)),
    };
    Ok(Some((Head { len, line_end, headers: parsed }, framing)))
}

/// The head as the server gets it: the client named in [`CLIENT_HEADER`] (any such header the
/// client sent dropped) when `name_client`, else as it came.
fn rewrite(raw: &[u8], head: &Head, client: IpAddr, name_client: bool) -> Vec<u8> {
    if !name_client {
        return raw.to_vec();
    }
    let mut out = Vec::with_capacity(raw.len() + 40);
    out.extend_from_slice(&raw[..head.line_end]);
    for (name, value) in &head.headers {
        if name.eq_ignore_ascii_case(CLIENT_HEADER) {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("{CLIENT_HEADER}: {client}\r\n\r\n").as_bytes());
    out
}

/// Where a body stands: how much of it went by, and whether it is over.
#[derive(Debug)]
struct Body {
    framing: Framing,
    /// Body bytes (decoded, for chunked) seen so far.
    seen: u64,
    state: Chunk,
}

/// Where a chunked body stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// In a chunk-size line.
    Size,
    /// In a chunk's data, this many bytes left.
    Data(u64),
    /// At the line break after a chunk's data.
    DataEnd,
    /// In the trailer section after the last chunk.
    Trailers,
    /// Over.
    Done,
}

impl Body {
    fn new(framing: Framing) -> Body {
        Body { framing, seen: 0, state: Chunk::Size }
    }

    /// Whether the whole body went by.
    fn done(&self) -> bool {
        match self.framing {
            Framing::Length(length) => self.seen >= length,
            Framing::Chunked => self.state == Chunk::Done,
        }
    }

    /// Whether the bytes Rocket reads before routing went by (or the whole, shorter, body).
    fn peeked(&self) -> bool {
        self.done() || self.seen >= PEEK
    }

    /// Takes what belongs to this body from the start of `buf`; returns how many bytes that is.
    /// What it cannot take yet (a partial chunk-size line) stays for the next call.
    fn advance(&mut self, buf: &[u8]) -> Result<usize, Refusal> {
        match self.framing {
            Framing::Length(length) => {
                let take = usize::try_from((length - self.seen).min(buf.len() as u64)).unwrap_or(buf.len());
                self.seen += take as u64;
                Ok(take)
            }
            Framing::Chunked => self.advance_chunked(buf),
        }
    }

    fn advance_chunked(&mut self, buf: &[u8]) -> Result<usize, Refusal> {
        let mut at = 0;
        loop {
            let rest = &buf[at..];
            match self.state {
                Chunk::Done => return Ok(at),
                Chunk::Size => match httparse::parse_chunk_size(rest) {
                    Ok(httparse::Status::Complete((used, 0))) => {
                        at += used;
                        self.state = Chunk::Trailers;
                    }
                    Ok(httparse::Status::Complete((used, size))) => {
                        at += used;
                        self.state = Chunk::Data(size);
                    }
                    Ok(httparse::Status::Partial) if rest.len() < MAX_CHUNK_LINE => return Ok(at),
                    _ => return Err(Refusal::Malformed("a bad chunk size")),
                },
                Chunk::Data(left) => {
                    let take = usize::try_from(left.min(rest.len() as u64)).unwrap_or(rest.len());
                    at += take;
                    self.seen += take as u64;
                    if take == 0 {
                        return Ok(at);
                    }
                    let left = left - take as u64;
                    self.state = if left == 0 { Chunk::DataEnd } else { Chunk::Data(left) };
                }
                Chunk::DataEnd => match rest {
                    [b'\r', b'\n', ..] => {
                        at += 2;
                        self.state = Chunk::Size;
                    }
                    [] | [b'\r'] => return Ok(at),
                    _ => return Err(Refusal::Malformed("a chunk not followed by a line break")),
                },
                Chunk::Trailers => {
                    // Trailer lines, then a blank line.
                    match rest.windows(2).position(|w| w == b"\r\n") {
                        Some(0) => {
                            at += 2;
                            self.state = Chunk::Done;
                        }
                        Some(end) if end < MAX_CHUNK_LINE => at += end + 2,
                        None if rest.len() < MAX_CHUNK_LINE => return Ok(at),
                        _ => return Err(Refusal::Malformed("a trailer section too long")),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing(head: &str) -> Result<Option<Framing>, Refusal> {
        parse_head(head.as_bytes()).map(|parsed| parsed.map(|(_, framing)| framing))
    }

    #[test]
    fn heads_are_framed_as_hyper_frames_them_and_doubtful_ones_refused() {
        assert_eq!(framing("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Ok(Some(Framing::Length(0))));
        assert_eq!(framing("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"), Ok(Some(Framing::Length(12))));
        assert_eq!(
            framing("POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n"),
            Ok(Some(Framing::Length(3)))
        );
        assert_eq!(
            framing("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"),
            Ok(Some(Framing::Chunked))
        );
        assert_eq!(framing("POST / HTTP/1.1\r\nContent-Length: 3"), Ok(None));
        for doubtful in [
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        ] {
            assert!(matches!(framing(doubtful), Err(Refusal::Malformed(_))), "{doubtful:?}");
        }
    }

    #[test]
    fn a_chunked_body_ends_where_its_last_chunk_and_trailers_end_whatever_the_pieces() {
        let body = b"5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\nGET /next";
        let end = body.len() - b"GET /next".len();
        for piece in [1, 2, 3, 7, body.len()] {
            let mut parsed = Body::new(Framing::Chunked);
            let mut pending: Vec<u8> = Vec::new();
            let mut taken = 0;
            for chunk in body.chunks(piece) {
                pending.extend_from_slice(chunk);
                let used = parsed.advance(&pending).expect("well-formed");
                pending.drain(..used);
                taken += used;
                if parsed.done() {
                    break;
                }
            }
            assert!(parsed.done(), "pieces of {piece}");
            assert_eq!(taken, end, "pieces of {piece}");
            assert_eq!(parsed.seen, 21);
            assert!(parsed.peeked());
        }
        let mut bad = Body::new(Framing::Chunked);
        assert!(bad.advance(b"3\r\nabcX").is_err());
        let mut bad = Body::new(Framing::Chunked);
        assert!(bad.advance(b"zz\r\n").is_err());
    }

    #[test]
    fn the_first_body_bytes_count_as_rocket_reads_them() {
        let mut body = Body::new(Framing::Length(100));
        assert_eq!(body.advance(&[b'x'; 10]).expect("length"), 10);
        assert!(!body.peeked());
        assert_eq!(body.advance(&[b'x'; 10]).expect("length"), 10);
        assert!(body.peeked() && !body.done());
        let mut short = Body::new(Framing::Length(5));
        assert_eq!(short.advance(b"abcdefgh").expect("length"), 5);
        assert!(short.peeked() && short.done());
        let mut chunks = Body::new(Framing::Chunked);
        chunks.advance(b"1\r\na\r\n1\r\nb\r\n").expect("chunked");
        assert!(!chunks.peeked(), "two bytes of data are not fourteen, however many bytes framed them");
    }

    #[test]
    fn the_client_is_named_by_the_front_alone() {
        let raw = b"GET /x HTTP/1.1\r\nHost: a\r\nx-real-ip: 9.9.9.9\r\nAccept: */*\r\n\r\n";
        let (head, _) = parse_head(raw).expect("head").expect("complete");
        let client: IpAddr = "203.0.113.7".parse().expect("ip");
        let named = String::from_utf8(rewrite(raw, &head, client, true)).expect("utf-8");
        assert_eq!(named, "GET /x HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX-Real-IP: 203.0.113.7\r\n\r\n");
        assert_eq!(rewrite(raw, &head, client, false), raw.to_vec(), "the operator's proxy names it");
    }

    #[test]
    fn a_sized_body_takes_its_own_bytes_and_leaves_the_next_request_alone() {
        let mut body = Body::new(Framing::Length(12));
        assert_eq!(body.advance(b"0123456789").expect("length"), 10);
        assert_eq!(body.advance(b"abGET /next HTTP/1.1").expect("length"), 2, "two bytes were left");
        assert!(body.done());
    }

    #[test]
    fn a_chunk_size_line_or_a_trailer_section_is_held_to_its_bound() {
        let line = |len: usize| [b"1;".as_slice(), &vec![b'a'; len - 2]].concat();
        // A size line still open: taken while shorter than the bound, refused at it.
        assert_eq!(Body::new(Framing::Chunked).advance(&line(MAX_CHUNK_LINE - 1)).expect("open"), 0);
        assert!(Body::new(Framing::Chunked).advance(&line(MAX_CHUNK_LINE)).is_err());
        assert!(Body::new(Framing::Chunked).advance(&line(MAX_CHUNK_LINE * 2)).is_err());
        // Trailers: a whole line shorter than the bound passes, one at it is refused, and an
        // open section is taken while shorter than the bound and refused at it.
        let trailer = |len: usize| [b"0\r\n".as_slice(), &vec![b't'; len], b"\r\n"].concat();
        let mut ok = Body::new(Framing::Chunked);
        assert_eq!(
            ok.advance(&[trailer(MAX_CHUNK_LINE - 1), b"\r\n".to_vec()].concat()).expect("trailer"),
            MAX_CHUNK_LINE + 6
        );
        assert!(ok.done());
        assert!(Body::new(Framing::Chunked).advance(&trailer(MAX_CHUNK_LINE)).is_err());
        let open = |len: usize| [b"0\r\n".as_slice(), &vec![b't'; len]].concat();
        assert_eq!(Body::new(Framing::Chunked).advance(&open(MAX_CHUNK_LINE - 1)).expect("open"), 3);
        assert!(Body::new(Framing::Chunked).advance(&open(MAX_CHUNK_LINE)).is_err());
    }
}
