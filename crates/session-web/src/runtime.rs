//! The browser's event loop as the refresh core's [`Runtime`].

use std::time::Duration;

use gloo_timers::future::sleep;
use silent_refresh_core::{LocalTask, Runtime};

/// Spawns with `wasm_bindgen_futures::spawn_local`, sleeps on a
/// `setTimeout` (gloo-timers) and tells the time by `Date.now()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserRuntime;

impl Runtime for BrowserRuntime {
    fn spawn(&self, task: LocalTask) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn sleep(&self, duration: Duration) -> LocalTask {
        Box::pin(sleep(duration))
    }

    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }
}
