//! Rate limits in world time: a token bucket refilled by world ticks.

use super::limits::TICKS_PER_SECOND;

/// A token bucket allowing `per_second` actions per second of **world** time, refilled by
/// [`tick`](Self::tick) (never by the wall clock, so a world replays identically).
///
/// Bursts: the bucket holds one second's worth of tokens and starts full, so a script may spend
/// a whole second's allowance in one tick and then gets `per_second / ticks_per_second` tokens
/// back every tick. The arithmetic is in integers (tokens × ticks per second), exact for every
/// rate: over any `n` whole seconds of ticks, at most `per_second × (n + 1)` actions pass.
///
/// ```
/// use aether_world::RateLimiter;
///
/// let mut limiter = RateLimiter::new(10); // 10 actions per second
/// assert!(limiter.try_acquire());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimiter {
    per_second: u32,
    ticks_per_second: u32,
    /// Tokens × `ticks_per_second`.
    level: u64,
}

impl RateLimiter {
    /// `per_second` actions per second of world time at [`TICKS_PER_SECOND`], starting full.
    pub fn new(per_second: u32) -> Self {
        Self::with_tick_rate(per_second, TICKS_PER_SECOND)
    }

    /// `per_second` actions per second in a world of `ticks_per_second` ticks (at least 1).
    pub fn with_tick_rate(per_second: u32, ticks_per_second: u32) -> Self {
        let ticks_per_second = ticks_per_second.max(1);
        Self {
            per_second,
            ticks_per_second,
            level: Self::capacity(per_second, ticks_per_second),
        }
    }

    fn capacity(per_second: u32, ticks_per_second: u32) -> u64 {
        u64::from(per_second) * u64::from(ticks_per_second)
    }

    /// Takes one token if there is one.
    pub fn try_acquire(&mut self) -> bool {
        self.try_acquire_n(1)
    }

    /// Takes `n` tokens at once if there are that many (for limits in bytes); otherwise takes
    /// none.
    pub fn try_acquire_n(&mut self, n: u32) -> bool {
        let cost = u64::from(n) * u64::from(self.ticks_per_second);
        if self.level >= cost {
            self.level -= cost;
            true
        } else {
            false
        }
    }

    /// One world tick passed: refills `per_second / ticks_per_second` tokens, up to one second's
    /// worth.
    pub fn tick(&mut self) {
        let full = Self::capacity(self.per_second, self.ticks_per_second);
        self.level = (self.level + u64::from(self.per_second)).min(full);
    }

    /// Whole tokens available now.
    pub fn available(&self) -> u32 {
        (self.level / u64::from(self.ticks_per_second)) as u32
    }

    /// The rate, per second.
    pub fn per_second(&self) -> u32 {
        self.per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_second_then_the_rate() {
        let mut r = RateLimiter::new(10);
        for _ in 0..10 {
            assert!(r.try_acquire());
        }
        assert!(!r.try_acquire(), "the burst is one second's worth");
        // 10 a second at 20 ticks a second: one token every other tick.
        r.tick();
        assert!(!r.try_acquire());
        r.tick();
        assert!(r.try_acquire());
        assert!(!r.try_acquire());
    }

    #[test]
    fn over_n_seconds_at_most_the_rate_times_n_plus_one() {
        for per_second in [0, 1, 3, 7, 10, 25, 1000] {
            let mut r = RateLimiter::with_tick_rate(per_second, 20);
            let mut passed = 0u64;
            for _ in 0..(20 * 5) {
                while r.try_acquire() {
                    passed += 1;
                }
                r.tick();
            }
            assert!(
                passed <= u64::from(per_second) * 6,
                "{per_second}/s: {passed} in 5 s"
            );
            assert!(
                passed >= u64::from(per_second) * 5,
                "{per_second}/s: {passed}"
            );
        }
    }

    #[test]
    fn refills_never_exceed_one_second() {
        let mut r = RateLimiter::new(5);
        for _ in 0..1000 {
            r.tick();
        }
        assert_eq!(r.available(), 5);
        assert!(r.try_acquire_n(5));
        assert!(!r.try_acquire_n(1));
        assert!(!r.try_acquire_n(6), "more than a burst never passes");
    }
}
