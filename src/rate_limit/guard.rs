//! The per-IP request guards of the unauthenticated routes: [`PublicLimit`], and
//! [`PublicLimitOverlapped`] whose count runs while the body arrives.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use rocket::request::{FromRequest, Outcome, Request};
use utoipa::openapi::{RefOr, Response as ApiResponse};
use utoipa::IntoResponses;

use super::batch::{Pending, PublicCounter};
use super::PublicLimit;
use crate::db::rate_limits::Exceeded;
use crate::error::responses::{ServiceUnavailable, TooManyRequests};
use crate::error::Error;
use crate::request_context::{limit_key, RequestContext};

impl rocket::Sentinel for PublicLimit {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        crate::attached::missing(rocket, "PublicLimit")
    }
}

/// The counter and the client to count, or `None` when nothing is counted (the per-IP limit
/// is off, or the client has no address).
fn client<'r>(
    req: &'r Request<'_>,
) -> Result<Option<(&'r PublicCounter, String, &'r RequestContext)>, Error> {
    let counter = req
        .rocket()
        .state::<PublicCounter>()
        .ok_or_else(|| Error::Internal("a public limit used without the UserAccount fairing".into()))?;
    if !counter.counts() {
        return Ok(None);
    }
    let ctx = RequestContext::of(req);
    let Some(ip) = ctx.client_ip else { return Ok(None) };
    Ok(Some((counter, limit_key(ip), ctx)))
}

/// Counts `req`'s call against its client's per-IP limit and waits for the count: what
/// [`PublicLimit`] does, and what the admin guard does for a caller it refuses.
///
/// # Errors
/// [`Error::RateLimited`] over the limit, or the error that kept the call from being counted.
pub(crate) async fn count_public(req: &Request<'_>) -> Result<(), Error> {
    let Some((counter, subject, ctx)) = client(req)? else { return Ok(()) };
    answer(counter.hit(subject, ctx.clone()).await?)
}

/// The outcome of a count as this request's answer.
fn answer(outcome: Option<Exceeded>) -> Result<(), Error> {
    match outcome {
        None => Ok(()),
        Some(exceeded) => {
            crate::metrics::rate_limited("public_per_ip");
            Err(Error::RateLimited { retry_after: exceeded.retry_after })
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PublicLimit {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        match count_public(req).await {
            Ok(()) => Outcome::Success(PublicLimit),
            Err(e) => Outcome::Error((e.stash(req), e)),
        }
    }
}

/// [`PublicLimit`] whose count runs while the body arrives: the guard starts the call's count
/// instead of waiting for it. The route must [`settle`](PublicLimitOverlapped::settle) it
/// before it does anything else: a call over the limit gets 429 and costs no lookup. If the body cannot be read, the body's guard settles it, so a
/// malformed flood is limited (429) as with [`PublicLimit`]. The count is made whether or not
/// anybody waits for it, and holds no connection while the body arrives.
#[derive(Debug)]
pub struct PublicLimitOverlapped<'r>(&'r Started);

/// The count a [`PublicLimitOverlapped`] started, kept with its request until settled.
#[derive(Default)]
pub(crate) struct Started(Mutex<Option<Pending>>);

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Started")
    }
}

impl Started {
    /// Waits for the count, if one is still running, and answers it.
    async fn settle(&self) -> Result<(), Error> {
        let pending = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        match pending {
            Some(pending) => answer(pending.outcome().await?),
            None => Ok(()),
        }
    }
}

impl PublicLimitOverlapped<'_> {
    /// Waits for the call's count.
    ///
    /// # Errors
    /// [`Error::RateLimited`] when the call is over the limit, or the database error that
    /// kept it from being counted.
    pub async fn settle(self) -> Result<(), Error> {
        self.0.settle().await
    }
}

/// For a body guard that failed: the 429 of a call over its per-IP limit, if a
/// [`PublicLimitOverlapped`] count is running for `req`, so that a malformed flood is refused
/// as it is with [`PublicLimit`].
pub(crate) async fn refusal_of_unread(req: &Request<'_>) -> Option<Error> {
    match req.local_cache(Started::default).settle().await {
        Err(limited @ Error::RateLimited { .. }) => Some(limited),
        _ => None,
    }
}

impl rocket::Sentinel for PublicLimitOverlapped<'_> {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        crate::attached::missing(rocket, "PublicLimitOverlapped")
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PublicLimitOverlapped<'r> {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        let started = req.local_cache(Started::default);
        match client(req) {
            Ok(Some((counter, subject, ctx))) => {
                let pending = counter.start(subject, ctx.clone());
                *started.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(pending);
                Outcome::Success(PublicLimitOverlapped(started))
            }
            Ok(None) => Outcome::Success(PublicLimitOverlapped(started)),
            Err(e) => Outcome::Error((e.stash(req), e)),
        }
    }
}

/// The errors of [`PublicLimit`]: over the per-IP limit, or the database unreachable.
impl IntoResponses for PublicLimit {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        [TooManyRequests::entry(), ServiceUnavailable::entry()].into()
    }
}
