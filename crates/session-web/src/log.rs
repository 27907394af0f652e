//! Warnings on the browser console (the adapters never panic on bad data),
//! and on standard error in host tests.

use std::{cell::RefCell, collections::HashSet};

/// Writes `message` to the console as a warning.
pub(crate) fn warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::warn_1(&message.into());
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("warning: {message}");
}

thread_local! {
    static SAID: RefCell<HashSet<String>> = RefCell::default();
}

/// Whether `what` is met for the first time on this page: something
/// found again on every read (a damaged record) is said once.
pub(crate) fn first_time(what: &str) -> bool {
    SAID.with(|said| said.borrow_mut().insert(what.to_owned()))
}
