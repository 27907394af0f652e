//! JSON values in `localStorage`. Whatever cannot be read back (corrupted,
//! foreign, or from an older version) is removed and treated as absent.

use gloo_storage::{LocalStorage, Storage, errors::StorageError};
use serde::{Serialize, de::DeserializeOwned};

/// The value under `key` if there is one that reads back and passes
/// `usable`; anything else stored there is removed.
pub fn load<T: DeserializeOwned>(key: &str, usable: impl FnOnce(&T) -> bool) -> Option<T> {
    let problem = match LocalStorage::get::<T>(key) {
        Ok(value) if usable(&value) => return Some(value),
        Ok(_) => "unusable".to_owned(),
        Err(StorageError::KeyNotFound(_)) => return None,
        Err(error) => error.to_string(),
    };
    leptos::logging::warn!("discarding {key} from storage: {problem}");
    LocalStorage::delete(key);
    None
}

/// Stores `value` under `key`; a full or disabled storage is logged, not fatal.
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let Err(error) = LocalStorage::set(key, value) {
        leptos::logging::warn!("could not store {key}: {error}");
    }
}

/// Removes `key`.
pub fn remove(key: &str) {
    LocalStorage::delete(key);
}
