//! Warnings on the browser console (the adapters never panic on bad data).

/// Writes `message` to the console as a warning.
pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
