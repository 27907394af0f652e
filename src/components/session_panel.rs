//! The session panel: watch a silent refresh happen.

use leptos::prelude::*;

use super::clock::{seconds_until, use_now};
use crate::{
    format::span,
    i18n::{Msg, use_i18n},
    routes,
    stores::use_auth,
};

/// The access token's remaining lifetime, the number of silent refreshes so
/// far and the calls waiting for a refresh right now.
#[component]
pub fn SessionPanel() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let now = use_now();
    let secs_left = move |at_ms: Option<f64>| at_ms.map(|at| seconds_until(at, now.get()));
    let remaining = move || secs_left(auth.access.expires_at_ms());
    let remaining_text = move || match remaining() {
        Some(secs) if secs > 0 => format!("{secs}{}", i18n.t(Msg::SecondsUnit)),
        Some(_) => i18n.t(Msg::Expired).to_owned(),
        None => "–".to_owned(),
    };
    let status = move || auth.access.refresh_status();
    let seconds_text = move |secs: Option<i64>| match secs {
        Some(secs) => format!("{}{}", secs.max(0), i18n.t(Msg::SecondsUnit)),
        None => "–".to_owned(),
    };
    let next_refresh_text = move || seconds_text(secs_left(auth.access.refresh_deadline_ms()));
    let session_ends_text =
        move || secs_left(auth.access.refresh_expires_at_ms()).map_or_else(|| "–".to_owned(), span);
    let backoff_text = move || {
        let status = status();
        let next = status
            .retry_at_ms
            .map(|at| seconds_until(at as f64, now.get()));
        match status.failures {
            0 => i18n.t(Msg::Connected).to_owned(),
            failures => format!(
                "{} × {failures}, {} {}",
                i18n.t(Msg::FailedRefreshes),
                i18n.t(Msg::NextTryIn),
                seconds_text(next)
            ),
        }
    };
    view! {
        // No live region: its countdowns tick twice a second, and a screen
        // reader would read out every tick.
        <aside class="session-panel" data-testid="session-panel" aria-labelledby="session-panel-title">
            <h2 id="session-panel-title">{move || i18n.t(Msg::Session)}</h2>
            <dl>
                <dt>{move || i18n.t(Msg::ExpiresIn)}</dt>
                <dd data-testid="session-expires-in">{remaining_text}</dd>
                <dt>{move || i18n.t(Msg::SilentRefreshes)}</dt>
                <dd data-testid="session-refreshes">{move || status().refreshes}</dd>
                <dt>{move || i18n.t(Msg::CallsWaiting)}</dt>
                <dd data-testid="session-waiting">{move || status().waiting}</dd>
                <dt>{move || i18n.t(Msg::NextRefreshIn)}</dt>
                <dd data-testid="session-next-refresh">{next_refresh_text}</dd>
                <dt>{move || i18n.t(Msg::SessionEndsIn)}</dt>
                <dd data-testid="session-ends-in">{session_ends_text}</dd>
                <dt>{move || i18n.t(Msg::Connection)}</dt>
                <dd data-testid="session-backoff">{backoff_text}</dd>
                <dt>{move || i18n.t(Msg::UnauthorizedSeen)}</dt>
                <dd data-testid="session-unauthorized">{move || status().unauthorized}</dd>
            </dl>
            <a class="timeline-link" href=format!("{}#session-timeline", routes::DIAGNOSTICS.href) data-testid="session-timeline-link">
                {move || i18n.t(Msg::TimelineLink)}
            </a>
            <Show when=move || status().refreshing>
                <p class="refreshing" data-testid="session-refreshing">
                    {i18n.t(Msg::Refreshing)}
                </p>
            </Show>
        </aside>
    }
}
