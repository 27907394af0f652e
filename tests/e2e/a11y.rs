//! Accessibility: npm axe-core finds no WCAG 2.0 and 2.1 A or AA violation
//! on any page in either language; the console works from the keyboard
//! alone; at phone width the header is one row and nothing overflows.
//! Every page is saved as a PNG in both languages under
//! `target/screenshots/` (the artefacts to look at).

use std::sync::OnceLock;

use fantoccini::key::Key;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    harness::{Endpoint, FaultRequest, Server, ServerOptions, start_with_provider},
    pages::App,
};

/// The languages the app speaks, as the switch's option values.
const LANGUAGES: [&str; 2] = ["en", "zh-CN"];

/// The axe-core rules run: WCAG 2.0 and 2.1, levels A and AA.
const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// axe-core's source, installed from tests/a11y's lock by
/// scripts/install-tools.sh --test.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/a11y/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run scripts/install-tools.sh --test (npm ci in tests/a11y)",
                path.display()
            )
        })
    })
}

/// One rule an element breaks, as axe reports it.
#[derive(Debug, Deserialize)]
pub(crate) struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    nodes: Vec<String>,
}

/// Runs axe-core on the page as it is now; returns what it found, one
/// line per rule with its elements. The script goes in through WebDriver's
/// execute, which the page's Content Security Policy does not govern (a
/// `<script>` element would be refused).
pub(crate) async fn axe(app: &App) -> Vec<Violation> {
    let loaded = app.run("return typeof axe === 'object'", vec![]).await;
    if loaded != json!(true) {
        app.run(&format!("{}\n;return true", axe_source()), vec![])
            .await;
    }
    let found = app
        .run(
            "return axe.run(document, {
               runOnly: { type: 'tag', values: arguments[0] },
               resultTypes: ['violations'],
             }).then(r => r.violations.map(v => ({
               id: v.id,
               impact: v.impact,
               help: v.help,
               nodes: v.nodes.map(n => `${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`),
             })))",
            vec![json!(WCAG_TAGS)],
        )
        .await;
    serde_json::from_value(found).expect("axe's violations")
}

/// Checks the page `name` in `lang` with axe, adding what it found to
/// `report`, and saves its screenshot as `NAME-LANG.png`.
async fn check(app: &App, name: &str, lang: &str, report: &mut Vec<String>) {
    for v in axe(app).await {
        report.push(format!(
            "{name} ({lang}): {} [{}] {}\n      {}",
            v.id,
            v.impact.unwrap_or_default(),
            v.help,
            v.nodes.join("\n      ")
        ));
    }
    app.screenshot(&format!("{name}-{lang}")).await;
}

/// Fails with what axe found, if it found anything.
fn assert_clean(report: &[String]) {
    assert!(
        report.is_empty(),
        "axe-core ({}) found:\n  {}",
        WCAG_TAGS.join(", "),
        report.join("\n  ")
    );
}

#[tokio::test]
async fn every_page_passes_axe_in_both_languages() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;
    let mut report = Vec::new();
    for lang in LANGUAGES {
        app.wait_for_path("/login").await;
        app.choose_language(lang).await;
        app.find("login-username").await;
        check(&app, "login", lang, &mut report).await;

        app.log_in("admin", "not-the-password").await;
        app.find("error-message").await;
        check(&app, "login-error", lang, &mut report).await;

        app.log_in_to_dashboard("admin", "admin123").await;
        check(&app, "dashboard", lang, &mut report).await;

        app.click("nav-item-reports").await;
        app.find("reports").await;
        app.wait_for_state("card-reports", "ready").await;
        check(&app, "reports", lang, &mut report).await;

        app.click("nav-item-admin-users").await;
        app.wait_for_state("admin-users", "ready").await;
        check(&app, "admin-users", lang, &mut report).await;

        app.click("nav-item-profile").await;
        app.find("profile").await;
        check(&app, "profile", lang, &mut report).await;

        app.click("nav-item-diagnostics").await;
        app.burst(5).await;
        check(&app, "diagnostics", lang, &mut report).await;

        app.goto("/no/such/page").await;
        app.find("not-found").await;
        check(&app, "not-found", lang, &mut report).await;

        app.goto("/dashboard").await;
        app.wait_for_cards("ready").await;
        app.click("nav-logout").await;
    }
    assert_clean(&report);
}

#[tokio::test]
async fn the_oidc_sign_in_page_passes_axe_in_both_languages() {
    let (_provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    let mut report = Vec::new();
    for lang in LANGUAGES {
        app.goto("/login").await;
        app.choose_language(lang).await;
        app.find("login-oidc").await;
        check(&app, "oidc-login", lang, &mut report).await;
    }
    assert_clean(&report);
}

#[tokio::test]
async fn the_console_works_from_the_keyboard_alone() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;
    let (tab, enter, space) = (
        char::from(Key::Tab),
        char::from(Key::Enter),
        char::from(Key::Space),
    );
    app.wait_for_path("/login").await;
    app.find("login-username").await;

    app.tab_to("login-username", false).await;
    app.press("admin".chars()).await;
    app.press([tab]).await;
    assert_eq!(app.focused().await.as_deref(), Some("login-password"));
    app.press("admin123".chars()).await;
    app.press([enter]).await;
    app.wait_for_path("/dashboard").await;
    app.wait_for_cards("ready").await;

    app.tab_to("nav-item-admin-users", false).await;
    app.press([enter]).await;
    app.wait_for_path("/admin/users").await;
    app.wait_for_state("admin-users", "ready").await;

    let checkbox = "admin-role-alice-auditor";
    assert_eq!(app.checkbox(checkbox).await, Some(false));
    app.tab_to(checkbox, false).await;
    app.press([space]).await;
    app.wait_until("the role to be saved", || async {
        app.checkbox(checkbox).await == Some(true)
            && app.find(checkbox).await.is_enabled().await.unwrap_or(false)
    })
    .await;
    assert_eq!(server.api().roles_of("alice").await, ["auditor", "user"]);
    // The box keeps the focus while its role is saved: Space again revokes it.
    assert_eq!(app.focused().await.as_deref(), Some(checkbox));
    app.press([space]).await;
    app.wait_until("the role to be revoked", || async {
        app.checkbox(checkbox).await == Some(false)
            && app.find(checkbox).await.is_enabled().await.unwrap_or(false)
    })
    .await;
    assert_eq!(server.api().roles_of("alice").await, ["user"]);
    assert_eq!(app.focused().await.as_deref(), Some(checkbox));

    app.tab_to("nav-logout", true).await;
    app.press([enter]).await;
    app.wait_for_path("/login").await;
    app.find("login-username").await;
    app.wait_until("the session to be forgotten", || async {
        app.local_storage("silent-refresh.session").await.is_none()
    })
    .await;
}

/// Where the header's controls are, at the current width.
#[derive(Debug, Deserialize)]
struct HeaderLayout {
    viewport: f64,
    client_width: f64,
    scroll_width: f64,
    header_height: f64,
    /// `[selector, top, bottom, right, width, cut off]` per control.
    controls: Vec<(String, f64, f64, f64, f64, bool)>,
}

const MEASURE_HEADER: &str = "
  const controls = ['[data-testid=\"menu-toggle\"]', '[data-testid=\"current-user\"]',
                    '[data-testid=\"lang-switch\"]', '[data-testid=\"nav-logout\"]'];
  return {
    viewport: innerWidth,
    client_width: document.documentElement.clientWidth,
    scroll_width: document.documentElement.scrollWidth,
    header_height: document.querySelector('.topbar').getBoundingClientRect().height,
    controls: controls.map(css => {
      const e = document.querySelector(css);
      const r = e.getBoundingClientRect();
      return [css, r.top, r.bottom, r.right, r.width, e.scrollWidth > e.clientWidth + 1];
    }),
  };";

/// Sets the viewport to a phone's (390 × 844 CSS px).
async fn phone_width(app: &App) {
    app.devtools(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
    )
    .await;
}

#[tokio::test]
async fn at_phone_width_the_header_is_one_row_and_nothing_overflows() {
    let (_server, app) = App::logged_in(ServerOptions::default(), "admin", "admin123").await;
    phone_width(&app).await;
    for lang in LANGUAGES {
        app.choose_language(lang).await;
        app.goto("/dashboard").await;
        app.wait_for_cards("ready").await;
        let layout: Value = app.run(MEASURE_HEADER, vec![]).await;
        let layout: HeaderLayout =
            serde_json::from_value(layout.clone()).unwrap_or_else(|e| panic!("{e}: {layout}"));
        assert_eq!(layout.viewport, 390.0, "{layout:?}");
        assert!(
            layout.scroll_width <= 390.0,
            "the page overflows: {layout:?}"
        );
        // One row: every control's middle on one line.
        let middle = |top: f64, bottom: f64| f64::midpoint(top, bottom);
        let first_middle = middle(layout.controls[0].1, layout.controls[0].2);
        let tallest = layout
            .controls
            .iter()
            .map(|(_, top, bottom, ..)| bottom - top)
            .fold(0.0, f64::max);
        for (control, top, bottom, right, width, cut_off) in &layout.controls {
            assert!(*width > 0.0, "{lang}: {control} is not shown: {layout:?}");
            assert!(
                (middle(*top, *bottom) - first_middle).abs() <= 4.0,
                "{lang}: {control} is on another row: {layout:?}"
            );
            assert!(
                *right <= layout.client_width,
                "{lang}: {control} sticks out: {layout:?}"
            );
            assert!(!cut_off, "{lang}: {control} is cut off: {layout:?}");
        }
        assert!(
            layout.header_height <= tallest + 24.0,
            "{lang}: the header is more than one row: {layout:?}"
        );
        app.screenshot(&format!("phone-dashboard-{lang}")).await;

        for page in ["reports", "admin-users", "profile", "diagnostics"] {
            app.click("menu-toggle").await;
            app.click(&format!("nav-item-{page}")).await;
            app.find(page).await;
            let width = app
                .run("return document.documentElement.scrollWidth", vec![])
                .await;
            assert!(
                width.as_f64().is_some_and(|w| w <= 390.0),
                "{lang}: {page} is {width} px wide"
            );
            app.screenshot(&format!("phone-{page}-{lang}")).await;
        }
    }
}

/// The countdowns tick twice a second: inside a live region a screen reader
/// would read out every tick. The panel and the banner are not live around
/// them (the banner itself is announced when it shows).
#[tokio::test]
async fn no_countdown_is_read_out_at_every_tick() {
    let server = Server::start(ServerOptions::default());
    let api = server.api();
    let app = App::open(&server).await;
    app.log_in_to_dashboard("alice", "alice123").await;
    // A failed refresh puts a countdown in the banner and the panel.
    api.expire_access_tokens("alice").await;
    api.fault(FaultRequest {
        status: Some(500),
        ..FaultRequest::new(Endpoint::Refresh, 3)
    })
    .await;
    app.reload_cards().await;
    app.find("offline-banner").await;
    app.wait_until("the next try's countdown", || async {
        !app.text("offline-next-try").await.is_empty()
    })
    .await;
    let live = app
        .run(
            "return arguments[0].map(id => {
               const e = document.querySelector(`[data-testid=\"${id}\"]`);
               const live = e.closest('[aria-live], [role=status], [role=alert], [role=log], [role=timer]');
               return [id, live && live.getAttribute('aria-live') !== 'off'
                 ? live.outerHTML.slice(0, 80) : null];
             })",
            vec![json!([
                "session-expires-in",
                "session-next-refresh",
                "session-ends-in",
                "session-backoff",
                "offline-next-try"
            ])],
        )
        .await;
    let live: Vec<(String, Option<String>)> = serde_json::from_value(live).expect("the countdowns");
    let read_out: Vec<_> = live.iter().filter(|(_, region)| region.is_some()).collect();
    assert!(
        read_out.is_empty(),
        "countdowns in live regions: {read_out:#?}"
    );
}
