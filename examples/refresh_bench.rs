//! Benchmark: in headless Chromium against the real server, fire N
//! concurrent API calls right after the access token was expired, and the
//! same burst on a fresh token; print the refresh calls the server saw, the
//! failed calls, and the median and p99 latency of one call.
//!
//! Run with `scripts/bench.sh [N ...]` (default N: 10 100 1000).

// Shared with the end-to-end tests; the benchmark uses a part of them.
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/e2e/pages.rs"]
mod pages;

use harness::ServerOptions;
use pages::App;

/// What one burst measured, as the diagnostics page reports it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Burst {
    run: u64,
    calls: u64,
    failed: u64,
    median_ms: f64,
    p99_ms: f64,
}

/// The figures of the last burst (`run` 0: none yet), read in one go from
/// the result's data attributes.
async fn last_burst(app: &App) -> Burst {
    let figures = app
        .run(
            "const r = document.querySelector('[data-testid=burst-result]');
             if (!r) return { run: 0, calls: 0, failed: 0, medianMs: 0, p99Ms: 0 };
             const d = r.dataset;
             return { run: +d.run, calls: +d.calls, failed: +d.failed,
                      medianMs: +d.medianMs, p99Ms: +d.p99Ms };",
            vec![],
        )
        .await;
    serde_json::from_value(figures).expect("the burst figures")
}

async fn fire(app: &App, n: u64) -> Burst {
    let runs_before = last_burst(app).await.run;
    app.fill("burst-size", &n.to_string()).await;
    app.click("burst-run").await;
    app.wait_until("the burst to finish", || async {
        last_burst(app).await.run > runs_before
    })
    .await;
    last_burst(app).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("not a number of calls: {a}"))
        })
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1000]
    } else {
        sizes
    };

    let (server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    let api = server.api();
    app.click("nav-item-diagnostics").await;
    app.find("diagnostics").await;
    // One warm-up burst so the first figures do not pay for connection setup.
    fire(&app, 10).await;

    println!(
        "refresh burst benchmark: headless Chromium, reference server (debug build), one origin"
    );
    println!(
        "{:>6} | {:>9} | {:>6} | {:>12} | {:>10} | {:>14} | {:>12}",
        "N", "refreshes", "failed", "fresh median", "fresh p99", "expired median", "expired p99"
    );
    for n in sizes {
        let fresh = fire(&app, n).await;
        api.expire_access_tokens("alice").await;
        api.reset_stats().await;
        let expired = fire(&app, n).await;
        let refreshes = api.stats().await.refresh;
        assert_eq!((fresh.calls, expired.calls), (n, n));
        println!(
            "{:>6} | {:>9} | {:>6} | {:>9.1} ms | {:>7.1} ms | {:>11.1} ms | {:>9.1} ms",
            n,
            refreshes,
            fresh.failed + expired.failed,
            fresh.median_ms,
            fresh.p99_ms,
            expired.median_ms,
            expired.p99_ms
        );
    }
}
