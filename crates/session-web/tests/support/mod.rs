//! Shared by the browser tests: the tests' session record, a client over
//! fake tokens, and the sessions of two users. (The scripted `fetch` is
//! `silent_refresh_web::testing::FakeApi`.)
#![allow(dead_code, missing_docs)]

use silent_refresh_core::{CoordinatorOptions, RefreshGrant, RefreshStatus, testing::FakeStore};
use silent_refresh_web::{ApiClient, Session, SessionRecord, TokenRefresher, Transport};
use wasm_bindgen::prelude::*;

/// The name of the tests' session record (database, mirror, lock).
pub const RECORD_NAME: &str = "silent-refresh-test";

#[wasm_bindgen(inline_js = r#"
export function putRawSessionRecord(name, text) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("session");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const transaction = open.result.transaction("session", "readwrite");
      transaction.objectStore("session").put(text, "current");
      transaction.oncomplete = () => { open.result.close(); resolve(); };
      transaction.onerror = () => reject(transaction.error);
    };
  });
}
"#)]
extern "C" {
    /// Writes `text` as the session record of `name`, as is.
    #[wasm_bindgen(js_name = putRawSessionRecord)]
    pub fn put_raw_session_record(name: &str, text: &str) -> js_sys::Promise;
}

/// The tests' session record.
pub fn record() -> SessionRecord {
    SessionRecord::new(RECORD_NAME)
}

/// A client over `store`, refreshing in the seed protocol, aborting calls
/// after `timeout_ms`.
pub fn client(store: &FakeStore, timeout_ms: u32) -> ApiClient<FakeStore, TokenRefresher> {
    let transport = Transport::new("", timeout_ms);
    ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::seed(transport),
        CoordinatorOptions::default(),
        |_: RefreshStatus| {},
    )
}

/// Alice's session with `refresh_token`.
pub fn alice(refresh_token: &str) -> Session {
    Session::new(
        "a".into(),
        refresh_token.into(),
        "user-1".into(),
        Some(30),
        0.0,
    )
}

/// Bob's session: another user's login.
pub fn bob() -> Session {
    Session::new(
        "b".into(),
        "bob-refresh".into(),
        "user-2".into(),
        Some(30),
        1.0,
    )
}

/// What refreshing Alice's first token takes.
pub fn alices_grant() -> RefreshGrant {
    RefreshGrant {
        refresh_token: "refresh-0".into(),
        subject: Some("user-1".into()),
        idempotency_key: None,
    }
}
