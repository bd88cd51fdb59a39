//! A world script's queue of events waiting for its handler, bounded, in world order.
//!
//! A crowded tick delivers thousands of events to hundreds of scripts (a pile of crates raises
//! two thousand collisions at once). Copying each event into each queue would cost the host
//! more than the scripts' handlers; instead the world encodes a tick's events once, filters
//! them once for each distinct set of subscriptions ([`Batch`]), and a queue holds runs: a
//! shared list and how far into it the script has got. Delivering a tick's events to a script
//! is one push, whatever their number.
//!
//! The queue holds at most [`MAX_QUEUED_EVENTS`](super::MAX_QUEUED_EVENTS) events; when more
//! arrive, the oldest are dropped and counted.

use std::collections::VecDeque;
use std::sync::Arc;

/// One encoded event (postcard bytes of a `WorldEvent`), shared by every queue holding it.
pub type Encoded = Arc<[u8]>;

/// Events of one tick for one set of subscriptions, in world order, shared by the queues of
/// every script with that set.
pub type Batch = Arc<[Encoded]>;

/// A run of a shared batch: the events from `next` on are still waiting.
#[derive(Debug)]
struct Run {
    events: Batch,
    next: usize,
}

impl Run {
    fn len(&self) -> usize {
        self.events.len() - self.next
    }
}

/// Events waiting for one script, oldest first.
#[derive(Debug)]
pub struct EventQueue {
    runs: VecDeque<Run>,
    len: usize,
    bound: usize,
}

impl EventQueue {
    /// An empty queue holding at most `bound` events.
    pub fn new(bound: usize) -> EventQueue {
        EventQueue {
            runs: VecDeque::new(),
            len: 0,
            bound,
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `events` (one push, whatever their number); returns how many of the oldest
    /// waiting events were dropped to keep the bound.
    pub fn push_batch(&mut self, events: Batch) -> usize {
        if events.is_empty() {
            return 0;
        }
        self.len += events.len();
        self.runs.push_back(Run { events, next: 0 });
        self.drop_over_bound()
    }

    /// Appends one event; returns how many of the oldest were dropped to keep the bound.
    pub fn push(&mut self, event: Encoded) -> usize {
        self.push_batch(Arc::from([event]))
    }

    /// The oldest waiting event, taken off the queue.
    pub fn pop_front(&mut self) -> Option<Encoded> {
        let run = self.runs.front_mut()?;
        let event = run.events[run.next].clone();
        run.next += 1;
        if run.len() == 0 {
            self.runs.pop_front();
        }
        self.len -= 1;
        Some(event)
    }

    /// Empties the queue.
    pub fn clear(&mut self) {
        self.runs.clear();
        self.len = 0;
    }

    fn drop_over_bound(&mut self) -> usize {
        let mut dropped = 0;
        while self.len > self.bound {
            let Some(run) = self.runs.front_mut() else {
                break;
            };
            let n = run.len().min(self.len - self.bound);
            run.next += n;
            self.len -= n;
            dropped += n;
            if run.len() == 0 {
                self.runs.pop_front();
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: u8) -> Encoded {
        Arc::from([n])
    }

    fn batch(ns: std::ops::Range<u8>) -> Batch {
        ns.map(ev).collect()
    }

    fn drain(q: &mut EventQueue) -> Vec<u8> {
        std::iter::from_fn(|| q.pop_front()).map(|e| e[0]).collect()
    }

    #[test]
    fn events_come_out_in_the_order_they_went_in_across_runs() {
        let mut q = EventQueue::new(100);
        assert_eq!(q.push_batch(batch(0..3)), 0);
        assert_eq!(q.push(ev(3)), 0);
        assert_eq!(q.push_batch(batch(4..6)), 0);
        assert_eq!(q.push_batch(batch(0..0)), 0);
        assert_eq!(q.len(), 6);
        assert_eq!(drain(&mut q), vec![0, 1, 2, 3, 4, 5]);
        assert!(q.is_empty());
        assert_eq!(q.pop_front(), None);
    }

    #[test]
    fn over_the_bound_the_oldest_are_dropped_and_counted() {
        let mut q = EventQueue::new(4);
        assert_eq!(q.push_batch(batch(0..3)), 0);
        assert_eq!(q.pop_front().map(|e| e[0]), Some(0));
        // 2 waiting, 5 more: 3 over the bound, the oldest first (1, 2 of the first run, then 3).
        assert_eq!(q.push_batch(batch(3..8)), 3);
        assert_eq!(q.len(), 4);
        assert_eq!(drain(&mut q), vec![4, 5, 6, 7]);
        // A batch larger than the bound keeps its newest events.
        assert_eq!(q.push_batch(batch(10..20)), 6);
        assert_eq!(drain(&mut q), vec![16, 17, 18, 19]);
    }

    #[test]
    fn a_cleared_queue_is_empty_and_takes_events_again() {
        let mut q = EventQueue::new(4);
        q.push_batch(batch(0..4));
        q.clear();
        assert!(q.is_empty());
        q.push(ev(9));
        assert_eq!(drain(&mut q), vec![9]);
    }
}
