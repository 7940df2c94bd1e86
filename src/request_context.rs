//! `RequestContext`: the request id and client IP that audit events and logs carry.

use std::net::IpAddr;

use rocket::request::{FromRequest, Outcome, Request};
use uuid::Uuid;

use crate::config::Config;

/// The request's id and its client's IP.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// A fresh id for this request.
    pub request_id: String,
    /// From the socket, or from `trusted_proxy_header` when configured; never from Rocket's
    /// default `X-Real-IP`, which any client can set. Of a list such as `X-Forwarded-For`,
    /// the last entry counts: the one the trusted proxy appended (a client can put anything
    /// before it).
    pub client_ip: Option<IpAddr>,
}

impl RequestContext {
    /// A context for work done outside a request (a host's admin UI, a job, the CLI): a fresh
    /// id and no client address.
    #[must_use]
    pub fn detached() -> RequestContext {
        RequestContext { request_id: Uuid::new_v4().simple().to_string(), client_ip: None }
    }

    /// The context of `req`, made once per request.
    pub fn of<'r>(req: &'r Request<'_>) -> &'r RequestContext {
        req.local_cache(|| {
            let header = req.rocket().state::<Config>().and_then(|c| c.trusted_proxy_header.as_deref());
            let from_header = header
                .and_then(|h| Some((h, req.headers().get(h).last()?)))
                .and_then(|(h, v)| proxied_ip(h, v));
            RequestContext {
                request_id: Uuid::new_v4().simple().to_string(),
                client_ip: from_header.or_else(|| req.remote().map(|a| a.ip())),
            }
        })
    }
}

/// The client address in the last element of a proxy header's value (the one the trusted
/// proxy appended): `Forwarded`'s `for=` parameter (RFC 7239), or the plain address of the
/// other headers in [`crate::config::PROXY_HEADERS`].
fn proxied_ip(header: &str, value: &str) -> Option<IpAddr> {
    let last = value.rsplit(',').next()?.trim();
    if !header.eq_ignore_ascii_case("forwarded") {
        return parse_ip(last);
    }
    let node = last.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then_some(value.trim())
    })?;
    // A quoted node may hold an IPv6 address in brackets, with or without a port.
    let node = node.trim_matches('"');
    parse_ip(node).or_else(|| parse_ip(node.trim_start_matches('[').trim_end_matches(']')))
}

/// An IP address, alone or with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_ip(value: &str) -> Option<IpAddr> {
    value.parse().ok().or_else(|| value.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// The key client limits count against: the address itself for IPv4, its /64 for IPv6
/// (one subscriber usually holds a whole /64, so single addresses are free to rotate).
#[must_use]
pub(crate) fn limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r RequestContext {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(RequestContext::of(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_or_without_a_port() {
        assert_eq!(parse_ip("192.0.2.1"), "192.0.2.1".parse().ok());
        assert_eq!(parse_ip("192.0.2.1:4711"), "192.0.2.1".parse().ok());
        assert_eq!(parse_ip("[2001:db8::1]:4711"), "2001:db8::1".parse().ok());
        assert_eq!(parse_ip("for=192.0.2.1"), None);
    }

    #[test]
    fn forwarded_headers_yield_the_last_for_parameter() {
        let v4 = "192.0.2.60".parse().ok();
        assert_eq!(proxied_ip("Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"), v4);
        assert_eq!(proxied_ip("forwarded", "for=198.51.100.1, For=\"192.0.2.60:4711\""), v4);
        assert_eq!(
            proxied_ip("Forwarded", "for=\"[2001:db8:cafe::17]:4711\""),
            "2001:db8:cafe::17".parse().ok()
        );
        assert_eq!(proxied_ip("Forwarded", "for=\"[2001:db8:cafe::17]\""), "2001:db8:cafe::17".parse().ok());
        assert_eq!(proxied_ip("Forwarded", "for=unknown"), None);
        assert_eq!(proxied_ip("Forwarded", "proto=https"), None);
        assert_eq!(proxied_ip("X-Forwarded-For", "203.0.113.9, 192.0.2.60"), v4);
        assert_eq!(proxied_ip("X-Forwarded-For", "for=192.0.2.60"), None);
    }

    #[test]
    fn ipv6_clients_are_limited_per_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        assert_eq!(limit_key(a), limit_key(b));
        assert_eq!(limit_key(a), "2001:db8:1:2::/64");
        assert_eq!(limit_key("::ffff:192.0.2.1".parse().expect("ip")), "192.0.2.1");
    }
}
