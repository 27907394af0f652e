//! The app's browser tests (wasm-bindgen-test in headless Chromium), by
//! area. The session layer's own browser tests live beside it, in
//! `crates/session-web/tests`.
#![cfg(target_arch = "wasm32")]
// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

mod auth;
mod startup;
mod stores;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
