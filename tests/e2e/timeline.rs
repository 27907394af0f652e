//! The session timeline on the diagnostics page: what it draws after a
//! burst that meets an expiry, a `403`, a role fetch and an offline spell,
//! how it reads from the keyboard, its download, and the proactive
//! refreshes of two tabs told apart. Screenshots: target/screenshots/timeline-*.png. Screenshots: target/screenshots/timeline-*.png.

use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::{
    a11y::axe,
    harness::{Endpoint, FaultRequest, Server, ServerOptions},
    pages::App,
};

/// The marks of `kind` (and `variant`) the timeline draws now.
async fn marks(app: &App, kind: &str, variant: Option<&str>) -> usize {
    let variant = variant.map_or(String::new(), |v| format!("[data-variant=\"{v}\"]"));
    app.count(&format!(
        "[data-testid=\"timeline-mark\"][data-kind=\"{kind}\"]{variant}"
    ))
    .await
}

/// Waits until the timeline draws at least one mark of `kind` (and `variant`).
async fn wait_for_mark(app: &App, kind: &str, variant: Option<&str>) {
    app.wait_until(&format!("a {kind} {variant:?} mark"), || async {
        marks(app, kind, variant).await > 0
    })
    .await;
}

/// The words of the marks of `kind` the timeline draws now.
async fn words_of(app: &App, kind: &str) -> Vec<String> {
    let words = app
        .run(
            "return [...document.querySelectorAll(`[data-testid=\"timeline-mark\"][data-kind=\"${arguments[0]}\"]`)]
               .map(m => m.getAttribute('aria-label'))",
            vec![json!(kind)],
        )
        .await;
    serde_json::from_value(words).expect("the marks' words")
}

/// The text of the focused element's `aria-label`.
async fn focused_label(app: &App) -> String {
    app.run(
        "return document.activeElement.getAttribute('aria-label') ?? ''",
        vec![],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// The events the download link saves, after a click on it.
async fn downloaded_events(app: &App) -> Value {
    // The click fills the link in; the browser is told to save nothing.
    app.devtools("Browser.setDownloadBehavior", json!({ "behavior": "deny" }))
        .await;
    app.click("timeline-download").await;
    let text = app
        .run(
            "const href = document.querySelector('[data-testid=\"timeline-download\"]').href;
             return decodeURIComponent(href.slice(href.indexOf(',') + 1))",
            vec![],
        )
        .await;
    serde_json::from_str(text.as_str().expect("the link's data")).expect("the download is JSON")
}

#[tokio::test]
async fn after_a_burst_meets_an_expiry_the_timeline_shows_it_in_marks_and_words() {
    let server = Server::start(ServerOptions::default());
    let api = server.api();
    api.set_roles("alice", &["user", "auditor"]).await;
    let app = App::open(&server).await;
    app.log_in_to_dashboard("alice", "alice123").await;

    // A revoked permission: the reports page's call meets a 403.
    app.wait_for_menu_item("reports", true).await;
    api.set_roles("alice", &["user"]).await;
    app.click("nav-item-reports").await;
    app.find("forbidden").await;

    // The session panel leads to the timeline.
    app.wait_for_menu_item("reports", false).await;
    app.click("session-timeline-link").await;
    app.wait_for_path("/diagnostics").await;
    app.find("session-timeline").await;

    // Offline for a moment, then a burst of 100 after an expiry.
    app.set_offline(true).await;
    wait_for_mark(&app, "offline", None).await;
    app.set_offline(false).await;
    api.reset_stats().await;
    api.expire_access_tokens("alice").await;
    app.burst(100).await;
    assert_eq!(api.stats().await.refresh, 1);

    wait_for_mark(&app, "refresh", Some("reactive")).await;
    for kind in ["unauthorized", "waiting", "forbidden", "roles", "login"] {
        wait_for_mark(&app, kind, None).await;
    }
    let unauthorized = marks(&app, "unauthorized", None).await;
    assert!(
        (1..=6).contains(&unauthorized),
        "at most six calls leave at once, so at most six 401s: {unauthorized}"
    );
    assert_eq!(
        marks(&app, "token", Some("this")).await,
        2,
        "the login's and the refresh's"
    );
    assert_eq!(marks(&app, "refresh", None).await, 1);

    // Zoomed in to the last minute: the burst is still there.
    app.click("timeline-zoom-1").await;
    let timeline = app.find("session-timeline").await;
    assert_eq!(
        timeline.attr("data-minutes").await.unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        app.find("timeline-zoom-1")
            .await
            .attr("aria-pressed")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    wait_for_mark(&app, "refresh", Some("reactive")).await;

    // From the keyboard: one tab stop, the arrow keys go through the marks,
    // and the one focused reads in words, in the page too.
    app.tab_to("timeline-download", false).await;
    app.press([char::from(Key::Tab)]).await;
    assert_eq!(app.focused().await.as_deref(), Some("timeline-mark"));
    let mut seen = Vec::new();
    for _ in 0..30 {
        let label = focused_label(&app).await;
        assert_eq!(app.text("timeline-detail").await, label);
        if label.starts_with("Refresh · after a 401 · this tab") {
            break;
        }
        seen.push(label);
        app.press([char::from(Key::Left)]).await;
    }
    let label = focused_label(&app).await;
    assert!(
        label.starts_with("Refresh · after a 401 · this tab") && label.ends_with("ms · new tokens"),
        "the arrow keys never reached the refresh: {seen:#?}"
    );
    app.screenshot("timeline-en").await;
    let violations = axe(&app).await;
    assert!(violations.is_empty(), "{violations:#?}");

    // The download holds the same events, numbered in order.
    let report = downloaded_events(&app).await;
    assert_eq!(report["capacity"], 2048);
    let events = report["events"].as_array().expect("events");
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let refresh: Vec<&Value> = events.iter().filter(|e| e["kind"] == "refresh").collect();
    assert_eq!(refresh.len(), 1, "{events:#?}");
    assert_eq!(refresh[0]["trigger"], "unauthorized");
    assert_eq!(refresh[0]["tab"], "this");
    assert_eq!(refresh[0]["outcome"], "refreshed");
    assert!(refresh[0]["durationMs"].as_f64().unwrap() > 0.0);
    for kind in [
        "login",
        "token",
        "unauthorized",
        "forbidden",
        "roles",
        "waiting",
        "offline",
        "online",
    ] {
        assert!(
            events.iter().any(|e| e["kind"] == kind),
            "no {kind} in {events:#?}"
        );
    }

    // In Chinese, the marks read in Chinese.
    app.choose_language("zh-CN").await;
    app.wait_until("the summary in Chinese", || async {
        app.text("timeline-detail").await.starts_with("最近 1 分钟")
    })
    .await;
    app.screenshot("timeline-zh").await;
}

#[tokio::test]
async fn with_two_tabs_one_refreshes_ahead_of_the_expiry_and_the_other_shows_it_as_another_tabs() {
    let server = Server::start(ServerOptions {
        access_ttl: "8s",
        ..ServerOptions::default()
    });
    let app = App::open(&server).await;
    app.log_in_to_dashboard("alice", "alice123").await;
    app.click("nav-item-diagnostics").await;
    app.find("session-timeline").await;
    let first = app.open_tab("/diagnostics").await;
    app.find("session-timeline").await;
    let second = app.switch_to(first).await;

    // Within a few lifetimes one tab has refreshed ahead of an expiry and
    // the other has taken its tokens (the jitter picks which one).
    let mut tab = second;
    let mut found = (0, 0);
    for _ in 0..60 {
        found = (0, 0);
        for _ in 0..2 {
            found.0 += marks(&app, "refresh", Some("proactive")).await;
            found.1 += marks(&app, "refresh", Some("other")).await;
            tab = app.switch_to(tab).await;
        }
        if found.0 > 0 && found.1 > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(
        found.0 > 0 && found.1 > 0,
        "(proactive, from the other tab) across both tabs: {found:?}"
    );
    for _ in 0..2 {
        assert_eq!(
            marks(&app, "unauthorized", None).await,
            0,
            "no call met a 401"
        );
        assert_eq!(marks(&app, "refresh", Some("reactive")).await, 0);
        tab = app.switch_to(tab).await;
    }
    assert_eq!(
        server.api().stats().await.login,
        1,
        "one login for both tabs"
    );

    // A few more lifetimes, then an expiry the tabs did not see coming,
    // and a burst: the README's picture (docs/timeline.png is a copy of
    // this screenshot).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while marks(&app, "refresh", None).await < 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "four refreshes in a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    server.api().expire_access_tokens("alice").await;
    app.burst(200).await;
    app.click("timeline-zoom-1").await;
    wait_for_mark(&app, "refresh", Some("reactive")).await;
    wait_for_mark(&app, "unauthorized", None).await;
    app.screenshot("timeline-after-burst").await;
}

#[tokio::test]
async fn a_failed_refresh_shows_with_its_back_off_and_a_refused_one_as_the_sessions_end() {
    let (server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    let api = server.api();
    app.click("nav-item-diagnostics").await;
    app.find("session-timeline").await;

    // The refresh service fails three times: one refresh, failed, and the
    // proactive ones back off.
    api.expire_access_tokens("alice").await;
    api.fault(FaultRequest {
        status: Some(500),
        ..FaultRequest::new(Endpoint::Refresh, 3)
    })
    .await;
    app.burst(3).await;
    wait_for_mark(&app, "refresh", Some("failed")).await;
    wait_for_mark(&app, "backoff", None).await;
    let failed = words_of(&app, "refresh").await;
    assert!(
        failed.len() == 1 && failed[0].ends_with("failed, the session is kept"),
        "{failed:?}"
    );
    assert!(
        words_of(&app, "backoff").await[0].starts_with("Back-off after failed refreshes · × 1")
    );

    // Then the refresh token is refused: the session ends. The timeline
    // lives in the tab, across the login that follows.
    api.revoke_refresh_tokens("alice").await;
    app.fill("burst-size", "3").await;
    app.click("burst-run").await;
    app.wait_for_path("/login").await;
    app.log_in("alice", "alice123").await;
    // Back on the page the session ended on.
    app.wait_for_path("/diagnostics").await;
    wait_for_mark(&app, "logout", None).await;
    assert_eq!(
        words_of(&app, "logout").await.len(),
        1,
        "one end of the session"
    );
    assert!(words_of(&app, "logout").await[0].starts_with("Logout · the session expired"));
    assert_eq!(words_of(&app, "login").await.len(), 2, "before and after");
    let refreshes = words_of(&app, "refresh").await;
    assert!(
        refreshes
            .iter()
            .any(|w| w.ends_with("refused, the session ended")),
        "{refreshes:?}"
    );
}
