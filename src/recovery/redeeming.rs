//! [`Redeeming`]: one redemption of a token at a time, in this instance.
//!
//! A redemption checks its token, hashes the new password (tens of milliseconds of argon2)
//! and then claims the token in a transaction. Two requests racing with one token would both
//! pass the check and both hash, and one hash would be wasted. So a redemption holds its
//! token's turn from before its hash until its transaction has ended: a racer with the same
//! token waits for that turn, checks again, finds the token used and costs no hash. Requests
//! with different tokens never wait for each other here, and the hashing slot is free for them
//! as soon as a hash is done.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rocket::tokio::sync::{Mutex as TurnLock, OwnedMutexGuard};

use crate::token::TokenHash;

/// Each token being redeemed (by its digest), with its turn.
type Turns = HashMap<[u8; 32], Arc<TurnLock<()>>>;

/// The tokens being redeemed, each with its turn. Cloning shares it.
#[derive(Clone, Default)]
pub(crate) struct Redeeming {
    turns: Arc<Mutex<Turns>>,
}

/// A token's turn, held until dropped.
pub(crate) struct Turn {
    redeeming: Redeeming,
    token: [u8; 32],
    /// Whether another redemption of the token held the turn first.
    pub(crate) waited: bool,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Redeeming {
    /// Waits for `token`'s turn.
    pub(crate) async fn turn(&self, token: &TokenHash) -> Turn {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(turns.entry(token.0).or_default())
        };
        let (guard, waited) = match Arc::clone(&lock).try_lock_owned() {
            Ok(guard) => (guard, false),
            Err(_) => (lock.lock_owned().await, true),
        };
        Turn { redeeming: self.clone(), token: token.0, waited, guard: Some(guard) }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut turns = self.redeeming.turns.lock().unwrap_or_else(PoisonError::into_inner);
        // Only the map holds it now: nobody is waiting for this token's turn.
        if turns.get(&self.token).is_some_and(|lock| Arc::strong_count(lock) == 1) {
            turns.remove(&self.token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Redeeming;
    use crate::token::TokenHash;

    #[rocket::async_test]
    async fn one_token_waits_for_its_turn_and_others_do_not_and_nothing_is_left_behind() {
        let redeeming = Redeeming::default();
        let (a, b) = (TokenHash([1; 32]), TokenHash([2; 32]));
        let first = redeeming.turn(&a).await;
        assert!(!first.waited);
        let other = redeeming.turn(&b).await;
        assert!(!other.waited, "another token does not wait");
        let mut second = {
            let redeeming = redeeming.clone();
            rocket::tokio::spawn(async move { redeeming.turn(&a).await.waited })
        };
        let early = rocket::tokio::time::timeout(std::time::Duration::from_millis(200), &mut second).await;
        assert!(early.is_err(), "the same token waits while the first holds its turn");
        drop(first);
        assert!(second.await.expect("the second gets its turn"), "and knows it waited");
        drop(other);
        assert!(redeeming.turns.lock().expect("not poisoned").is_empty(), "no entry is left");
    }
}
