//! Soak benchmark: in headless Chromium against the real server with 2 s
//! access tokens, reload the dashboard every 2 s for ten minutes (or the
//! seconds given) and print the refreshes the server saw, the `401`s and
//! errors the page met, and the JS heap and wasm memory at the start and
//! the end (after a garbage collection).
//!
//! The reloading runs in the page itself: every WebDriver command leaves
//! its answer in the page's heap (ChromeDriver keeps it), which would make
//! the benchmark measure ChromeDriver. Only the figures are read over
//! WebDriver, and the memory over the DevTools protocol.
//!
//! Run with `scripts/soak.sh [SECONDS]` (default 600).

// Shared with the end-to-end tests; the benchmark uses a part of them.
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/e2e/pages.rs"]
mod pages;

use std::time::Duration;

use harness::ServerOptions;
use pages::App;
use serde_json::json;

/// Keeps the wasm instance Trunk starts where the page can read its memory.
const KEEP_WASM: &str =
    "addEventListener('TrunkApplicationStarted', e => { window.__wasm = e.detail.wasm; });";

/// Clicks "reload all" every 2 s, waiting each time for the five cards to
/// settle, and counts in `window.__soak` until `window.__soak.stop`.
const RELOAD_LOOP: &str = "
  window.__soak = { reloads: 0, failedCards: 0, stop: false, done: false };
  const settled = () => {
    const cards = [...document.querySelectorAll('[data-testid^=\"card-\"]')];
    return cards.length === 5 && cards.every(c => c.dataset.state !== 'loading') ? cards : null;
  };
  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
  (async () => {
    while (!window.__soak.stop) {
      document.querySelector('[data-testid=\"dashboard-reload\"]').click();
      await sleep(0);
      let cards;
      while (!(cards = settled())) await sleep(50);
      window.__soak.failedCards += cards.filter(c => c.dataset.state !== 'ready').length;
      window.__soak.reloads += 1;
      await sleep(2000);
    }
    window.__soak.done = true;
  })();";

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

    app.run(RELOAD_LOOP, vec![]).await;
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    app.run("window.__soak.stop = true", vec![]).await;
    app.wait_until("the last reload", || async {
        app.run("return window.__soak.done", vec![]).await == json!(true)
    })
    .await;
    let counts = app.run("return window.__soak", vec![]).await;
    let reloads = counts["reloads"].as_u64().unwrap_or(0);
    let failed_cards = counts["failedCards"].as_u64().unwrap_or(0);

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
