//! Logging in and out through the page.

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
    let logged_out = app.stored_refresh_request().await;

    app.click("nav-logout").await;
    app.find("login-username").await;
    app.wait_for_path("/login").await;
    assert_eq!(app.local_storage("silent-refresh.session").await, None);
    assert_eq!(app.local_storage("silent-refresh.user").await, None);
    let api = server.api();
    api.assert_revoked_after_logout(&logged_out).await;
    assert_eq!(api.stats().await.logout, 1);
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
