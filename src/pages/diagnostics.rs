//! Diagnostics: fire a burst of concurrent calls and measure it, and watch
//! the session on its timeline.

use futures_util::future::join_all;
use leptos::prelude::*;

use crate::{
    api::Api,
    components::SessionTimeline,
    format::fixed,
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// The largest burst the page fires.
const MAX_BURST: u32 = 5_000;

/// What a burst measured.
#[derive(Clone, Debug, PartialEq)]
pub struct BurstReport {
    /// Calls fired.
    pub calls: usize,
    /// Calls that failed.
    pub failed: usize,
    /// Silent refreshes that completed during the burst.
    pub refreshes: u64,
    /// Median latency of one call, in ms.
    pub median_ms: f64,
    /// 99th-percentile latency of one call, in ms.
    pub p99_ms: f64,
}

/// The value below which `q` (0..=1) of the `sorted` samples fall
/// (nearest rank); 0 for no samples.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The burst size typed in, if it is a whole number from 1 to [`MAX_BURST`].
pub fn parse_burst_size(typed: &str) -> Option<u32> {
    typed
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_BURST).contains(n))
}

/// A monotonic clock in ms (`performance.now()`).
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Fires `n` calls of a cheap protected resource at once.
async fn burst(api: Api, n: u32) -> BurstReport {
    let refreshes_before = api.client().coordinator().status().refreshes;
    let calls = (0..n).map(|_| {
        let api = api.clone();
        async move {
            let started = now_ms();
            let outcome = api.system_health().await;
            (now_ms() - started, outcome.is_ok())
        }
    });
    let results = join_all(calls).await;
    let mut latencies: Vec<f64> = results.iter().map(|(ms, _)| *ms).collect();
    latencies.sort_by(f64::total_cmp);
    BurstReport {
        calls: results.len(),
        failed: results.iter().filter(|(_, ok)| !ok).count(),
        refreshes: api.client().coordinator().status().refreshes - refreshes_before,
        median_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    }
}

/// A form to fire a burst of concurrent calls, and its figures.
#[component]
pub fn DiagnosticsPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let size = RwSignal::new("100".to_owned());
    let parsed = Memo::new(move |_| parse_burst_size(&size.get()));
    let invalid = move || parsed.get().is_none();
    let run = Action::new_local(move |n: &u32| burst(Api::of(auth), *n));
    let report = run.value();
    view! {
        <div class="page" data-testid="diagnostics">
            <h1>{move || i18n.t(Msg::BurstTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::BurstHelp)}</p>
            // The page checks the size itself, in the page's language.
            <form
                class="inline-form"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    if let Some(n) = parsed.get_untracked() {
                        run.dispatch(n);
                    }
                }
            >
                <label for="burst-size">{move || i18n.t(Msg::BurstSize)}</label>
                <input
                    id="burst-size"
                    data-testid="burst-size"
                    type="number"
                    min="1"
                    max=MAX_BURST
                    aria-invalid=move || invalid().to_string()
                    bind:value=size
                />
                <button type="submit" class="primary" data-testid="burst-run" disabled=move || run.pending().get()>
                    {move || i18n.t(if run.pending().get() { Msg::BurstRunning } else { Msg::BurstRun })}
                </button>
            </form>
            <Show when=invalid>
                <p class="error" role="alert" data-testid="burst-invalid">
                    {move || i18n.t(Msg::BurstSizeInvalid)}
                </p>
            </Show>
            {move || report.get().map(|r| view! {
                <dl
                    class="figures"
                    data-testid="burst-result"
                    data-run=move || run.version().get()
                    data-calls=r.calls
                    data-failed=r.failed
                    data-refreshes=r.refreshes
                    data-median-ms=fixed(r.median_ms, 3)
                    data-p99-ms=fixed(r.p99_ms, 3)
                >
                    <div><dt>{i18n.t(Msg::BurstSize)}</dt><dd>{r.calls}</dd></div>
                    <div><dt>{i18n.t(Msg::BurstFailed)}</dt><dd>{r.failed}</dd></div>
                    <div><dt>{i18n.t(Msg::BurstRefreshes)}</dt><dd>{r.refreshes}</dd></div>
                    <div><dt>{i18n.t(Msg::BurstMedian)}</dt><dd>{format!("{} ms", fixed(r.median_ms, 1))}</dd></div>
                    <div><dt>{i18n.t(Msg::BurstP99)}</dt><dd>{format!("{} ms", fixed(r.p99_ms, 1))}</dd></div>
                </dl>
            })}
            <SessionTimeline/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_sizes_are_whole_numbers_from_one_to_the_maximum() {
        assert_eq!(parse_burst_size(" 100 "), Some(100));
        assert_eq!(parse_burst_size("5000"), Some(5000));
        for bad in ["", "0", "5001", "-3", "1.5", "ten"] {
            assert_eq!(parse_burst_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 0.5), 50.0);
        assert_eq!(percentile(&samples, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
