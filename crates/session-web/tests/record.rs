//! The shared session record in headless Chromium: persistence, bad data in
//! IndexedDB or in the `localStorage` mirror, and ending only one's own login.
#![cfg(target_arch = "wasm32")]
// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use gloo_storage::{LocalStorage, Storage};
use silent_refresh_web::{Session, storage};
use support::{RECORD_NAME, alice, bob, put_raw_session_record, record};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_session_survives_a_reload_and_a_logout_is_stored_too() {
    LocalStorage::clear();
    let session = alice("r");
    record().replace(Some(session.clone())).await;
    // A new page: a new record object, a new connection.
    assert_eq!(record().mirrored(), Some(session.clone()));
    assert_eq!(record().current().await, Some(session));

    record().replace(None).await;
    assert_eq!(record().mirrored(), None);
    assert_eq!(record().current().await, None);
}

#[wasm_bindgen_test]
fn a_corrupted_or_foreign_mirror_means_logged_out_and_is_removed() {
    for stored in [
        "{not json",
        "42",
        r#"{"accessToken":"","refreshToken":"","userId":"u"}"#,
        r#"{"something":"else"}"#,
    ] {
        LocalStorage::clear();
        let raw = LocalStorage::raw();
        raw.set_item(record().mirror_key(), stored).unwrap();
        assert_eq!(record().mirrored(), None, "{stored}");
        assert_eq!(
            raw.get_item(record().mirror_key()).unwrap(),
            None,
            "{stored}"
        );
    }
}

#[wasm_bindgen_test]
async fn an_unreadable_record_falls_back_to_the_mirror_and_is_replaced() {
    let alice = alice("r");
    for stored in ["{not json", "42", r#"{"accessToken":"","refreshToken":""}"#] {
        LocalStorage::clear();
        JsFuture::from(put_raw_session_record(RECORD_NAME, stored))
            .await
            .unwrap();
        assert_eq!(record().current().await, None, "{stored}");

        LocalStorage::set(record().mirror_key(), &alice).unwrap();
        assert_eq!(record().current().await, Some(alice.clone()), "{stored}");
        record().replace(None).await;
        assert_eq!(record().current().await, None, "{stored}");
    }
}

#[wasm_bindgen_test]
async fn ending_a_login_ends_only_that_login() {
    let ours = alice("r1");
    record().replace(Some(alice("r2"))).await;
    assert_eq!(
        record().end(&ours).await,
        Some(alice("r2")),
        "refreshed elsewhere, same login"
    );
    assert_eq!(record().current().await, None);

    let bob = bob();
    record().replace(Some(bob.clone())).await;
    assert_eq!(record().end(&ours).await, None);
    assert_eq!(record().current().await, Some(bob));
}

#[wasm_bindgen_test]
fn stored_values_that_do_not_read_back_are_removed() {
    LocalStorage::clear();
    LocalStorage::raw()
        .set_item("some-key", "{\"id\":")
        .unwrap();
    assert_eq!(storage::load::<Session>("some-key", |_| true), None);
    assert_eq!(LocalStorage::raw().get_item("some-key").unwrap(), None);
}
