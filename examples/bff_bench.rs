//! Benchmark: the Backend-for-Frontend deployment of the end-to-end tests
//! (two server instances behind nginx, their sessions in one
//! `redis-server`, npm `oidc-provider`), signed in once in headless
//! Chromium; then, from this process with that session's cookie:
//! signed-in calls per second through nginx to two instances, straight to
//! one, and through nginx to one; a burst of calls right after the access
//! token expired against the same burst on a fresh token (latency and the
//! refresh grants it cost); and what one session takes in Redis.
//!
//! Run with `scripts/bff-bench.sh [SECONDS [CONCURRENCY [BURST]]]`.

// Shared with the end-to-end tests; the benchmark uses a part of them.
#[allow(dead_code)]
#[path = "../tests/e2e/bff_stack.rs"]
mod bff_stack;
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/e2e/pages.rs"]
mod pages;

use std::time::{Duration, Instant};

use bff_stack::BffStack;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, body::Bytes};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use pages::App;

/// The provider's access tokens live this long (s).
const ACCESS_TTL: u64 = 4;
/// What every call asks for.
const PATH: &str = "/api/app/dashboard/summary";

type Http = Client<HttpConnector, Empty<Bytes>>;

/// One signed-in call; its status and how long it took.
async fn call(http: &Http, base: &str, cookie: &str) -> (u16, Duration) {
    let started = Instant::now();
    let request = Request::get(format!("{base}{PATH}"))
        .header("cookie", cookie)
        .header("x-csrf", "1")
        .body(Empty::new())
        .expect("a valid request");
    let status = match http.request(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            // The whole answer, as a browser would read it.
            let _ = response.into_body().collect().await;
            status
        }
        Err(_) => 0,
    };
    (status, started.elapsed())
}

/// Calls per second over `seconds` with `concurrency` calls in flight;
/// and how many failed.
async fn throughput(base: &str, cookie: &str, seconds: u64, concurrency: usize) -> (f64, u64) {
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let until = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, base, cookie) = (http.clone(), base.to_owned(), cookie.to_owned());
            tokio::spawn(async move {
                let (mut ok, mut failed) = (0u64, 0u64);
                while Instant::now() < until {
                    match call(&http, &base, &cookie).await {
                        (200, _) => ok += 1,
                        _ => failed += 1,
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    let (mut ok, mut failed) = (0, 0);
    for worker in workers {
        let (o, f) = worker.await.expect("a worker");
        ok += o;
        failed += f;
    }
    (ok as f64 / seconds as f64, failed)
}

/// `size` calls at once; their latencies, sorted, and how many failed.
async fn burst(base: &str, cookie: &str, size: usize) -> (Vec<Duration>, usize) {
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(size)
        .build_http();
    let calls: Vec<_> = (0..size)
        .map(|_| {
            let (http, base, cookie) = (http.clone(), base.to_owned(), cookie.to_owned());
            tokio::spawn(async move { call(&http, &base, &cookie).await })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failed = 0;
    for call in calls {
        let (status, took) = call.await.expect("a call");
        if status != 200 {
            failed += 1;
        }
        latencies.push(took);
    }
    latencies.sort();
    (latencies, failed)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn bff_grants(stack: &BffStack) -> u64 {
    stack
        .provider
        .stats()
        .await
        .by_client
        .get("bff")
        .map_or(0, |c| c.refresh_token)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u64>().expect("a number"));
    let seconds = args.next().unwrap_or(5);
    let concurrency = args.next().unwrap_or(16) as usize;
    let size = args.next().unwrap_or(100) as usize;

    let mut stack = BffStack::start(ACCESS_TTL).await;
    let app = App::open_at(&stack.origin).await;
    app.goto("/dashboard").await;
    app.wait_for_path("/login").await;
    app.sign_in_at_bff("admin").await;
    app.wait_for_path("/dashboard").await;
    app.wait_for_cards("ready").await;
    let cookie = app
        .cookie("__Host-bff-session")
        .await
        .expect("the session cookie");
    let cookie = format!("__Host-bff-session={cookie}");

    let key = stack
        .redis
        .session_keys()
        .into_iter()
        .find(|k| k.ends_with(":sess"))
        .expect("the session in Redis");
    let bytes: u64 = stack
        .redis
        .cli(&["memory", "usage", &key])
        .trim()
        .parse()
        .expect("MEMORY USAGE");
    println!(
        "one session in Redis: {bytes} B (MEMORY USAGE), about {} sessions per GiB",
        (1u64 << 30) / bytes
    );

    println!("\nsigned-in calls ({seconds} s each, {concurrency} in flight, GET {PATH}):");
    println!("{:<28} {:>10} {:>8}", "path", "calls/s", "failed");
    let (two, failed) = throughput(&stack.origin, &cookie, seconds, concurrency).await;
    println!("{:<28} {two:>10.0} {failed:>8}", "nginx -> two instances");
    let one_url = stack.instance(0).url.clone();
    let (direct, failed) = throughput(&one_url, &cookie, seconds, concurrency).await;
    println!("{:<28} {direct:>10.0} {failed:>8}", "one instance, direct");

    println!("\nburst of {size} calls through nginx to two instances:");
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>7} {:>7}",
        "token", "median", "p99", "max", "failed", "grants"
    );
    for expired in [true, false] {
        if expired {
            tokio::time::sleep(Duration::from_millis(ACCESS_TTL * 1000 + 500)).await;
        }
        let before = bff_grants(&stack).await;
        let (latencies, failed) = burst(&stack.origin, &cookie, size).await;
        let grants = bff_grants(&stack).await - before;
        println!(
            "{:<28} {:>6.1}ms {:>6.1}ms {:>6.1}ms {failed:>7} {grants:>7}",
            if expired {
                "expired (refresh)"
            } else {
                "fresh"
            },
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().expect("calls")),
        );
    }

    stack.kill(1);
    let (one, failed) = throughput(&stack.origin, &cookie, seconds, concurrency).await;
    println!("\nnginx -> one instance (the other killed): {one:.0} calls/s, {failed} failed");
}
