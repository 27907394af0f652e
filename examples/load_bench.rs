//! Load benchmark: in headless Chromium against the real server, for each
//! release build (`REFRESH_ROLE` on and off, and `AUTH_MODE=oidc`): 15 cold
//! loads of the login page (time until its sign-in control is visible:
//! median, min, max; requests; bytes on the wire), a warm second visit
//! (requests and bytes on the wire), and, for the seed builds, 15 reloads of
//! the dashboard with a stored session until every card shows data
//! (median). Then, on a throttled network (1.6 Mbit/s down, 150 ms round
//! trip, through the DevTools protocol), the seed build with
//! `REFRESH_ROLE=on`: the cold login page, and the first visit to the
//! dashboard after signing in (from just before the click until every
//! card shows data, the dashboard's chunk fetched on the way). `THROTTLED_APP=DIR`
//! measures another build of it there (an older one, to compare). It prints
//! figures and asserts no timings.
//!
//! Run with `scripts/load-bench.sh`.

// Shared with the end-to-end tests; the benchmark uses a part of them.
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/e2e/pages.rs"]
mod pages;

use harness::{Build, Provider, Server, ServerOptions};
use pages::App;
use serde_json::json;

/// Loads per figure.
const RUNS: usize = 15;
/// Loads per figure on the throttled network.
const THROTTLED_RUNS: usize = 5;

/// Records, from the start of each navigation, when the first element
/// matching `window.__watch` appears (`window.__seenAt`, in ms).
const WATCHER: &str = "
  const watch = () => {
    const selector = sessionStorage.getItem('bench.watch');
    if (!selector) return;
    const check = () => {
      if (window.__seenAt === undefined && document.querySelector(selector)) {
        window.__seenAt = performance.now();
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    check();
  };
  watch();";

/// The selector of the login page's sign-in control in each build.
fn login_control(build: Build) -> &'static str {
    match build {
        Build::Oidc => "[data-testid=\"login-oidc\"]",
        _ => "[data-testid=\"login-password\"]",
    }
}

/// Every dashboard card showing data.
const CARDS_READY: &str = "[data-testid=\"card-health\"][data-state=\"ready\"]";

/// What went over the wire for the page as loaded: the document and every
/// resource, by their Resource Timing `transferSize` (0 when served from
/// the cache).
struct Traffic {
    requests: u64,
    bytes: u64,
    /// The paths fetched.
    paths: Vec<String>,
}

async fn traffic(app: &App) -> Traffic {
    let figures = app
        .run(
            "const entries = [...performance.getEntriesByType('navigation'),
                              ...performance.getEntriesByType('resource')];
             const fetched = entries.filter(e => e.transferSize > 0);
             return [fetched.length, fetched.reduce((sum, e) => sum + e.transferSize, 0),
                     fetched.map(e => new URL(e.name).pathname)];",
            vec![],
        )
        .await;
    Traffic {
        requests: figures[0].as_u64().unwrap_or(0),
        bytes: figures[1].as_u64().unwrap_or(0),
        paths: serde_json::from_value(figures[2].clone()).unwrap_or_default(),
    }
}

/// Opens `path` with `selector` watched; returns when it appeared (ms).
async fn timed_visit(app: &App, path: &str, selector: &str) -> f64 {
    app.run(
        "sessionStorage.setItem('bench.watch', arguments[0])",
        vec![json!(selector)],
    )
    .await;
    app.goto(path).await;
    wait_seen(app).await
}

/// Waits for the watched element; returns when it appeared (ms).
async fn wait_seen(app: &App) -> f64 {
    wait_for_time(app, "__seenAt").await
}

/// Waits until the page sets `window[variable]`; returns it (ms).
async fn wait_for_time(app: &App, variable: &str) -> f64 {
    let (is_set, value) = (
        format!("return window.{variable} !== undefined"),
        format!("return window.{variable}"),
    );
    app.wait_until(variable, || async {
        app.run(&is_set, vec![]).await.as_bool().unwrap_or(false)
    })
    .await;
    app.run(&value, vec![]).await.as_f64().unwrap_or(f64::NAN)
}

/// Median, min and max of `samples`.
fn spread(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}

/// A server for `build` (with its provider for the oidc build).
async fn serve(build: Build) -> (Option<Provider>, Server) {
    if build != Build::Oidc {
        let options = ServerOptions {
            build,
            ..ServerOptions::default()
        };
        return (None, Server::start(options));
    }
    let (provider, server) = harness::start_with_provider(300).await;
    (Some(provider), server)
}

async fn measure(build: Build, label: &str) {
    let (_provider, server) = serve(build).await;
    let app = App::open(&server).await;
    app.devtools(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": WATCHER }),
    )
    .await;
    let control = login_control(build);
    let mut times = Vec::new();
    let mut cold = None;
    for _ in 0..RUNS {
        app.devtools("Network.clearBrowserCache", json!({})).await;
        times.push(timed_visit(&app, "/login", control).await);
        cold = Some(traffic(&app).await);
    }
    let cold = cold.expect("at least one load");
    let (median, min, max) = spread(&mut times);
    timed_visit(&app, "/login", control).await;
    let warm = traffic(&app).await;
    println!("{label}");
    println!(
        "  cold login page   {median:7.1} ms median ({min:.1}-{max:.1}), {} requests, {} bytes on the wire",
        cold.requests, cold.bytes
    );
    println!(
        "  warm second visit {} requests, {} bytes on the wire ({})",
        warm.requests,
        warm.bytes,
        warm.paths.join(", ")
    );
    if build == Build::Oidc {
        return;
    }
    app.log_in_to_dashboard("alice", "alice123").await;
    app.run(
        "sessionStorage.setItem('bench.watch', arguments[0])",
        vec![json!(CARDS_READY)],
    )
    .await;
    let mut reloads = Vec::new();
    for _ in 0..RUNS {
        app.reload().await;
        reloads.push(wait_seen(&app).await);
        app.wait_for_cards("ready").await;
    }
    let (median, min, max) = spread(&mut reloads);
    println!(
        "  dashboard reload  {median:7.1} ms median ({min:.1}-{max:.1}) until every card shows data"
    );
}

/// Starts timing now, in the page: `window.__markedAt` is set when an
/// element matching `selector` appears (ms from now). Apart from
/// [`WATCHER`], whose element may still be on the page.
const WATCH_FROM_NOW: &str = "
  window.__markedAt = undefined;
  const startedAt = performance.now();
  const selector = arguments[0];
  const check = () => {
    if (window.__markedAt === undefined && document.querySelector(selector)) {
      window.__markedAt = performance.now() - startedAt;
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });";

/// The cold login page and the first visit to the dashboard after signing
/// in, on a 1.6 Mbit/s link with a 150 ms round trip.
async fn measure_throttled() {
    let mut options = ServerOptions {
        build: Build::RoleRefreshOn,
        ..ServerOptions::default()
    };
    let label = match std::env::var_os("THROTTLED_APP") {
        Some(dir) => {
            let label = format!("{}", std::path::Path::new(&dir).display());
            options.static_dir = Some(dir.into());
            label
        }
        None => "seed, REFRESH_ROLE=on".to_owned(),
    };
    let server = Server::start(options);
    let app = App::open(&server).await;
    app.devtools(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": WATCHER }),
    )
    .await;
    app.devtools("Network.enable", json!({})).await;
    app.devtools(
        "Network.emulateNetworkConditions",
        json!({
            "offline": false,
            "latency": 150,
            "downloadThroughput": 1_600_000 / 8,
            "uploadThroughput": 750_000 / 8,
        }),
    )
    .await;
    let mut logins = Vec::new();
    let mut dashboards = Vec::new();
    let (mut login_traffic, mut dashboard_traffic) = (None, None);
    for _ in 0..THROTTLED_RUNS {
        app.run("localStorage.clear(); sessionStorage.clear();", vec![])
            .await;
        app.devtools("Network.clearBrowserCache", json!({})).await;
        logins.push(timed_visit(&app, "/login", login_control(Build::RoleRefreshOn)).await);
        let before = traffic(&app).await;
        app.fill("login-username", "alice").await;
        app.fill("login-password", "alice123").await;
        app.run(WATCH_FROM_NOW, vec![json!(CARDS_READY)]).await;
        app.click("login-submit").await;
        dashboards.push(wait_for_time(&app, "__markedAt").await);
        let after = traffic(&app).await;
        dashboard_traffic = Some((after.requests - before.requests, after.bytes - before.bytes));
        login_traffic = Some(before);
        app.click("nav-logout").await;
        app.wait_for_path("/login").await;
    }
    let login_traffic = login_traffic.expect("at least one load");
    let (requests, bytes) = dashboard_traffic.expect("at least one visit");
    let (median, min, max) = spread(&mut logins);
    println!("throttled: 1.6 Mbit/s down, 0.75 Mbit/s up, 150 ms round trip; {label}");
    println!(
        "  cold login page          {median:7.1} ms median ({min:.1}-{max:.1}), {} requests, {} bytes on the wire",
        login_traffic.requests, login_traffic.bytes
    );
    let (median, min, max) = spread(&mut dashboards);
    println!(
        "  first dashboard visit    {median:7.1} ms median ({min:.1}-{max:.1}) from just before the click until every card shows data, {requests} requests, {bytes} bytes on the wire"
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("load benchmark: {RUNS} loads each, headless Chromium, the server on 127.0.0.1");
    measure(Build::RoleRefreshOn, "seed, REFRESH_ROLE=on").await;
    measure(Build::RoleRefreshOff, "seed, REFRESH_ROLE=off").await;
    measure(Build::Oidc, "oidc (REFRESH_ROLE=on)").await;
    measure_throttled().await;
}
