//! Limits failed logins per user name and per client address.
//!
//! Hand-written on purpose: it counts only *failed* logins, after the
//! password check, so successful logins are never limited (test suites log
//! in freely); tower-governor and its kind count every request before the
//! handler knows how it went.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// Failures allowed within [`WINDOW_MS`]; a key with this many is locked out
/// until the oldest of them leaves the window.
pub const MAX_FAILURES: usize = 5;
/// The sliding window, one minute.
pub const WINDOW_MS: u64 = 60_000;

/// Remembers the most recent failed logins per key (a user name or an
/// address). Keys whose failures have all left the window are swept out by a
/// later failure, at most once a window, so the table only ever holds keys
/// that failed within about the last two windows.
#[derive(Default)]
pub struct LoginLimiter {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Up to [`MAX_FAILURES`] failure times per key, oldest first.
    failures: HashMap<String, VecDeque<u64>>,
    /// When expired keys were last swept out.
    pruned_at_ms: u64,
}

impl LoginLimiter {
    /// Whether a login under `keys` may be tried now: `Err` with the seconds
    /// to wait (at least 1) when any key already has [`MAX_FAILURES`]
    /// failures within the window. Checking records nothing, so attempts
    /// refused here never extend a lockout.
    pub fn check(&self, keys: &[String], now_ms: u64) -> Result<(), u64> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let wait_ms = keys
            .iter()
            .filter_map(|key| state.failures.get(key))
            .filter(|times| times.len() >= MAX_FAILURES)
            .filter_map(|times| times.front())
            .map(|oldest| oldest.saturating_add(WINDOW_MS).saturating_sub(now_ms))
            .max()
            .unwrap_or(0);
        if wait_ms == 0 {
            Ok(())
        } else {
            Err(wait_ms.div_ceil(1000))
        }
    }

    /// Records a failed login under every key. Successful logins never come
    /// here, so they are never counted.
    pub fn record_failure(&self, keys: &[String], now_ms: u64) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if now_ms.saturating_sub(state.pruned_at_ms) >= WINDOW_MS {
            state.failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| last.saturating_add(WINDOW_MS) > now_ms)
            });
            state.pruned_at_ms = now_ms;
        }
        for key in keys {
            let times = state.failures.entry(key.clone()).or_default();
            times.push_back(now_ms);
            if times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }

    /// How many keys are remembered.
    #[cfg(test)]
    fn tracked_keys(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failures
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn five_failures_a_minute_then_locked_out() {
        let limiter = LoginLimiter::default();
        let alice = keys(&["user:a"]);
        for i in 0..5 {
            assert_eq!(limiter.check(&alice, T0 + i * 1000), Ok(()));
            limiter.record_failure(&alice, T0 + i * 1000);
        }
        // The oldest failure (T0) leaves the window at T0 + 60 s.
        assert_eq!(limiter.check(&alice, T0 + 10_500), Err(50));
        assert_eq!(limiter.check(&alice, T0 + WINDOW_MS - 1), Err(1));
        assert_eq!(limiter.check(&keys(&["user:b"]), T0 + 10_500), Ok(()));
    }

    #[test]
    fn the_window_slides_and_checks_do_not_extend_it() {
        let limiter = LoginLimiter::default();
        let k = keys(&["k"]);
        for i in 0..5 {
            limiter.record_failure(&k, T0 + i);
        }
        for t in [T0 + 10, T0 + 30_000, T0 + WINDOW_MS - 1] {
            assert!(limiter.check(&k, t).is_err());
        }
        assert_eq!(limiter.check(&k, T0 + WINDOW_MS), Ok(()));
        // One more failure: the four younger ones are still in the window.
        limiter.record_failure(&k, T0 + WINDOW_MS);
        assert_eq!(limiter.check(&k, T0 + WINDOW_MS), Err(1));
        assert_eq!(limiter.check(&k, T0 + WINDOW_MS + 4), Ok(()));
    }

    #[test]
    fn any_locked_key_locks() {
        let limiter = LoginLimiter::default();
        for i in 0..5 {
            limiter.record_failure(&keys(&["addr:1", &format!("user:{i}")]), T0 + i * 10_000);
        }
        // The address is over its allowance though each name failed once.
        assert_eq!(
            limiter.check(&keys(&["user:new", "addr:1"]), T0 + 40_000),
            Err(20)
        );
        assert_eq!(limiter.check(&keys(&["user:new"]), T0 + 40_000), Ok(()));
    }

    #[test]
    fn expired_keys_are_forgotten() {
        let limiter = LoginLimiter::default();
        for i in 0..1000 {
            limiter.record_failure(&keys(&[&format!("user:{i}")]), T0 + i);
        }
        assert_eq!(limiter.tracked_keys(), 1000);
        // A window after the last of them, the next failure sweeps them out.
        limiter.record_failure(&keys(&["user:late"]), T0 + 999 + WINDOW_MS);
        assert_eq!(limiter.tracked_keys(), 1);
    }
}
