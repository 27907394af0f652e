//! The app's browser tests (wasm-bindgen-test in headless Chromium), by
//! area. The session layer's own browser tests live beside it, in
//! `crates/session-web/tests`.
#![cfg(target_arch = "wasm32")]
// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

mod auth;
mod startup;
mod stores;
mod views;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use leptos::prelude::Owner;
use silent_refresh::startup::SESSION_NAME;
use silent_refresh_web::SessionRecord;

/// What a fresh page has before the app mounts: Leptos's executor (the
/// stores spawn on it), a reactive owner, empty storage and no session in
/// the app's record. Keep the owner for the test's length.
async fn fresh_page() -> Owner {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    <gloo_storage::LocalStorage as gloo_storage::Storage>::clear();
    app_record().replace(None).await;
    owner
}

/// The app's shared session record.
fn app_record() -> SessionRecord {
    SessionRecord::new(SESSION_NAME)
}
