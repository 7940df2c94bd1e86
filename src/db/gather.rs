//! [`Gathering`]: work that arrives while the database is busy with earlier work waits, and
//! is then taken up together, in one statement or one transaction.
//!
//! No work waits for a timer: the first item that finds a slot free takes it and is taken up at
//! once, alone; only items that arrive while every slot is busy wait, and the slot that frees
//! first takes all of them (up to a bound) together. At one request at a time nothing changes;
//! under load, one statement or one commit serves many. Used by the per-IP count of the public
//! routes (`PublicCounter`) and by the admin's recoveries (`RecoveryService::start`).

use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Items waiting to be taken up, and how many slots are taking some up now.
pub(crate) struct Gathering<T> {
    waiting: Mutex<Waiting<T>>,
    /// Drains running at once at most (each on its own pooled connection).
    slots: usize,
    /// Items waiting at most; one more is refused ([`Gathering::join`]).
    most_waiting: usize,
}

struct Waiting<T> {
    items: Vec<T>,
    /// Slots taken by a running drain.
    busy: usize,
}

/// What [`Gathering::join`] made of an item.
pub(crate) enum Joined<T> {
    /// It waits, and a slot was free: the caller must start a drain ([`Gathering::drain`]).
    Start,
    /// It waits for a drain already running.
    Wait,
    /// Refused: the queue is full (the database is not keeping up). The item is given back.
    Full(T),
}

impl<T> Gathering<T> {
    /// A gathering of at most `most_waiting` items, taken up by at most `slots` drains at once.
    pub(crate) fn new(slots: usize, most_waiting: usize) -> Gathering<T> {
        Gathering { waiting: Mutex::new(Waiting { items: Vec::new(), busy: 0 }), slots, most_waiting }
    }

    fn lock(&self) -> MutexGuard<'_, Waiting<T>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `item` to the waiting ones.
    pub(crate) fn join(&self, item: T) -> Joined<T> {
        let mut waiting = self.lock();
        if waiting.items.len() >= self.most_waiting {
            return Joined::Full(item);
        }
        waiting.items.push(item);
        if waiting.busy < self.slots {
            waiting.busy += 1;
            Joined::Start
        } else {
            Joined::Wait
        }
    }

    /// Takes up what is waiting, at most `most` items at a time in arrival order, each time with
    /// `take_up`, until nothing is; then gives its slot back. Call it once for each
    /// [`Joined::Start`].
    pub(crate) async fn drain<F, Fut>(&self, most: usize, mut take_up: F)
    where
        F: FnMut(Vec<T>) -> Fut,
        Fut: Future<Output = ()>,
    {
        let mut slot = Slot { gathering: self, given_back: false };
        loop {
            let items: Vec<T> = {
                let mut waiting = self.lock();
                let n = waiting.items.len().min(most);
                if n == 0 {
                    // Found empty and given back under one lock: an item pushed after this
                    // sees the slot free and starts a drain of its own.
                    waiting.busy -= 1;
                    slot.given_back = true;
                    return;
                }
                waiting.items.drain(..n).collect()
            };
            take_up(items).await;
        }
    }
}

/// Gives its slot back if the drain ends early (a panic), so the slots cannot run out.
struct Slot<'a, T> {
    gathering: &'a Gathering<T>,
    given_back: bool,
}

impl<T> Drop for Slot<'_, T> {
    fn drop(&mut self) {
        if !self.given_back {
            self.gathering.lock().busy -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Gathering, Joined};

    #[test]
    fn the_first_item_starts_a_drain_the_next_wait_and_a_full_queue_refuses() {
        let gathering = Gathering::new(2, 3);
        assert!(matches!(gathering.join(1), Joined::Start));
        assert!(matches!(gathering.join(2), Joined::Start));
        assert!(matches!(gathering.join(3), Joined::Wait), "both slots are busy");
        assert!(matches!(gathering.join(4), Joined::Full(4)), "three wait already");
    }

    #[test]
    fn a_drain_takes_up_everything_in_arrival_order_and_gives_its_slot_back() {
        let gathering = Gathering::new(1, 10);
        assert!(matches!(gathering.join(1), Joined::Start));
        for i in 2..=5 {
            assert!(matches!(gathering.join(i), Joined::Wait));
        }
        let mut taken = Vec::new();
        futures::executor::block_on(gathering.drain(2, |items| {
            taken.push(items);
            std::future::ready(())
        }));
        assert_eq!(taken, vec![vec![1, 2], vec![3, 4], vec![5]]);
        assert!(matches!(gathering.join(6), Joined::Start), "the slot was given back");
    }

    #[test]
    fn a_drain_that_panics_gives_its_slot_back() {
        let gathering = Gathering::new(1, 10);
        assert!(matches!(gathering.join(1), Joined::Start));
        let drained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures::executor::block_on(gathering.drain(8, |_| async { panic!("taken up badly") }));
        }));
        assert!(drained.is_err());
        assert!(matches!(gathering.join(2), Joined::Start), "the slot was given back");
    }
}
