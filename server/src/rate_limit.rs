//! Limits failed logins per user name and per client address.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// Failures allowed within [`WINDOW_MS`] before further failures get `429`.
pub const MAX_FAILURES: usize = 5;
/// The sliding window, one minute.
pub const WINDOW_MS: u64 = 60_000;
/// Above this many tracked keys, keys with no failure in the window are forgotten.
const PRUNE_ABOVE: usize = 1024;

/// Remembers the most recent failed logins per key (a user name or an address).
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<u64>>>,
}

impl LoginLimiter {
    /// Records a failed login under every key. Returns the seconds to wait
    /// (at least 1) when any key already had [`MAX_FAILURES`] failures within
    /// the window, `None` when this failure is still within the allowance.
    /// Successful logins never come here, so they are neither counted nor limited.
    pub fn record_failure(&self, keys: &[String], now_ms: u64) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| now_ms.saturating_sub(*last) < WINDOW_MS)
            });
        }
        let mut wait_ms = None;
        for key in keys {
            let times = failures.entry(key.clone()).or_default();
            if times.len() == MAX_FAILURES
                && let Some(oldest) = times.front()
                && now_ms.saturating_sub(*oldest) < WINDOW_MS
            {
                let wait = oldest + WINDOW_MS - now_ms;
                wait_ms = Some(wait_ms.map_or(wait, |other: u64| other.max(wait)));
            }
            times.push_back(now_ms);
            if times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
        wait_ms.map(|ms| ms.div_ceil(1000).max(1))
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
    fn five_failures_a_minute_then_limited() {
        let limiter = LoginLimiter::default();
        for i in 0..5 {
            assert_eq!(
                limiter.record_failure(&keys(&["user:a"]), T0 + i * 1000),
                None
            );
        }
        // The oldest failure (T0) leaves the window at T0 + 60 s.
        assert_eq!(
            limiter.record_failure(&keys(&["user:a"]), T0 + 10_500),
            Some(50)
        );
        assert_eq!(
            limiter.record_failure(&keys(&["user:b"]), T0 + 10_500),
            None
        );
    }

    #[test]
    fn the_window_slides() {
        let limiter = LoginLimiter::default();
        for i in 0..5 {
            limiter.record_failure(&keys(&["k"]), T0 + i);
        }
        assert_eq!(
            limiter.record_failure(&keys(&["k"]), T0 + WINDOW_MS + 1),
            None
        );
    }

    #[test]
    fn any_limited_key_limits() {
        let limiter = LoginLimiter::default();
        for i in 0..5 {
            limiter.record_failure(&keys(&["addr:1", &format!("user:{i}")]), T0 + i * 10_000);
        }
        // The address is over its allowance though each name failed once.
        assert_eq!(
            limiter.record_failure(&keys(&["user:new", "addr:1"]), T0 + 40_000),
            Some(20)
        );
    }
}
