//! The banner that says the service cannot be reached and when the next
//! try is: while the browser is offline, or after refreshes failed for a
//! transient reason (the session is kept). It goes by itself once a call or
//! a refresh gets through again.

use leptos::{ev, prelude::*};

use super::clock::{seconds_until, use_now};
use crate::{
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// "Offline — reconnecting", with the next retry's countdown.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let now = use_now();
    let online = RwSignal::new(!silent_refresh_web::is_offline());
    let went_online = window_event_listener(ev::online, move |_| online.set(true));
    let went_offline = window_event_listener(ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        went_online.remove();
        went_offline.remove();
    });
    let status = move || auth.access.refresh_status();
    let shown = move || !online.get() || status().failures > 0;
    let next_try = move || {
        status()
            .retry_at_ms
            .map(|at| seconds_until(at as f64, now.get()).max(0))
            .map(|secs| {
                format!(
                    "{} {secs}{}",
                    i18n.t(Msg::NextTryIn),
                    i18n.t(Msg::SecondsUnit)
                )
            })
    };
    view! {
        <Show when=shown>
            <p class="banner warning" role="status" data-testid="offline-banner">
                {i18n.t(Msg::OfflineReconnecting)}
                " "
                // The banner is announced; its ticking countdown is not.
                <span data-testid="offline-next-try" aria-live="off">{next_try}</span>
            </p>
        </Show>
    }
}
