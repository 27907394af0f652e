//! Logging in and out through the page.

use hyper::Method;
use serde_json::json;
use silent_refresh_contract::{RefreshRequest, paths};

use crate::{
    harness::{Server, ServerOptions},
    pages::App,
};

#[tokio::test]
async fn alice_logs_in_sees_her_name_and_logs_out() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;

    app.wait_for_path("/login").await;
    app.log_in_to_dashboard("alice", "alice123").await;
    app.wait_for_text("current-user", "Alice Liddell").await;
    let stored = app
        .local_storage("silent-refresh.session")
        .await
        .expect("a stored session");
    let stored: serde_json::Value = serde_json::from_str(&stored).expect("a JSON session");
    let logged_out = RefreshRequest {
        user_id: stored["userId"].as_str().expect("a user id").to_owned(),
        refresh_token: stored["refreshToken"].as_str().expect("a token").to_owned(),
    };

    app.click("nav-logout").await;
    app.find("login-username").await;
    app.wait_for_path("/login").await;
    assert_eq!(app.local_storage("silent-refresh.session").await, None);
    assert_eq!(app.local_storage("silent-refresh.user").await, None);
    let api = server.api();
    app.wait_until("the logout call", || async {
        api.stats().await.logout == 1
    })
    .await;
    // The call is counted as it arrives; give its handler time to revoke.
    // (Polling instead would spend the token and pass on reuse detection.)
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (status, body) = api
        .send(Method::POST, paths::REFRESH, None, Some(json!(logged_out)))
        .await;
    assert_eq!(
        status, 400,
        "the logged-out refresh token is revoked: {body}"
    );
    assert_eq!(body["error"]["code"], "invalid_grant");
    assert!(
        !app.is_present("session-expired").await,
        "a logout is no expiry"
    );
}

#[tokio::test]
async fn a_wrong_password_shows_the_servers_message() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;

    app.log_in("alice", "not-her-password").await;
    app.wait_for_text("login-error", "Invalid username or password!")
        .await;
    app.wait_for_path("/login").await;
    assert_eq!(app.local_storage("silent-refresh.session").await, None);
}

#[tokio::test]
async fn an_unknown_address_shows_the_not_found_page() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;
    app.goto("/no/such/page").await;
    app.find("not-found").await;
}

#[tokio::test]
async fn after_logging_in_again_the_user_is_back_where_they_were() {
    let (_server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    app.goto("/profile").await;
    app.find("profile").await;

    // Corrupted storage means logged out, never a broken page.
    app.run(
        "localStorage.setItem('silent-refresh.session', '{not json')",
        vec![],
    )
    .await;
    app.reload().await;
    app.wait_for_path("/login").await;
    assert_eq!(app.path().await, "/login?redirect=%2Fprofile");
    assert_eq!(app.local_storage("silent-refresh.session").await, None);

    app.log_in("alice", "alice123").await;
    app.wait_for_path("/profile").await;
    app.find("profile").await;
}
