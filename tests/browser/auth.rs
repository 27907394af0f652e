//! `AuthStore` as `startup::connect` wires it, over a scripted API: login
//! fills the stores and the shared record; logout ends the login for every
//! tab and revokes its latest refresh token.

use std::time::Duration;

use serde_json::Value;
use silent_refresh::{deployment::Deployment, i18n::I18n, startup, stores::RolesState};
use silent_refresh_web::testing::FakeApi;
use wasm_bindgen_test::*;

use crate::{app_record, fresh_page};

/// Waits (briefly) until `done` holds; whether it did.
async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        gloo_timers::future::sleep(Duration::from_millis(10)).await;
    }
    done()
}

#[wasm_bindgen_test]
async fn login_fills_the_stores_and_logout_revokes_the_latest_token_for_every_tab() {
    let _page = fresh_page().await;
    let record = app_record();
    let api = FakeApi::install(None);
    let auth = startup::connect(&Deployment::built(), I18n::from_browser());

    auth.login("alice", "alice123").await.expect("logged in");
    assert!(auth.access.is_logged_in());
    assert_eq!(auth.roles_state(), RolesState::Current);
    assert!(auth.user.has_policy("Dashboard.View"));
    let stored = record.current().await.expect("the shared session");
    assert_eq!(stored.subject, "user-1");

    // Another tab refreshed meanwhile: the record holds the newer token.
    let rotated = silent_refresh_web::Session {
        refresh_token: "refresh-9".into(),
        ..stored
    };
    record.replace(Some(rotated)).await;

    auth.logout();
    assert!(!auth.access.is_logged_in(), "this tab at once");
    assert!(
        eventually(|| api.count("logout") == 1).await,
        "the server was asked"
    );
    let body: Value = serde_json::from_str(&api.logout_bodies()[0]).unwrap();
    assert_eq!(
        body["refreshToken"], "refresh-9",
        "the latest token is revoked"
    );
    assert_eq!(record.current().await, None, "every tab is logged out");
    assert_eq!(api.count("refresh"), 0, "a logout costs no refresh");
}
