//! Password hashing: argon2id with the configured cost, producing PHC strings.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::Argon2Config;
use crate::error::Error;

fn argon2(config: &Argon2Config) -> Result<Argon2<'static>, Error> {
    let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// An argon2id PHC string for `password`, with a fresh 16-byte salt. CPU- and memory-heavy:
/// call it off the async runtime.
///
/// # Errors
/// Only if the parameters are refused (they are validated at ignition).
pub fn hash(config: &Argon2Config, password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    argon2(config)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `phc` (any argon2 variant and cost).
#[must_use]
pub fn verify(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_phc_strings_that_verify() {
        let config = Argon2Config { memory_kib: 1024, iterations: 1, parallelism: 1, max_concurrent: 1 };
        let a = hash(&config, "correct horse battery staple").expect("hash");
        let b = hash(&config, "correct horse battery staple").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(verify(&a, "correct horse battery staple"));
        assert!(!verify(&a, "correct horse battery stapl"));
        assert!(!verify("not a phc string", "x"));
    }
}
