//! The wall clock as a signal, for countdowns.

use std::time::Duration;

use leptos::prelude::*;

/// How often countdowns are redrawn.
const TICK: Duration = Duration::from_millis(500);

/// `Date.now()` (ms since the epoch), updated twice a second while the
/// calling view lives.
pub fn use_now() -> ReadSignal<f64> {
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(move || now.set(js_sys::Date::now()), TICK) {
        on_cleanup(move || handle.clear());
    }
    now.read_only()
}

/// Whole seconds from `now_ms` until `at_ms` (rounded up; negative once past).
pub fn seconds_until(at_ms: f64, now_ms: f64) -> i64 {
    ((at_ms - now_ms) / 1000.0).ceil() as i64
}
