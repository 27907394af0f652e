//! The server's notion of "now", injectable so tests can move time.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `duration` in whole milliseconds, saturating at `u64::MAX` (some 584
/// million years) instead of failing.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A source of wall-clock time in milliseconds since the Unix epoch.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> u64 + Send + Sync>);

impl Clock {
    /// The real system clock.
    pub fn system() -> Self {
        Self(Arc::new(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, millis)
        }))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        (self.0)()
    }

    /// A clock that stands still at `start_ms` until the returned handle moves it.
    #[cfg(test)]
    pub fn manual(start_ms: u64) -> (Self, ManualTime) {
        use std::sync::atomic::{AtomicU64, Ordering};
        let now = Arc::new(AtomicU64::new(start_ms));
        let read = Arc::clone(&now);
        (
            Self(Arc::new(move || read.load(Ordering::SeqCst))),
            ManualTime(now),
        )
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now_ms()).finish()
    }
}

/// Moves a [`Clock::manual`] clock forward.
#[cfg(test)]
#[derive(Clone)]
pub struct ManualTime(Arc<std::sync::atomic::AtomicU64>);

#[cfg(test)]
impl ManualTime {
    /// Advances the clock by `by`.
    pub fn advance(&self, by: Duration) {
        self.0
            .fetch_add(millis(by), std::sync::atomic::Ordering::SeqCst);
    }
}
