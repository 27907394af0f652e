//! Soak benchmark: in headless Chromium against the real server with 2 s
//! access tokens, reload the dashboard every 2 s for ten minutes (or the
//! seconds given) and print the refreshes the server saw, the `401`s and
//! errors the page met, and the JS heap and wasm memory at the start and
//! the end (after a garbage collection).
//!
//! Run with `scripts/soak.sh [SECONDS]` (default 600).

// Shared with the end-to-end tests; the benchmark uses a part of them.
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/e2e/pages.rs"]
mod pages;

use std::time::{Duration, Instant};

use harness::ServerOptions;
use pages::App;
use serde_json::json;

/// Keeps the wasm instance Trunk starts where the page can read its memory.
const KEEP_WASM: &str =
    "addEventListener('TrunkApplicationStarted', e => { window.__wasm = e.detail.wasm; });";

/// `(JS heap used, wasm memory)` in KiB, after a garbage collection.
async fn memory(app: &App) -> (u64, u64) {
    app.devtools("HeapProfiler.collectGarbage", json!({})).await;
    let heap = app.devtools("Runtime.getHeapUsage", json!({})).await;
    let wasm = app
        .run(
            "return window.__wasm ? window.__wasm.memory.buffer.byteLength : 0",
            vec![],
        )
        .await;
    let kib = |bytes: Option<f64>| bytes.unwrap_or(0.0) as u64 / 1024;
    (kib(heap["usedSize"].as_f64()), kib(wasm.as_f64()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("not a number of seconds: {a}"))
        })
        .unwrap_or(600);
    let options = ServerOptions {
        access_ttl: "2s",
        ..ServerOptions::default()
    };
    let server = harness::Server::start(options);
    let api = server.api();
    let app = App::open(&server).await;
    app.devtools(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": KEEP_WASM }),
    )
    .await;
    app.reload().await;
    app.log_in_to_dashboard("alice", "alice123").await;
    api.reset_stats().await;
    let (heap_start, wasm_start) = memory(&app).await;

    let started = Instant::now();
    let (mut reloads, mut failed_cards) = (0_u64, 0_usize);
    while started.elapsed() < Duration::from_secs(seconds) {
        let cards = app.reload_cards().await;
        failed_cards += cards
            .iter()
            .filter(|(_, state, _)| state != "ready")
            .count();
        reloads += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    let (heap_end, wasm_end) = memory(&app).await;
    let unauthorized = app.text("session-unauthorized").await;
    let stats = api.stats().await;
    println!("soak benchmark: {seconds} s, 2 s access tokens, the dashboard reloaded every 2 s");
    println!(
        "reloads          {reloads} ({} calls at the server)",
        stats.resource
    );
    println!("refreshes        {}", stats.refresh);
    println!("401s in the page {unauthorized}");
    println!("failed cards     {failed_cards}");
    println!(
        "logins           {} (none means the session stayed alive)",
        stats.login
    );
    println!("JS heap          {heap_start} KiB -> {heap_end} KiB");
    println!("wasm memory      {wasm_start} KiB -> {wasm_end} KiB");
}
