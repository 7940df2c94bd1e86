//! `GET <mount>/<id>/avatar` (debug mode only), and the rules for what may be stored as one.

use std::collections::BTreeMap;

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::{get, State};
use sha2::{Digest as _, Sha256};
use url::Url;
use utoipa::openapi::header::{Header as HeaderSpec, HeaderBuilder};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Content, ObjectBuilder, RefOr, Response as ApiResponse, SchemaFormat, Type};

use crate::accounts::Avatar;
use crate::db::DbConn;
use crate::debug::DebugMode;
use crate::debug::OPENAPI_TAG as DEBUG;
use crate::error::responses::{InternalServerError, NotFound, ServiceUnavailable};
use crate::error::{Error, Result};
use crate::rate_limit::PublicLimit;
use crate::recovery::RecoveryService;

/// The largest avatar accepted, in bytes (also a check constraint on `users`).
pub const MAX_AVATAR_BYTES: usize = 1024 * 1024;

/// Image types an avatar may have. Never SVG or HTML: those can carry script.
pub const ALLOWED_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The real image type of `bytes`, sniffed from their content (not from a file name or a
/// client's claim), if it is one of `ALLOWED_TYPES` and within `MAX_AVATAR_BYTES`.
///
/// # Errors
/// A sentence saying why the bytes are refused.
pub fn sniff_image(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.len() > MAX_AVATAR_BYTES {
        return Err(format!("an avatar may be at most {MAX_AVATAR_BYTES} bytes"));
    }
    let kind = infer::get(bytes).map(|k| k.mime_type());
    kind.and_then(|mime| ALLOWED_TYPES.into_iter().find(|allowed| *allowed == mime)).ok_or_else(|| {
        format!("not a png, jpeg, gif or webp image (found {})", kind.unwrap_or("unknown data"))
    })
}

/// `url` if it is an absolute http or https URL with a host; never `javascript:`, `data:` or
/// a relative reference.
///
/// # Errors
/// A sentence saying why the URL is refused.
pub fn validate_url(url: &str) -> Result<String, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not an absolute URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err("only http and https URLs with a host may be stored".into());
    }
    Ok(parsed.into())
}

/// What the avatar route answers.
#[derive(Debug)]
pub enum AvatarResponse {
    /// Stored bytes with their sniffed type.
    Image {
        /// The bytes.
        bytes: Vec<u8>,
        /// Their type, one of [`ALLOWED_TYPES`].
        content_type: &'static str,
        /// A strong validator of the bytes.
        etag: String,
    },
    /// A redirect to the stored URL.
    Redirect(String),
}

/// `GET <mount>/{id}/avatar` (debug mode only): an account's avatar, from the account store.
///
/// Stored bytes are served with their sniffed image type, a stored URL is a redirect. 404 for
/// an unknown or malformed id, an account without avatar, or stored data that no longer passes
/// the rules (they are checked again when served). Answers only when Rocket runs its debug
/// profile or `user_account.debug_routes = true`; otherwise the path does not exist.
#[utoipa::path(
    tag = DEBUG,
    params(("id" = String, Path, description = "The account's id, as the account store has it \
        (a UUID with the default store).")),
    responses(
        AvatarResponse,
        (status = 404, response = NotFound),
        PublicLimit,
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/<id>/avatar")]
pub async fn avatar(
    _debug: DebugMode,
    _limit: PublicLimit,
    id: &str,
    service: &State<RecoveryService>,
    mut conn: DbConn,
) -> Result<AvatarResponse> {
    if id.is_empty() || id.len() > 255 || id.chars().any(char::is_control) {
        return Err(Error::NotFound);
    }
    match service.store().avatar(&mut conn, id).await?.ok_or(Error::NotFound)? {
        Avatar::Image(bytes) => {
            let content_type = sniff_image(&bytes).map_err(|_| Error::NotFound)?;
            let etag = format!("\"{}\"", hex(&Sha256::digest(&bytes)[..16]));
            Ok(AvatarResponse::Image { bytes, content_type, etag })
        }
        Avatar::Url(url) => validate_url(&url).map(AvatarResponse::Redirect).map_err(|_| Error::NotFound),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether an `If-None-Match` header value matches `etag` (weak comparison, RFC 9110 §13.1.2).
fn if_none_match_hits(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// The avatar's answers: the image (200), not modified (304), the stored URL (302).
impl utoipa::IntoResponses for AvatarResponse {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        let string = |description: &str| -> HeaderSpec {
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(description))
                .build()
        };
        let etag = || string("A strong validator of the image bytes, for `If-None-Match`.");
        let caching = || string("`private, max-age=300`.");
        let image = ALLOWED_TYPES
            .into_iter()
            .fold(ResponseBuilder::new(), |response, ty| response.content(ty, Content::default()))
            .description("The stored image, with the type sniffed from its bytes.")
            .header("ETag", etag())
            .header("Cache-Control", caching())
            .header("X-Content-Type-Options", string("`nosniff`."));
        let not_modified = ResponseBuilder::new()
            .description("The image has not changed since the `If-None-Match` validator.")
            .header("ETag", etag())
            .header("Cache-Control", caching());
        let redirect = ResponseBuilder::new()
            .description("The avatar is stored as a URL (http or https only): go there.")
            .header(
                "Location",
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .format(Some(SchemaFormat::Custom("uri".into()))),
                    )
                    .description(Some("The stored avatar URL."))
                    .build(),
            )
            .header("Cache-Control", caching());
        [("200", image), ("302", redirect), ("304", not_modified)]
            .into_iter()
            .map(|(status, response)| (status.to_owned(), response.build().into()))
            .collect()
    }
}

impl<'r> Responder<'r, 'static> for AvatarResponse {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            AvatarResponse::Image { bytes, content_type, etag } => {
                let hit = req.headers().get("If-None-Match").any(|h| if_none_match_hits(h, &etag));
                let mut response = Response::build();
                response
                    .header(Header::new("ETag", etag))
                    .header(Header::new("Cache-Control", "private, max-age=300"))
                    .header(Header::new("X-Content-Type-Options", "nosniff"));
                if hit {
                    response.status(Status::NotModified);
                } else {
                    let ct = ContentType::parse_flexible(content_type).unwrap_or(ContentType::Binary);
                    response.header(ct).sized_body(bytes.len(), std::io::Cursor::new(bytes));
                }
                response.ok()
            }
            AvatarResponse::Redirect(url) => Response::build()
                .status(Status::Found)
                .header(Header::new("Location", url))
                .header(Header::new("Cache-Control", "private, max-age=300"))
                .ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn only_allowed_raster_types_pass() {
        assert_eq!(sniff_image(PNG), Ok("image/png"));
        assert_eq!(sniff_image(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Ok("image/jpeg"));
        assert!(sniff_image(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>").is_err());
        assert!(sniff_image(b"<html><script>alert(1)</script></html>").is_err());
        assert!(sniff_image(&vec![0u8; MAX_AVATAR_BYTES + 1]).is_err());
    }

    #[test]
    fn only_http_urls_pass() {
        assert!(validate_url("https://cdn.example/a.png").is_ok());
        assert!(validate_url("http://cdn.example/a.png").is_ok());
        for bad in
            ["javascript:alert(1)", "data:image/png;base64,AAAA", "/relative.png", "file:///etc/passwd"]
        {
            assert!(validate_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn etag_matching_follows_the_rfc() {
        assert!(if_none_match_hits("\"abc\"", "\"abc\""));
        assert!(if_none_match_hits("W/\"abc\", \"x\"", "\"abc\""));
        assert!(if_none_match_hits("*", "\"abc\""));
        assert!(!if_none_match_hits("\"abd\"", "\"abc\""));
    }
}
