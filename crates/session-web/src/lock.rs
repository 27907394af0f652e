//! The Web Lock every tab's refresh holds.
//!
//! Called through `Reflect` rather than web-sys's `LockManager` binding:
//! the binding needs `--cfg=web_sys_unstable_apis` in every build of every
//! crate that uses this one, and it cannot pass the `signal` option that
//! bounds the wait (an `AbortSignal.timeout`), which the binding's
//! `LockOptions` lacks in the web-sys version pinned here.

use std::future::Future;

use futures_channel::oneshot;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// Why a task could not run under the lock.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// `navigator.locks.request` could not be called.
    #[error("the lock could not be requested")]
    Unrequestable,
    /// Another holder kept the lock longer than the wait allowed.
    #[error("another tab held the lock too long")]
    TimedOut,
    /// The lock was released before the task finished.
    #[error("the lock was released early")]
    ReleasedEarly,
}

/// Runs `task` holding the exclusive Web Lock `name`, so the next holder in
/// line (in this tab or another) sees what it did. Where there are no Web
/// Locks (an insecure context, an old browser) it just runs it; when the
/// lock cannot be had within `wait_ms`, the task does not run at all.
pub async fn with_lock<T: 'static>(
    name: &str,
    wait_ms: u32,
    task: impl Future<Output = T> + 'static,
) -> Result<T, LockError> {
    let Some((locks, request)) = lock_manager() else {
        return Ok(task.await);
    };
    let (done, outcome) = oneshot::channel();
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        future_to_promise(async move {
            let _ = done.send(task.await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    let _ = Reflect::set(
        &options,
        &"signal".into(),
        &web_sys::AbortSignal::timeout_with_u32(wait_ms),
    );
    let requested: Promise = request
        .call3(&locks, &name.into(), &options, &callback)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or(LockError::Unrequestable)?;
    // Settles once the callback's promise has, i.e. after the task.
    JsFuture::from(requested)
        .await
        .map_err(|_| LockError::TimedOut)?;
    outcome.await.map_err(|_| LockError::ReleasedEarly)
}

/// `navigator.locks` and its `request` method, where Web Locks exist.
fn lock_manager() -> Option<(JsValue, Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((locks, request))
}
