//! A refresh answer lost in transit costs nothing: the server rotated, the
//! answer never reached the page (a dropped connection, the refreshing tab
//! closed), and the next try (this tab's, or another tab's) resends the
//! same refresh with the same `Idempotency-Key` and gets the same pair.
//! Each case also runs against a server without idempotency (and the
//! bundled `oidc-provider`, which has none), where the same loss ends the
//! session: what the tests would see if the write-ahead intent or the
//! idempotent rotation broke.

use std::time::Duration;

use fantoccini::wd::WindowHandle;

use crate::{
    harness::{Endpoint, FaultRequest, Server, ServerOptions, start_with_provider},
    pages::App,
};

/// The server, with its idempotent rotation on or off
/// (`--idempotency-window=0s`), and alice on the dashboard.
async fn alice_on_the_dashboard(idempotent: bool) -> (Server, App) {
    let options = ServerOptions {
        extra_args: if idempotent {
            Vec::new()
        } else {
            vec!["--idempotency-window=0s".into()]
        },
        ..ServerOptions::default()
    };
    App::logged_in(options, "alice", "alice123").await
}

/// Whether every card shows data (`true`) or the session ended on the
/// login page (`false`), whichever comes first.
async fn stays_signed_in(app: &App) -> bool {
    let settled = || async {
        if app.path().await.starts_with("/login") {
            Some(false)
        } else if app
            .cards()
            .await
            .iter()
            .all(|(_, state, _)| state == "ready")
        {
            Some(true)
        } else {
            None
        }
    };
    app.wait_until("the cards, or the login page", || async {
        settled().await.is_some()
    })
    .await;
    settled().await == Some(true)
}

/// After an expiry, the next refresh rotates at the server and its answer
/// is dropped; the page's retry goes out. Whether the page stayed signed in.
async fn lose_the_refresh_answer(server: &Server, app: &App) -> bool {
    let api = server.api();
    api.reset_stats().await;
    api.expire_access_tokens("alice").await;
    api.fault(FaultRequest {
        drop_answer: true,
        ..FaultRequest::new(Endpoint::Refresh, 1)
    })
    .await;
    app.click("dashboard-reload").await;
    stays_signed_in(app).await
}

#[tokio::test]
async fn an_answer_lost_after_the_server_rotated_costs_nothing() {
    let (server, app) = alice_on_the_dashboard(true).await;
    assert!(lose_the_refresh_answer(&server, &app).await);
    let stats = server.api().rotation_stats().await;
    assert_eq!(
        stats.calls.refresh, 2,
        "the lost refresh and its retry: {stats:?}"
    );
    assert_eq!(stats.replayed, 1, "rotated once, answered twice: {stats:?}");
    assert_eq!(stats.reuse_detected, 0, "{stats:?}");
    assert_eq!(app.path().await, "/dashboard");
}

#[tokio::test]
async fn without_idempotency_an_answer_lost_after_the_server_rotated_ends_the_session() {
    let (server, app) = alice_on_the_dashboard(false).await;
    assert!(!lose_the_refresh_answer(&server, &app).await);
    let stats = server.api().rotation_stats().await;
    assert_eq!(stats.reuse_detected, 1, "the retry was a reuse: {stats:?}");
    app.find("session-expired").await;
}

/// Two tabs on the dashboard; after an expiry the first one refreshes, the
/// server rotates and holds the answer, and the tab is closed meanwhile;
/// then the other tab needs the token. Returns the other tab.
async fn close_the_refreshing_tab(app: &App, hold: impl Future<Output = ()>) -> WindowHandle {
    let refreshing = app.open_tab("/dashboard").await;
    app.wait_for_cards("ready").await;
    hold.await;
    let other = app.switch_to(refreshing).await;
    app.click("dashboard-reload").await;
    app.find("session-refreshing").await;
    app.close_tab(other.clone()).await;
    app.click("dashboard-reload").await;
    other
}

#[tokio::test]
async fn a_tab_closed_mid_refresh_is_finished_by_the_other_with_the_same_key() {
    for idempotent in [true, false] {
        let (server, app) = alice_on_the_dashboard(idempotent).await;
        let api = server.api();
        let hold = async {
            api.reset_stats().await;
            api.expire_access_tokens("alice").await;
            api.fault(FaultRequest {
                delay_answer_ms: 3_000,
                ..FaultRequest::new(Endpoint::Refresh, 1)
            })
            .await;
        };
        close_the_refreshing_tab(&app, hold).await;
        let signed_in = stays_signed_in(&app).await;
        let stats = api.rotation_stats().await;
        if idempotent {
            assert!(signed_in, "the other tab finished the refresh");
            assert_eq!(stats.replayed, 1, "with the closed tab's key: {stats:?}");
            assert_eq!(stats.reuse_detected, 0, "{stats:?}");
        } else {
            assert!(
                !signed_in,
                "without idempotency the closed tab's refresh is lost"
            );
            assert_eq!(stats.reuse_detected, 1, "{stats:?}");
        }
    }
}

/// What `docs/session.md` says of a provider without idempotent rotation:
/// the refresh lost with the closed tab ends the session, because the
/// other tab must present the spent token again.
#[tokio::test]
async fn with_the_bundled_oidc_provider_a_tab_closed_mid_refresh_costs_the_session() {
    let (provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    app.sign_in_to_dashboard("alice").await;
    let hold = async {
        server.api().expire_access_tokens("alice").await;
        // The cut-off is per second: tokens of the next second are good.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        provider.hold_answers(3_000, 1).await;
    };
    close_the_refreshing_tab(&app, hold).await;
    assert!(!stays_signed_in(&app).await);
    app.find("session-expired").await;
    let stats = provider.stats().await;
    assert_eq!(stats.reuse_detected, 1, "{stats:?}");
    assert_eq!(stats.refresh_token, 1, "the closed tab's grant: {stats:?}");
}
