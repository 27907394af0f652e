//! OpenID Connect mode against a real provider: the app built with
//! `AUTH_MODE=oidc`, the server as a resource server for npm
//! `oidc-provider` (tests/oidc-provider), which rotates refresh tokens and
//! revokes the whole grant when a rotated one is presented again.

use std::time::Duration;

use serde_json::Value;

use crate::{
    harness::{Provider, Server, start_with_provider},
    pages::App,
};

/// Has the server refuse every access token `user` holds now. The
/// provider's `iat` counts whole seconds, so the server also refuses tokens
/// issued in the second of the cut-off: wait that second out, so that the
/// refresh it leads to is not refused as well.
async fn expire_access_tokens(server: &Server, user: &str) {
    server.api().expire_access_tokens(user).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

/// The refresh token stored in the page.
async fn stored_refresh_token(app: &App) -> String {
    let stored = app
        .local_storage("silent-refresh.session")
        .await
        .expect("a stored session");
    let stored: Value = serde_json::from_str(&stored).expect("a JSON session");
    stored["refreshToken"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
}

#[tokio::test]
async fn signs_in_at_the_provider_and_lands_where_it_was_asked() {
    let (provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    app.goto("/profile").await;
    app.wait_for_path("/login").await;
    assert!(
        app.text("login-oidc").await.contains("127.0.0.1:9417"),
        "the button names the provider"
    );
    assert!(!app.is_present("login-password").await);

    app.sign_in_at_provider("alice").await;
    app.wait_for_path("/profile").await;
    app.wait_for_text("current-user", "Alice Liddell").await;
    app.goto("/dashboard").await;
    app.wait_for_cards("ready").await;
    assert!(
        !app.has_menu_item("admin-users").await,
        "the provider manages the roles"
    );
    let stats = provider.stats().await;
    assert_eq!(stats.authorization_code, 1, "{stats:?}");
    assert_eq!(stats.refresh_token, 0, "{stats:?}");
}

#[tokio::test]
async fn a_burst_after_an_expiry_costs_one_refresh_token_grant() {
    let (provider, server) = start_with_provider(300).await;
    let api = server.api();
    let app = App::open(&server).await;
    app.sign_in_to_dashboard("alice").await;

    expire_access_tokens(&server, "alice").await;
    api.reset_stats().await;
    let cards = app.reload_cards().await;
    assert!(
        cards.iter().all(|(_, state, _)| state == "ready"),
        "{cards:?}"
    );
    let stats = provider.stats().await;
    assert_eq!(
        stats.refresh_token, 1,
        "one grant for five calls: {stats:?}"
    );
    assert_eq!(stats.reuse_detected, 0, "{stats:?}");
    assert_eq!(api.stats().await.resource, 10, "5 refused + 5 replayed");
}

#[tokio::test]
async fn two_tabs_reloading_at_once_after_an_expiry_share_one_grant() {
    let (provider, server) = start_with_provider(3).await;
    let app = App::open(&server).await;
    app.sign_in_to_dashboard("alice").await;
    let first = app.open_tab("/dashboard").await;
    app.wait_for_cards("ready").await;

    // Both tabs leave the app, the token expires, and both come back at
    // the same moment.
    app.leave().await;
    let second = app.switch_to(first.clone()).await;
    app.leave().await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let before = provider.stats().await;
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        + 800;
    let dashboard = format!("{}/dashboard", app.origin());
    for tab in [first.clone(), second.clone()] {
        app.switch_to(tab).await;
        app.run(
            "setTimeout(() => location.assign(arguments[1]), Number(arguments[0]) - Date.now())",
            vec![Value::from(at.to_string()), Value::from(dashboard.clone())],
        )
        .await;
    }
    for tab in [first, second] {
        app.switch_to(tab).await;
        app.wait_for_path("/dashboard").await;
        app.wait_for_cards("ready").await;
    }
    let after = provider.stats().await;
    assert_eq!(
        after.refresh_token - before.refresh_token,
        1,
        "one grant for both tabs: {after:?}"
    );
    assert_eq!(after.reuse_detected, 0, "{after:?}");
    assert_eq!(after.grants_revoked, 0, "{after:?}");
}

#[tokio::test]
async fn a_role_given_at_the_provider_shows_after_a_refresh_and_a_reload() {
    let (provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    app.sign_in_to_dashboard("alice").await;
    assert!(!app.has_menu_item("reports").await);

    provider.set_roles(&[("admin", &["admin"]), ("alice", &["user", "auditor"])]);
    // The next call is refused, so the refresh brings a token with the role.
    expire_access_tokens(&server, "alice").await;
    app.reload_cards().await;
    assert_eq!(provider.stats().await.refresh_token, 1);
    app.reload().await;
    app.wait_for_menu_item("reports", true).await;
    app.click("nav-item-reports").await;
    app.wait_for_path("/reports").await;
}

#[tokio::test]
async fn logout_revokes_at_the_provider_and_ends_every_tab() {
    let (provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    app.sign_in_to_dashboard("alice").await;
    let first = app.open_tab("/dashboard").await;
    app.wait_for_cards("ready").await;
    let refresh_token = stored_refresh_token(&app).await;

    app.click("nav-logout").await;
    app.wait_for_path("/login").await;
    app.switch_to(first).await;
    app.wait_for_path("/login").await;
    app.find("login-oidc").await;

    app.wait_until("the provider to see the revocation", || async {
        provider.stats().await.revocations == 1
    })
    .await;
    let (status, error) = provider.try_refresh(&refresh_token, app.origin()).await;
    assert_eq!(
        (status, error.as_deref()),
        (400, Some("invalid_grant")),
        "the revoked refresh token is dead"
    );
    assert_eq!(app.local_storage("silent-refresh.session").await, None);
}

#[tokio::test]
async fn a_sign_in_the_provider_refuses_shows_its_message() {
    let (_provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    app.wait_for_path("/login").await;
    app.go_to_provider().await;
    app.cancel_at_provider().await;
    app.wait_until("the provider's message", || async {
        app.text("login-error")
            .await
            .contains("End-User aborted interaction")
    })
    .await;
    assert_eq!(app.local_storage("silent-refresh.session").await, None);

    // The callback address again (back, or a bookmark): nothing to replay.
    app.goto("/auth/callback?code=stale&state=stale").await;
    app.wait_for_path("/login").await;
    app.wait_until("the replay to be refused", || async {
        app.text("login-error").await.contains("used already")
    })
    .await;
    assert_eq!(app.local_storage("silent-refresh.session").await, None);
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_reported_and_tried_again() {
    let (provider, server) = start_with_provider(300).await;
    drop(provider);
    let app = App::open(&server).await;
    app.wait_for_path("/login").await;
    app.wait_until("the discovery failure", || async {
        app.text("login-error")
            .await
            .contains("The identity provider cannot be used right now")
    })
    .await;

    // Back up: the same button tries again, and the sign-in goes ahead.
    let _provider = Provider::start(app.origin(), 300).await;
    app.go_to_provider().await;
}
