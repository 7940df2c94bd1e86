//! Passwords: the policy a new password must meet, and argon2id hashing, bounded and kept off
//! the async runtime.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::{Argon2Config, PasswordPolicy};
use crate::error::{Error, Hint, Weakness};

fn argon2(config: &Argon2Config) -> Result<Argon2<'static>, Error> {
    let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[cfg(feature = "internals")]
/// An argon2id PHC string for `password`, with a fresh 16-byte salt. CPU- and memory-heavy:
/// on a server, go through [`HashingPool`] instead.
///
/// # Errors
/// Only if the parameters are refused (they are validated at ignition).
pub fn hash(config: &Argon2Config, password: &str) -> Result<String, Error> {
    use argon2::password_hash::PasswordHasher as _;
    let salt = SaltString::generate(&mut OsRng);
    argon2(config)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

#[cfg(feature = "internals")]
/// Whether `password` matches the PHC string `phc` (any argon2 variant and cost).
#[must_use]
pub fn verify(phc: &str, password: &str) -> bool {
    use argon2::password_hash::PasswordVerifier as _;
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// How new passwords are stored. The default is argon2id with `user_account.argon2.*`; a host whose login
/// verifies another scheme (bcrypt, scrypt, its own argon2 parameters) passes its own to
/// [`crate::UserAccountBuilder::password_hasher`], so its login keeps verifying what the
/// crate stores. Whatever the hasher, the crate checks the password policy first and runs
/// the hash on the blocking pool, at most `argon2.max_concurrent` at once, and checks at
/// ignition that that many hashes of [`PasswordHasher::memory_kib`] fit in memory. The
/// `argon2.memory_kib`, `argon2.iterations` and `argon2.parallelism` keys are the default
/// hasher's only; `argon2.max_concurrent` bounds every hasher.
///
/// ```
/// use rocket_user_account::PasswordHasher;
///
/// /// The host's own argon2id, m=64 MiB, t=3, p=1.
/// struct HostHasher;
///
/// impl PasswordHasher for HostHasher {
///     fn hash(&self, password: &str) -> Result<String, String> {
///         # let _ = password;
///         // Hash exactly as the host's signup does; the error names what failed, never the password.
///         Err("argon2id: not shown here".into())
///     }
///     fn memory_kib(&self) -> u64 {
///         64 * 1024
///     }
/// }
/// ```
pub trait PasswordHasher: Send + Sync + 'static {
    /// The stored form of `password` (what the host's login verifies). It may be slow: it
    /// runs on a blocking thread. An error is logged (never with the password) and answered
    /// with a 500.
    ///
    /// # Errors
    /// A sentence saying what failed; it must not contain the password.
    fn hash(&self, password: &str) -> Result<String, String>;

    /// The memory one hash takes, in KiB, for the bound checked at ignition
    /// (`argon2.max_concurrent` hashes at once must fit in half the machine's memory). The
    /// default, 19456, is what the crate's own argon2id takes with its defaults: a hasher that
    /// takes more (or much less) says so.
    fn memory_kib(&self) -> u64 {
        DEFAULT_MEMORY_KIB
    }
}

/// What [`PasswordHasher::memory_kib`] says unless a hasher says otherwise: argon2id's
/// `argon2.memory_kib` default.
const DEFAULT_MEMORY_KIB: u64 = 19_456;

/// The default hasher: argon2id with `user_account.argon2.*`, as a PHC string.
///
/// It keeps the memory of finished hashes (`argon2.memory_kib` each, at most
/// `argon2.max_concurrent` of them) and hands it to the next hash, instead of allocating and
/// freeing it every time: freed blocks of that size stay in the allocator's per-thread arenas,
/// so with many blocking threads the server's memory grew far past `max_concurrent` hashes.
#[derive(Debug, Clone)]
pub(crate) struct Argon2idHasher {
    config: Argon2Config,
    spare: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl Argon2idHasher {
    /// A hasher with these parameters.
    #[must_use]
    pub fn new(config: Argon2Config) -> Argon2idHasher {
        Argon2idHasher { config, spare: Arc::default() }
    }

    fn hash_reusing(&self, password: &str) -> Result<String, Error> {
        let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("argon2: {e}"));
        let argon2 = argon2(&self.config)?;
        let params = argon2.params().clone();
        let mut blocks = self
            .spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .filter(|b| b.len() == params.block_count())
            .unwrap_or_else(|| vec![Block::default(); params.block_count()]);
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_buf = [0u8; 64];
        let raw_salt = salt.as_salt().decode_b64(&mut salt_buf).map_err(|e| internal(&e))?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let hashed =
            argon2.hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, &mut blocks);
        if let Ok(mut spare) = self.spare.lock() {
            if spare.len() < self.config.max_concurrent {
                spare.push(blocks);
            }
        }
        hashed.map_err(|e| internal(&e))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: (&params).try_into().map_err(|e| internal(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| internal(&e))?),
        };
        Ok(phc.to_string())
    }
}

impl PasswordHasher for Argon2idHasher {
    fn hash(&self, password: &str) -> Result<String, String> {
        self.hash_reusing(password).map_err(|e| e.to_string())
    }

    fn memory_kib(&self) -> u64 {
        u64::from(self.config.memory_kib)
    }
}

/// How long a request waits for a hashing slot before it gets a 503.
const HASH_QUEUE_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs a [`PasswordHasher`] on Rocket's blocking pool, at most `argon2.max_concurrent` at
/// once, so a flood of password changes can neither stall the async workers nor take memory
/// without bound (each argon2id hash holds `argon2.memory_kib`).
#[derive(Clone)]
pub struct HashingPool {
    hasher: Arc<dyn PasswordHasher>,
    permits: Arc<Semaphore>,
    computed: Arc<AtomicU64>,
}

impl HashingPool {
    /// `hasher`, `max_concurrent` hashes at once.
    #[must_use]
    pub fn new(hasher: Arc<dyn PasswordHasher>, max_concurrent: usize) -> HashingPool {
        HashingPool { hasher, permits: Arc::new(Semaphore::new(max_concurrent)), computed: Arc::default() }
    }

    /// How many hashes this pool has computed (a metric: an invalid token must cost none).
    #[must_use]
    pub fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    /// Waits for a hashing slot (no database connection should be held meanwhile). The slot
    /// is held until it is dropped.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when no slot frees up in time.
    pub async fn slot(&self) -> Result<HashSlot, Error> {
        let asked = std::time::Instant::now();
        let permit =
            rocket::tokio::time::timeout(HASH_QUEUE_TIMEOUT, self.permits.clone().acquire_owned()).await;
        crate::metrics::hash_wait(asked.elapsed());
        let permit = permit
            .map_err(|_| Error::Unavailable("every password-hashing slot is busy".into()))?
            .map_err(|_| Error::Internal("the hashing semaphore was closed".into()))?;
        Ok(HashSlot { permit: Arc::new(permit), pool: self.clone() })
    }

    /// The stored form of `password`, in a slot of its own.
    ///
    /// # Errors
    /// As [`HashingPool::slot`] and [`HashSlot::hash`].
    pub async fn hash(&self, password: SecretString) -> Result<String, Error> {
        self.slot().await?.hash(password).await
    }
}

/// A granted hashing slot: one of `argon2.max_concurrent`.
pub struct HashSlot {
    permit: Arc<OwnedSemaphorePermit>,
    pool: HashingPool,
}

impl HashSlot {
    /// The stored form of `password`, computed on the blocking pool. The computation holds
    /// the slot too, so a request that goes away mid-hash does not free its slot early.
    ///
    /// # Errors
    /// [`Error::Internal`] if hashing fails.
    pub async fn hash(&self, password: SecretString) -> Result<String, Error> {
        let hasher = Arc::clone(&self.pool.hasher);
        let permit = Arc::clone(&self.permit);
        self.pool.computed.fetch_add(1, Ordering::Relaxed);
        rocket::tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let began = std::time::Instant::now();
            let hashed = hasher.hash(password.expose_secret());
            crate::metrics::hash_took(began.elapsed());
            hashed
        })
        .await
        .map_err(|e| Error::Internal(format!("hashing task: {e}")))?
        .map_err(|e| Error::Internal(format!("password hasher: {e}")))
    }
}

impl PasswordPolicy {
    /// Checks `password` for the account with `email` and `display_name`, in a product called
    /// `product_name`: what the API and the CLI check.
    ///
    /// # Errors
    /// The first [`Weakness`] found.
    pub fn check_for(
        &self,
        password: &str,
        email: &str,
        display_name: &str,
        product_name: &str,
    ) -> Result<(), Weakness> {
        let local_part = email.rsplit_once('@').map_or(email, |(local, _)| local);
        self.check(password, &[email, local_part, display_name], &[product_name])
    }

    /// Checks `password`: length in Unicode code points (no truncation, no composition
    /// rules), then zxcvbn's score with `personal` (the user's email, its local part, their
    /// name) and `service` (the product name) as words an attacker would try first. A password
    /// containing one of them, or a word of four letters or more from a personal one, is
    /// refused too.
    ///
    /// # Errors
    /// The first [`Weakness`] found.
    pub fn check(&self, password: &str, personal: &[&str], service: &[&str]) -> Result<(), Weakness> {
        let length = password.chars().count();
        if length < self.min_length {
            return Err(Weakness::TooShort { min_length: self.min_length });
        }
        if length > self.max_length {
            return Err(Weakness::TooLong { max_length: self.max_length });
        }
        let words = personal.iter().flat_map(|c| c.split(|ch: char| !ch.is_alphanumeric()));
        let context: Vec<&str> = personal
            .iter()
            .chain(service)
            .copied()
            .chain(words.filter(|w| w.chars().count() >= 4))
            .filter(|c| !c.trim().is_empty())
            .collect();
        let entropy = zxcvbn::zxcvbn(password, &context);
        let score = u8::from(entropy.score());
        // zxcvbn scores a password that is (or nearly is) a context word low, but a context
        // word padded with a little noise can still pass; refuse a password that contains one.
        let lowered = password.to_lowercase();
        let contains_context =
            context.iter().any(|c| c.chars().count() >= 4 && lowered.contains(&c.to_lowercase()));
        if score < self.min_score || contains_context {
            let feedback = entropy.feedback();
            return Err(Weakness::TooGuessable {
                score: if contains_context { score.min(1) } else { score },
                min_score: self.min_score,
                warning: feedback
                    .and_then(|f| f.warning())
                    .map(warning_hint)
                    .or_else(|| contains_context.then_some(Hint("password-warning-personal"))),
                suggestions: feedback
                    .map(|f| f.suggestions().iter().copied().map(suggestion_hint).collect())
                    .unwrap_or_default(),
            });
        }
        Ok(())
    }
}

/// The sentence of zxcvbn's `warning` (a message of `api.ftl`).
fn warning_hint(warning: zxcvbn::feedback::Warning) -> Hint {
    use zxcvbn::feedback::Warning as W;
    Hint(match warning {
        W::StraightRowsOfKeysAreEasyToGuess => "password-warning-straight-rows",
        W::ShortKeyboardPatternsAreEasyToGuess => "password-warning-short-keyboard-patterns",
        W::RepeatsLikeAaaAreEasyToGuess => "password-warning-repeats",
        W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => "password-warning-repeated-patterns",
        W::ThisIsATop10Password => "password-warning-top-10",
        W::ThisIsATop100Password => "password-warning-top-100",
        W::ThisIsACommonPassword => "password-warning-common",
        W::ThisIsSimilarToACommonlyUsedPassword => "password-warning-similar-to-common",
        W::SequencesLikeAbcAreEasyToGuess => "password-warning-sequences",
        W::RecentYearsAreEasyToGuess => "password-warning-recent-years",
        W::AWordByItselfIsEasyToGuess => "password-warning-single-word",
        W::DatesAreOftenEasyToGuess => "password-warning-dates",
        W::NamesAndSurnamesByThemselvesAreEasyToGuess => "password-warning-names",
        W::CommonNamesAndSurnamesAreEasyToGuess => "password-warning-common-names",
    })
}

/// The sentence of one of zxcvbn's `suggestions` (a message of `api.ftl`).
fn suggestion_hint(suggestion: zxcvbn::feedback::Suggestion) -> Hint {
    use zxcvbn::feedback::Suggestion as S;
    Hint(match suggestion {
        S::UseAFewWordsAvoidCommonPhrases => "password-suggestion-few-words",
        S::NoNeedForSymbolsDigitsOrUppercaseLetters => "password-suggestion-no-symbols-needed",
        S::AddAnotherWordOrTwo => "password-suggestion-add-words",
        S::CapitalizationDoesntHelpVeryMuch => "password-suggestion-capitalization",
        S::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => "password-suggestion-all-uppercase",
        S::ReversedWordsArentMuchHarderToGuess => "password-suggestion-reversed-words",
        S::PredictableSubstitutionsDontHelpVeryMuch => "password-suggestion-substitutions",
        S::UseALongerKeyboardPatternWithMoreTurns => "password-suggestion-longer-keyboard-pattern",
        S::AvoidRepeatedWordsAndCharacters => "password-suggestion-avoid-repeats",
        S::AvoidSequences => "password-suggestion-avoid-sequences",
        S::AvoidRecentYears => "password-suggestion-avoid-recent-years",
        S::AvoidYearsThatAreAssociatedWithYou => "password-suggestion-avoid-your-years",
        S::AvoidDatesAndYearsThatAreAssociatedWithYou => "password-suggestion-avoid-your-dates",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher as _;

    fn policy() -> PasswordPolicy {
        PasswordPolicy::default()
    }

    #[test]
    fn the_hasher_reusing_its_memory_makes_the_same_phc_strings_as_hash() {
        let config = Argon2Config { memory_kib: 1024, iterations: 1, parallelism: 1, max_concurrent: 1 };
        let hasher = Argon2idHasher::new(config.clone());
        let (a, b) =
            (hasher.hash("correct horse").expect("hash"), hasher.hash("correct horse").expect("hash"));
        assert!(a.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify(&a, "correct horse") && verify(&b, "correct horse") && !verify(&b, "wrong horse"));
        // Same salt, same password: the same string as the allocating path.
        let parsed = PasswordHash::new(&a).expect("phc");
        let salt = parsed.salt.expect("salt");
        let again = argon2(&config).expect("params").hash_password(b"correct horse", salt).expect("hash");
        assert_eq!(again.to_string(), a);
        assert_eq!(hasher.spare.lock().expect("lock").len(), 1, "the memory is kept for the next hash");
    }

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

    #[test]
    fn length_is_counted_in_code_points_between_the_bounds() {
        let p = policy();
        assert_eq!(p.check("Zq8#vP2!mK5@wR", &[], &[]), Err(Weakness::TooShort { min_length: 15 }));
        assert!(p.check("violet tugboat quarry", &[], &[]).is_ok());
        // 15 emoji are 60 bytes but 15 code points.
        let emoji = "🦀🌋🎻🧊🚲🪐🦉🍋🧲🎲🛶🌵🪁🧩🦔";
        assert_eq!(emoji.chars().count(), 15);
        assert!(p.check(emoji, &[], &[]).is_ok());
        let long: String = "violet tugboat quarry ".repeat(6).chars().take(129).collect();
        assert_eq!(p.check(&long, &[], &[]), Err(Weakness::TooLong { max_length: 128 }));
        assert!(p.check(&long[..128], &[], &[]).is_ok());
    }

    #[test]
    fn common_and_personal_passwords_are_too_guessable() {
        let p = policy();
        for weak in ["passwordpassword", "123456789012345", "qwertyuiopasdfgh"] {
            assert!(matches!(p.check(weak, &[], &[]), Err(Weakness::TooGuessable { .. })), "{weak}");
        }
        let context = ["margaret.hamilton@example.org", "margaret.hamilton", "Margaret Hamilton"];
        for personal in ["margaret.hamilton@example.org", "MargaretHamilton1969!", "xx-margaret.hamilton-xx"]
        {
            assert!(
                matches!(p.check(personal, &context, &[]), Err(Weakness::TooGuessable { .. })),
                "{personal}"
            );
        }
        // The service name counts whole: its words alone do not make a password weak.
        assert!(p.check("your violet tugboat account", &[], &["Your account"]).is_ok());
        assert!(p.check("your account violet tugboat", &[], &["Your account"]).is_err());
    }

    #[test]
    fn details_never_carry_the_password() {
        let secret = "hunter2hunter2hunter2";
        let Err(weak) = policy().check(secret, &["hunter2hunter2hunter2"], &[]) else {
            panic!("must be weak")
        };
        assert!(!weak.details(|hint| hint.id().to_owned()).to_string().contains("hunter2"));
        assert!(!weak.message().contains("hunter2"));
    }

    #[test]
    fn every_hint_zxcvbn_can_give_has_a_sentence() {
        use zxcvbn::feedback::{Suggestion as S, Warning as W};
        let locales = crate::locale::Locales::load(None, "en").expect("shipped languages");
        let ids: Vec<&str> = locales.ids(crate::locale::Area::Api).collect();
        let warnings = [
            W::StraightRowsOfKeysAreEasyToGuess,
            W::ShortKeyboardPatternsAreEasyToGuess,
            W::RepeatsLikeAaaAreEasyToGuess,
            W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
            W::ThisIsATop10Password,
            W::ThisIsATop100Password,
            W::ThisIsACommonPassword,
            W::ThisIsSimilarToACommonlyUsedPassword,
            W::SequencesLikeAbcAreEasyToGuess,
            W::RecentYearsAreEasyToGuess,
            W::AWordByItselfIsEasyToGuess,
            W::DatesAreOftenEasyToGuess,
            W::NamesAndSurnamesByThemselvesAreEasyToGuess,
            W::CommonNamesAndSurnamesAreEasyToGuess,
        ];
        let suggestions = [
            S::UseAFewWordsAvoidCommonPhrases,
            S::NoNeedForSymbolsDigitsOrUppercaseLetters,
            S::AddAnotherWordOrTwo,
            S::CapitalizationDoesntHelpVeryMuch,
            S::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase,
            S::ReversedWordsArentMuchHarderToGuess,
            S::PredictableSubstitutionsDontHelpVeryMuch,
            S::UseALongerKeyboardPatternWithMoreTurns,
            S::AvoidRepeatedWordsAndCharacters,
            S::AvoidSequences,
            S::AvoidRecentYears,
            S::AvoidYearsThatAreAssociatedWithYou,
            S::AvoidDatesAndYearsThatAreAssociatedWithYou,
        ];
        let hints: Vec<Hint> = warnings
            .into_iter()
            .map(warning_hint)
            .chain(suggestions.into_iter().map(suggestion_hint))
            .chain([Hint("password-warning-personal")])
            .collect();
        let distinct: std::collections::HashSet<_> = hints.iter().map(|h| h.id()).collect();
        assert_eq!(distinct.len(), hints.len(), "each hint has a sentence of its own");
        for hint in hints {
            assert!(ids.contains(&hint.id()), "{} has no sentence", hint.id());
        }
    }
}
