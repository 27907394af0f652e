//! The minimal example of `examples/minimal`: a team's own Leptos app on
//! `silent-refresh-leptos` guards a route, survives an expiry with one
//! refresh, and logs out. And the size floor of `examples/size-floor`,
//! which `scripts/size.sh` weighs: it signs in for real.

use crate::{
    harness::{Build, Server, ServerOptions},
    pages::App,
};

#[tokio::test]
async fn the_minimal_example_guards_a_route_shares_one_refresh_and_logs_out() {
    let server = Server::start(ServerOptions {
        build: Build::MinimalExample,
        ..ServerOptions::default()
    });
    let api = server.api();
    let app = App::open(&server).await;
    app.wait_for_text("session", "LoggedOut").await;

    app.goto("/orders").await;
    app.wait_for_path("/").await;
    assert!(app.is_present("home").await, "no session: sent home");
    assert!(!app.is_present("fetch").await);

    app.click("login").await;
    app.wait_for_text("session", "LoggedIn").await;
    app.click("orders-link").await;
    app.wait_for_path("/orders").await;
    app.click("fetch").await;
    app.wait_for_text("result", "5 of 5 loaded").await;
    assert_eq!(app.text("refreshes").await, "0");

    api.expire_access_tokens("alice").await;
    api.reset_stats().await;
    app.click("fetch").await;
    app.wait_until("the five calls and their replays", || async {
        api.stats().await.resource == 10
    })
    .await;
    app.wait_for_text("result", "5 of 5 loaded").await;

    let stats = api.stats().await;
    assert_eq!(stats.refresh, 1, "five expired calls, one refresh");
    assert_eq!(stats.resource, 10, "five refused, five replayed");
    assert_eq!(app.text("refreshes").await, "1");

    app.click("logout").await;
    app.wait_for_text("session", "LoggedOut").await;
    app.wait_for_path("/").await;
    app.wait_until("the server to revoke the login", || async {
        api.stats().await.logout == 1
    })
    .await;
    assert_eq!(app.local_storage("minimal-example.session").await, None);
}

#[tokio::test]
async fn the_size_floor_signs_in_and_says_why_it_did_not() {
    let server = Server::start(ServerOptions {
        build: Build::SizeFloor,
        ..ServerOptions::default()
    });
    let app = App::open(&server).await;

    app.fill("username", "alice").await;
    app.fill("password", "wrong").await;
    app.click("submit").await;
    app.wait_for_text("error", "Wrong user name or password.")
        .await;
    assert_eq!(app.local_storage("floor.session").await, None);

    app.fill("password", "alice123").await;
    app.click("submit").await;
    app.wait_for_path("/dashboard").await;
    assert_eq!(app.text("signed-in").await, "Signed in");
    let stored = app
        .local_storage("floor.session")
        .await
        .expect("the tokens are kept");
    assert!(stored.contains("\"refreshToken\""), "{stored}");
    assert_eq!(
        server.api().stats().await.login,
        2,
        "the refused attempt and this one"
    );
}
