//! Secret tokens (bearer session tokens and recovery tokens): 32 bytes from the OS CSPRNG,
//! base64url without padding (43 characters). Only their SHA-256 digest is ever stored; a fast
//! hash is enough for a 256-bit random secret (NIST SP 800-63B §3.1.2.2).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// Bytes of entropy in a token.
pub const TOKEN_BYTES: usize = 32;
/// Length of a token's text form.
pub const TOKEN_LEN: usize = 43;

/// A raw token. It exists only to be handed to its owner once; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainToken(String);

/// The SHA-256 digest of a token: what the database stores and looks up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl PlainToken {
    /// A fresh token from the OS CSPRNG.
    #[must_use]
    pub fn generate() -> PlainToken {
        let mut bytes = [0u8; TOKEN_BYTES];
        OsRng.fill_bytes(&mut bytes);
        PlainToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only the exact shape `generate` produces (43 base64url characters that decode to
    /// 32 bytes), so garbage is refused without a database round trip.
    #[must_use]
    pub fn parse(text: &str) -> Option<PlainToken> {
        if text.len() != TOKEN_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        (bytes.len() == TOKEN_BYTES).then(|| PlainToken(text.to_owned()))
    }

    /// The token's text, to be put in a mail or printed to its owner, never logged.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its SHA-256 digest.
    #[must_use]
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainToken(<redacted>)")
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_tokens_are_32_bytes_url_safe_and_unique() {
        let tokens: HashSet<String> =
            (0..10_000).map(|_| PlainToken::generate().expose().to_owned()).collect();
        assert_eq!(tokens.len(), 10_000);
        for t in tokens.iter().take(100) {
            assert_eq!(t.len(), TOKEN_LEN);
            assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(PlainToken::parse(t).map(|p| p.hash()), Some(PlainToken(t.clone()).hash()));
        }
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = PlainToken::generate().expose().to_owned();
        for bad in ["", &good[..42], &format!("{good}A"), &"A".repeat(10_000), &good.replace(|_| true, "+")] {
            assert!(PlainToken::parse(bad).is_none(), "{bad:?}");
        }
        let non_ascii = format!("é{}", &good[2..]);
        assert!(PlainToken::parse(&non_ascii).is_none());
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let t = PlainToken::generate();
        assert!(!format!("{t:?}{:?}", t.hash()).contains(t.expose()));
    }
}
