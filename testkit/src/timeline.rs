//! The state of a fake as time passes: the store, and the late calls (requests already
//! read, to be performed at a set time). Whoever looks at the state first brings it up to
//! the present, performing every late call that has come due in the order it came due, so
//! what anyone sees is exactly what would have happened at each call's time, however late
//! the looking.

use crate::clock::Clock;
use crate::operation::{Call, perform};
use crate::store::{Answer, Moment, Store};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::AbortHandle;

/// A request to perform at a set time.
#[derive(Debug)]
struct LateCall {
    call: Call,
    /// Where its answer goes; nobody may be waiting any more.
    reply: oneshot::Sender<Answer>,
    /// The task that wakes at the due time to perform it even if nobody looks.
    waiter: Option<AbortHandle>,
}

/// The key of a late call: its due time, then the order calls were scheduled in.
pub(crate) type LateCallId = (Duration, u64);

#[derive(Debug)]
pub(crate) struct Timeline {
    pub store: Store,
    late: BTreeMap<LateCallId, LateCall>,
    scheduled: u64,
    /// The latest time the state was brought up to: the present never moves back, even when
    /// two threads read the clock in one order and take the lock in the other.
    present: Duration,
}

impl Timeline {
    pub fn new(store: Store) -> Timeline {
        Timeline {
            store,
            late: BTreeMap::new(),
            scheduled: 0,
            present: Duration::ZERO,
        }
    }

    /// Performs every late call due by `now`, in due order; returns the present (`now`, or
    /// the present already reached if that is later) and how many calls it performed.
    pub fn catch_up(&mut self, clock: &Clock, now: Duration) -> (Duration, usize) {
        self.present = self.present.max(now);
        let mut performed = 0;
        while let Some(entry) = self.late.first_entry() {
            let due = entry.key().0;
            if due > self.present {
                break;
            }
            let late = entry.remove();
            let at = Moment {
                clock: due,
                wall: clock.wall_at(due),
            };
            let answer = perform(&mut self.store, &late.call, at);
            // The client may have given up: the effect stands, the answer goes nowhere.
            let _ = late.reply.send(answer);
            if let Some(waiter) = late.waiter {
                waiter.abort();
            }
            performed += 1;
        }
        (self.present, performed)
    }

    /// Schedules `call` for `due`; `reply` receives its answer then.
    pub fn schedule(
        &mut self,
        due: Duration,
        call: Call,
        reply: oneshot::Sender<Answer>,
    ) -> LateCallId {
        self.scheduled += 1;
        let id = (due, self.scheduled);
        let late = LateCall {
            call,
            reply,
            waiter: None,
        };
        self.late.insert(id, late);
        id
    }

    /// Records the task that performs call `id` when it is due; a call already performed
    /// needs none, and its waiter is stopped.
    pub fn set_waiter(&mut self, id: LateCallId, waiter: AbortHandle) {
        match self.late.get_mut(&id) {
            Some(late) => late.waiter = Some(waiter),
            None => waiter.abort(),
        }
    }

    /// Late calls scheduled and not yet performed.
    pub fn pending(&self) -> usize {
        self.late.len()
    }

    /// Stops every waiter: the server is going away, and so are its late calls.
    pub fn abort_waiters(&mut self) {
        for late in self.late.values_mut() {
            if let Some(waiter) = late.waiter.take() {
                waiter.abort();
            }
        }
    }
}
