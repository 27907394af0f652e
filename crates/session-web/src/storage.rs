//! JSON values in `localStorage`. Whatever cannot be read back (corrupted,
//! foreign, or from an older version) is removed and treated as absent.

use gloo_events::EventListener;
use gloo_storage::{LocalStorage, Storage, errors::StorageError};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsCast;
use web_sys::StorageEvent;

use crate::log::warn;

/// The value under `key` if there is one that reads back and passes
/// `usable`; anything else stored there is removed.
pub fn load<T: DeserializeOwned>(key: &str, usable: impl FnOnce(&T) -> bool) -> Option<T> {
    let problem = match LocalStorage::get::<T>(key) {
        Ok(value) if usable(&value) => return Some(value),
        Ok(_) => "unusable".to_owned(),
        Err(StorageError::KeyNotFound(_)) => return None,
        Err(error) => error.to_string(),
    };
    warn(&format!("discarding {key} from storage: {problem}"));
    LocalStorage::delete(key);
    None
}

/// Stores `value` under `key`; a full or disabled storage is logged, not fatal.
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let Err(error) = LocalStorage::set(key, value) {
        warn(&format!("could not store {key}: {error}"));
    }
}

/// Removes `key`.
pub fn remove(key: &str) {
    LocalStorage::delete(key);
}

/// Calls `changed` whenever another tab changes `key` in `localStorage`
/// (or clears it all), until the returned listener is dropped; `None`
/// outside a window (a worker), where there are no such events.
pub fn on_change(key: &str, changed: impl Fn() + 'static) -> Option<EventListener> {
    let key = key.to_owned();
    let window = web_sys::window()?;
    Some(EventListener::new(&window, "storage", move |event| {
        let Some(event) = event.dyn_ref::<StorageEvent>() else {
            return;
        };
        // No key: `localStorage.clear()` in another tab.
        if event.key().is_none_or(|changed_key| changed_key == key) {
            changed();
        }
    }))
}
