//! Several tabs, one session, in headless Chromium: refreshes under the Web
//! Lock against the shared record, and logouts that end a login for every
//! tab. "Another tab" is staged through the shared record.
#![cfg(target_arch = "wasm32")]
// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::{cell::RefCell, rc::Rc};

use gloo_storage::{LocalStorage, Storage};
use silent_refresh_core::{RefreshError, Refresher};
use silent_refresh_web::testing::{FakeApi, RefreshBehaviour};
use silent_refresh_web::{Session, SharedRefresher, TokenRefresher, Transport};
use support::{RECORD_NAME, alice, alices_grant, bob, record};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn shared_refresher() -> SharedRefresher<TokenRefresher> {
    SharedRefresher::new(
        TokenRefresher::seed(Transport::new("", 5_000)),
        record(),
        RECORD_NAME,
    )
}

#[wasm_bindgen_test]
async fn tabs_refreshing_at_once_share_one_refresh_under_the_web_lock() {
    let api = FakeApi::with(RefreshBehaviour {
        delay_ms: Some(200),
        ..RefreshBehaviour::default()
    });
    record().replace(Some(alice("refresh-0"))).await;
    let shared = shared_refresher();

    // Two tabs whose tokens expired together: both hold refresh-0.
    let grant = alices_grant();
    let (first, second) = futures_util::join!(shared.refresh(&grant), shared.refresh(&grant));

    assert_eq!(
        api.count("refresh"),
        1,
        "the second adopts the first one's tokens"
    );
    let (first, second) = (first.expect("refreshed"), second.expect("adopted"));
    assert_eq!(first.refresh_token, "refresh-1");
    assert_eq!(second.refresh_token, "refresh-1");
    let stored = record().current().await.expect("a session");
    assert_eq!(stored.refresh_token, "refresh-1");
    let mirrored: Session = LocalStorage::get(record().mirror_key()).unwrap();
    assert_eq!(mirrored, stored);
}

#[wasm_bindgen_test]
async fn a_refresh_never_writes_over_a_login_made_meanwhile_in_another_tab() {
    let bob = bob();
    FakeApi::with(RefreshBehaviour {
        session_stored_meanwhile: Some((record(), bob.clone())),
        ..RefreshBehaviour::default()
    });
    record().replace(Some(alice("refresh-0"))).await;
    let shared = shared_refresher();

    let refreshed = shared.refresh(&alices_grant()).await;

    assert_eq!(refreshed, Err(RefreshError::Rejected));
    assert_eq!(
        record().current().await,
        Some(bob.clone()),
        "bob's session is untouched"
    );
    let mirrored: Session = LocalStorage::get(record().mirror_key()).unwrap();
    assert_eq!(mirrored, bob);
}

#[wasm_bindgen_test]
async fn a_tab_whose_session_was_logged_out_elsewhere_does_not_refresh() {
    let api = FakeApi::install(None);
    record().replace(None).await;
    let shared = shared_refresher();
    assert_eq!(
        shared.refresh(&alices_grant()).await,
        Err(RefreshError::Rejected)
    );
    assert_eq!(api.count("refresh"), 0);
}

#[wasm_bindgen_test]
async fn ending_a_login_revokes_its_latest_tokens_and_logs_every_tab_out() {
    FakeApi::install(None);
    // This tab still holds refresh-0; another tab has rotated it to refresh-7.
    let ours = alice("refresh-0");
    record().replace(Some(alice("refresh-7"))).await;
    let revoked = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&revoked);

    shared_refresher()
        .end_login(ours, move |latest| async move {
            seen.borrow_mut().push(latest.refresh_token);
        })
        .await
        .expect("the lock was had");

    assert_eq!(
        *revoked.borrow(),
        ["refresh-7"],
        "the latest token is revoked"
    );
    assert_eq!(record().current().await, None, "every tab is logged out");
    assert_eq!(
        LocalStorage::raw().get_item(record().mirror_key()).unwrap(),
        None
    );
}

#[wasm_bindgen_test]
async fn ending_a_login_leaves_another_login_alone() {
    FakeApi::install(None);
    let bob = bob();
    record().replace(Some(bob.clone())).await;
    let revoked = Rc::new(RefCell::new(0));
    let seen = Rc::clone(&revoked);

    shared_refresher()
        .end_login(alice("refresh-0"), move |_| async move {
            *seen.borrow_mut() += 1;
        })
        .await
        .expect("the lock was had");

    assert_eq!(*revoked.borrow(), 0, "nothing of ours to revoke");
    assert_eq!(record().current().await, Some(bob));
}

#[wasm_bindgen_test]
async fn a_refresh_is_written_ahead_and_its_lost_answer_recovered_with_the_same_key() {
    let api = FakeApi::with(RefreshBehaviour {
        answers_lost: 1,
        ..RefreshBehaviour::default()
    });
    record().replace(Some(alice("refresh-0"))).await;

    // The server rotates, the answer is lost: the session is kept, and the
    // record says which refresh was under way.
    let lost = shared_refresher().refresh(&alices_grant()).await;
    assert!(
        matches!(lost, Err(RefreshError::Unavailable(_))),
        "{lost:?}"
    );
    let stored = record().current().await.expect("the session is kept");
    assert_eq!(stored.refresh_token, "refresh-0");
    let intent = stored.intent.clone().expect("written before it left");
    assert_eq!(intent.refresh_token, "refresh-0");
    let sent = format!("\"{}\"", intent.key);
    assert_eq!(api.refresh_keys(), [Some(sent.clone())]);

    // The next refresh (another tab's, here a new refresher) resends it
    // with the same key and gets the pair the lost answer held.
    let pair = shared_refresher()
        .refresh(&alices_grant())
        .await
        .expect("recovered");
    assert_eq!(pair.refresh_token, "refresh-1");
    assert_eq!(api.refresh_keys(), [Some(sent.clone()), Some(sent)]);
    let after = record().current().await.expect("the session");
    assert_eq!(after.refresh_token, "refresh-1");
    assert_eq!(after.intent, None, "cleared with the new pair");

    // A later refresh spends refresh-1 under a key of its own.
    let later = alice("refresh-1");
    record().replace(Some(later.clone())).await;
    shared_refresher()
        .refresh(&later.grant())
        .await
        .expect("refreshed");
    let keys = api.refresh_keys();
    assert_eq!(keys.len(), 3);
    assert_ne!(keys[2], keys[0], "a new key for a new token");
}

#[wasm_bindgen_test]
async fn an_unreadable_intent_in_the_record_is_dropped_and_replaced() {
    let api = FakeApi::install(None);
    let damaged = r#"{"accessToken":"a","refreshToken":"refresh-0","userId":"user-1","expiresAtMs":30000.0,"intent":{"key":7}}"#;
    wasm_bindgen_futures::JsFuture::from(support::put_raw_session_record(RECORD_NAME, damaged))
        .await
        .unwrap();
    let stored = record().current().await.expect("the session itself reads");
    assert_eq!(stored.intent, None);
    shared_refresher()
        .refresh(&alices_grant())
        .await
        .expect("refreshed");
    let keys = api.refresh_keys();
    assert!(
        keys[0].as_deref().is_some_and(|k| k.len() == 34),
        "{keys:?}"
    );
    assert_eq!(record().current().await.expect("a session").intent, None);
}
