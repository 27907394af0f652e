//! The stores over the real browser storage: the session survives a reload
//! through the shared record, and a bad stored user means no user. (Bad
//! session data is the record's, tested in `crates/session-web`.)

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::Owner;
use silent_refresh::{
    startup::SESSION_NAME,
    stores::{AccessStore, SessionLog, UserInfo, UserStore},
};
use silent_refresh_leptos::user_key;
use silent_refresh_web::Session;
use wasm_bindgen_test::*;

use crate::{app_record, fresh_page};

#[wasm_bindgen_test]
async fn the_session_survives_a_reload_and_a_refused_refresh_ends_it_everywhere() {
    let _page = fresh_page().await;
    let session = Session::new("a".into(), "r".into(), "u".into(), Some(30), 1_000.0);
    AccessStore::new(app_record(), SessionLog::new(0))
        .start(session.clone())
        .await;
    let reloaded = AccessStore::new(app_record(), SessionLog::new(0));
    assert_eq!(reloaded.session_untracked(), Some(session.clone()));
    assert_eq!(app_record().current().await, Some(session));

    reloaded.expire();
    assert_eq!(reloaded.session_untracked(), None);
    assert!(reloaded.session_expired());
    // The record is ended in the background; the next read waits its turn.
    let mut ended = false;
    for _ in 0..50 {
        if app_record().current().await.is_none() {
            ended = true;
            break;
        }
        gloo_timers::future::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(ended, "the record was ended");
    assert_eq!(
        AccessStore::new(app_record(), SessionLog::new(0)).session_untracked(),
        None
    );
}

#[wasm_bindgen_test]
fn a_corrupted_stored_user_is_no_user_and_is_removed() {
    LocalStorage::clear();
    let storage = LocalStorage::raw();
    storage.set_item("silent-refresh.user", "{\"id\":").unwrap();
    assert_eq!(UserInfo::stored(&user_key(SESSION_NAME)), None);
    assert_eq!(storage.get_item("silent-refresh.user").unwrap(), None);
}

#[wasm_bindgen_test]
fn clearing_the_user_keeps_another_tabs_user_in_storage() {
    let owner = Owner::new();
    owner.set();
    LocalStorage::clear();
    let alice = UserInfo::signed_in("user-1".into(), "alice".into());
    let bob = UserInfo::signed_in("user-2".into(), "bob".into());
    UserStore::from_storage(user_key(SESSION_NAME)).set(alice);

    let alices_tab = UserStore::from_storage(user_key(SESSION_NAME));
    LocalStorage::set("silent-refresh.user", &bob).unwrap();
    alices_tab.clear();
    assert_eq!(alices_tab.info(), None);
    assert_eq!(
        UserInfo::stored(&user_key(SESSION_NAME)),
        Some(bob),
        "another tab's user stays"
    );

    let tab = UserStore::from_storage(user_key(SESSION_NAME));
    tab.clear();
    assert_eq!(
        UserInfo::stored(&user_key(SESSION_NAME)),
        None,
        "this tab's own user is removed"
    );
}
