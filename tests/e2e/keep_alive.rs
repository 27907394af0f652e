//! A session that stays alive: proactive refresh ahead of each expiry, after
//! a page was frozen (as a sleeping laptop), and across tabs; offline and a
//! refresh endpoint that drops its connections, with the banner that says so.

use std::time::Duration;

use serde_json::json;

use crate::{
    harness::{Endpoint, FaultRequest, ServerOptions},
    pages::{App, all_in, all_unavailable},
};

fn short_tokens(ttl: &'static str) -> ServerOptions {
    ServerOptions {
        access_ttl: ttl,
        ..ServerOptions::default()
    }
}

#[tokio::test]
async fn with_six_second_tokens_calls_every_second_and_a_half_never_meet_a_401() {
    let (server, app) = App::logged_in(short_tokens("6s"), "alice", "alice123").await;
    let api = server.api();
    api.reset_stats().await;

    for _ in 0..13 {
        let cards = app.reload_cards().await;
        assert!(all_in(&cards, "ready"), "{cards:?}");
        tokio::time::sleep(Duration::from_millis(1_500)).await;
    }

    assert_eq!(
        app.text("session-unauthorized").await,
        "0",
        "no call met a 401"
    );
    let stats = api.stats().await;
    assert!(
        stats.refresh >= 3,
        "refreshed ahead of each expiry: {stats:?}"
    );
    assert_eq!(stats.resource, 13 * 5, "no call was replayed: {stats:?}");
}

#[tokio::test]
async fn the_first_reload_after_a_frozen_page_wakes_meets_no_401() {
    let (server, app) = App::logged_in(short_tokens("4s"), "alice", "alice123").await;
    let api = server.api();
    api.reset_stats().await;

    app.devtools("Page.setWebLifecycleState", json!({ "state": "frozen" }))
        .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    app.devtools("Page.setWebLifecycleState", json!({ "state": "active" }))
        .await;
    let cards = app.reload_cards().await;

    assert!(all_in(&cards, "ready"), "{cards:?}");
    assert_eq!(app.path().await, "/dashboard", "still logged in");
    assert_eq!(app.text("session-unauthorized").await, "0");
    let stats = api.stats().await;
    assert_eq!(stats.resource, 5, "no call was replayed: {stats:?}");
    assert!(stats.refresh >= 1, "{stats:?}");
}

#[tokio::test]
async fn three_tabs_left_open_across_two_expiries_cost_one_refresh_each() {
    let (server, app) = App::logged_in(short_tokens("6s"), "alice", "alice123").await;
    let api = server.api();
    api.reset_stats().await;
    let first = app.open_tab("/dashboard").await;
    app.wait_for_cards("ready").await;
    let second = app.open_tab("/dashboard").await;
    app.wait_for_cards("ready").await;

    app.wait_until("two refreshes", || async { api.stats().await.refresh >= 2 })
        .await;
    // The next token is due no sooner than 3.6 s after the last refresh: a
    // tab that had not adopted it would refresh again within this second.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(api.stats().await.refresh, 2, "one refresh per expiry");

    for tab in [first, second] {
        let cards = app.reload_cards().await;
        assert!(
            all_in(&cards, "ready"),
            "every tab is still logged in: {cards:?}"
        );
        app.switch_to(tab).await;
    }
    let cards = app.reload_cards().await;
    assert!(all_in(&cards, "ready"), "{cards:?}");
}

#[tokio::test]
async fn offline_the_banner_shows_and_the_session_is_kept_online_again_it_goes() {
    let (server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    let api = server.api();
    api.reset_stats().await;

    app.set_offline(true).await;
    app.find("offline-banner").await;
    let cards = app.reload_cards().await;
    assert!(all_unavailable(&cards), "calls fail at once: {cards:?}");
    assert_eq!(api.stats().await.resource, 0, "nothing left the browser");
    assert_eq!(app.path().await, "/dashboard", "the session is kept");

    app.set_offline(false).await;
    app.wait_until("the banner to go", || async {
        !app.is_present("offline-banner").await
    })
    .await;
    let cards = app.reload_cards().await;
    assert!(all_in(&cards, "ready"), "{cards:?}");
    assert_eq!(api.stats().await.login, 0, "no new login");
}

#[tokio::test]
async fn the_refresh_endpoint_dropped_for_ten_seconds_shows_the_banner_until_it_is_back() {
    let (server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    let api = server.api();
    api.expire_access_tokens("alice").await;
    api.fault(FaultRequest {
        drop: true,
        ..FaultRequest::new(Endpoint::Refresh, 1_000)
    })
    .await;

    let cards = app.reload_cards().await;
    assert!(all_unavailable(&cards), "{cards:?}");
    app.find("offline-banner").await;
    assert!(
        !app.text("offline-next-try").await.is_empty(),
        "the next try is announced"
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(app.path().await, "/dashboard", "the session is kept");
    app.find("offline-banner").await;

    api.clear_faults().await;
    app.wait_until("the banner to go by itself", || async {
        !app.is_present("offline-banner").await
    })
    .await;
    let cards = app.reload_cards().await;
    assert!(all_in(&cards, "ready"), "{cards:?}");
    assert_eq!(api.stats().await.login, 1, "only the first login");
}
