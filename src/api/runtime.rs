//! The browser's event loop as the refresh core's [`Runtime`].

use std::time::Duration;

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::auth::{LocalTask, Runtime};

/// Spawns with `wasm_bindgen_futures::spawn_local` and sleeps with `setTimeout`.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserRuntime;

impl Runtime for BrowserRuntime {
    fn spawn(&self, task: LocalTask) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn sleep(&self, duration: Duration) -> LocalTask {
        let millis = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                // Without a window (never in this app) the sleep ends at once.
                if window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
                    .is_err()
                {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            } else {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        });
        Box::pin(async move {
            let _ = JsFuture::from(promise).await;
        })
    }
}
