//! The minimal example of `examples/minimal`: a team's own Leptos app on the
//! session layer's public API survives an expiry with one refresh.

use crate::{
    harness::{Build, Server, ServerOptions},
    pages::App,
};

#[tokio::test]
async fn the_minimal_example_survives_an_expiry_with_one_refresh() {
    let server = Server::start(ServerOptions {
        build: Build::MinimalExample,
        ..ServerOptions::default()
    });
    let api = server.api();
    let app = App::open(&server).await;

    app.click("login").await;
    app.wait_for_text("session", "logged in").await;
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
}
