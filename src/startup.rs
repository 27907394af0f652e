//! Start-up: the wiring of the session layer, how the page was loaded, and
//! the role refresh on reload.

use std::time::Duration;

use leptos::prelude::{LocalStorage, StoredValue};
use silent_refresh_core::{CoordinatorOptions, KeepAliveCheck};
use silent_refresh_web::{
    ApiClient, KeepAlive, SessionRecord, SharedRefresher, TokenRefresher, Transport, Wake,
    abp::{AbpSettings, TENANT_HEADER},
    oidc::{OidcClient, OidcSettings},
};
use wasm_bindgen::JsCast;
use web_sys::{NavigationType, PerformanceNavigationTiming};

use crate::{
    api::Api,
    config::{self, AuthMode, RefreshMode},
    deployment::Deployment,
    i18n::I18n,
    stores::{AccessStore, AuthStore, SessionLog, SessionTokens, UserStore, follow_other_tabs},
};

/// The name of the app's shared session record (its IndexedDB database and
/// `localStorage` mirror) and of its refresh Web Lock.
pub const SESSION_NAME: &str = "silent-refresh";

/// How often the proactive refresh's deadline is checked against the wall
/// clock (besides every wake-up event). A quarter second, so that even a
/// 2 s token is refreshed close to its deadline, not a tick after it (a
/// hidden tab's timers are slowed to once a second by the browser anyway).
const KEEP_ALIVE_TICK: Duration = Duration::from_millis(250);

/// Whether a tab hidden for `hidden_ms` fetches the roles again when shown.
fn recheck_after_hidden(hidden_ms: u64) -> bool {
    config::ROLE_RECHECK_AFTER_HIDDEN_MINUTES
        .is_some_and(|minutes| hidden_ms >= minutes.saturating_mul(60_000))
}

/// Whether the page is hidden (another tab in front, a minimised window).
fn is_hidden() -> bool {
    web_sys::window()
        .and_then(|window| window.document())
        .is_some_and(|document| document.hidden())
}

/// The identity provider of an `AUTH_MODE=oidc` build, its callback on
/// this page's origin.
fn configured_provider(deployment: &Deployment) -> Option<OidcClient> {
    if config::AUTH_MODE != AuthMode::Oidc {
        return None;
    }
    let origin = web_sys::window()?.location().origin().ok()?;
    let settings = OidcSettings {
        issuer: deployment.oidc_issuer.clone(),
        client_id: deployment.oidc_client_id.clone(),
        scopes: deployment.oidc_scopes.clone(),
        redirect_uri: format!("{origin}{}", config::OIDC_REDIRECT_PATH),
    };
    // The provider's endpoints are absolute URLs: no API base, and none of
    // the API's headers (a provider need not allow them cross-origin).
    let transport = Transport::new("", config::REQUEST_TIMEOUT_MS);
    Some(OidcClient::new(settings, transport))
}

/// The ABP server's client of an `AUTH_MODE=abp` build.
fn configured_abp(deployment: &Deployment) -> Option<AbpSettings> {
    (config::AUTH_MODE == AuthMode::Abp).then(|| AbpSettings {
        client_id: deployment.abp_client_id.clone(),
        scopes: deployment.abp_scopes.clone(),
    })
}

/// The refresher for the refresh protocol of the configuration.
fn configured_refresher(
    transport: Transport,
    deployment: &Deployment,
    provider: Option<&OidcClient>,
    abp: Option<&AbpSettings>,
) -> TokenRefresher {
    match (provider, abp, config::REFRESH_MODE) {
        (Some(provider), _, _) => TokenRefresher::oidc(provider.clone()),
        (None, Some(abp), _) => TokenRefresher::abp(transport, abp.clone()),
        (None, None, RefreshMode::Seed) => TokenRefresher::seed(transport),
        (None, None, RefreshMode::OAuth2) => TokenRefresher::oauth2(
            transport,
            &deployment.oauth2_token_url,
            &deployment.oauth2_client_id,
        ),
    }
}

/// The API's transport: below the API base, with the headers ABP's own
/// clients send on every call: the session's tenant (`__tenant`, so every
/// tab sends the one chosen at login), the page's language
/// (`Accept-Language`, so the server answers in it) and
/// `X-Requested-With: XMLHttpRequest` (so a host whose default scheme is
/// cookies answers `401`, not a redirect to its login page).
fn api_transport(deployment: &Deployment, access: AccessStore, i18n: I18n) -> Transport {
    let headers = move || {
        let mut headers = vec![
            (
                "Accept-Language",
                i18n.locale_untracked().accept_language().to_owned(),
            ),
            ("X-Requested-With", "XMLHttpRequest".to_owned()),
        ];
        if let Some(tenant) = access.session_untracked().and_then(|s| s.tenant) {
            headers.push((TENANT_HEADER, tenant));
        }
        headers
    };
    Transport::new(&deployment.api_base, config::REQUEST_TIMEOUT_MS)
        .with_headers(std::rc::Rc::new(headers))
}

/// Wires the app once: the stores over the shared session record, following
/// other tabs, and the API client over the deployment's settings, whose
/// refreshes run once across tabs and are written to the record; a refresh
/// starts ahead of each expiry, checked on a tick and on every wake-up.
pub fn connect(deployment: &Deployment, i18n: I18n) -> AuthStore {
    let record = SessionRecord::new(SESSION_NAME);
    let timeline = SessionLog::default();
    timeline.follow_connection();
    let access = AccessStore::new(record.clone(), timeline);
    let user = UserStore::from_storage();
    follow_other_tabs(access, user);
    let transport = api_transport(deployment, access, i18n);
    let provider = configured_provider(deployment);
    let abp = configured_abp(deployment);
    let shared = SharedRefresher::new(
        configured_refresher(
            transport.clone(),
            deployment,
            provider.as_ref(),
            abp.as_ref(),
        ),
        record,
        SESSION_NAME,
    );
    let client = ApiClient::new(
        SessionTokens::new(access, user),
        transport,
        shared.clone(),
        CoordinatorOptions::default(),
        move |status| access.set_refresh_status(status),
    );
    let coordinator = client.coordinator().clone();
    let auth = AuthStore::new(access, user, Api::new(client), shared);
    let auth = match (provider, abp) {
        (Some(provider), _) => auth.with_provider(provider),
        (None, Some(abp)) => auth.with_abp(abp),
        (None, None) => auth,
    };
    let keep_alive = KeepAlive::start(KEEP_ALIVE_TICK, move |wake| {
        if let Wake::Shown { hidden_ms } = wake
            && recheck_after_hidden(hidden_ms)
            && access.is_logged_in_untracked()
        {
            auth.recheck_roles();
        }
        coordinator.keep_alive(KeepAliveCheck {
            refresh_due: access.refresh_due(js_sys::Date::now()),
            came_back: wake != Wake::Tick,
            hidden: is_hidden(),
        });
    });
    // Stopped, with its timer and listeners, when the owner goes.
    StoredValue::<_, LocalStorage>::new_local(keep_alive);
    auth
}

/// How the page was loaded (`PerformanceNavigationTiming.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavigationKind {
    /// A link, a typed address, a new tab.
    Navigate,
    /// The reload button or `location.reload()`.
    Reload,
    /// Back or forward through history.
    BackForward,
    /// A prerendered page.
    Prerender,
}

/// The type of the page's navigation entry; `None` when the browser has no
/// Navigation Timing entry (or no Performance API at all).
pub fn navigation_kind() -> Option<NavigationKind> {
    let performance = web_sys::window()?.performance()?;
    let has_entries_api = js_sys::Reflect::get(&performance, &"getEntriesByType".into())
        .is_ok_and(|f| f.is_function());
    if !has_entries_api {
        return None;
    }
    let entry = performance.get_entries_by_type("navigation").get(0);
    let timing = entry.dyn_into::<PerformanceNavigationTiming>().ok()?;
    match timing.type_() {
        NavigationType::Navigate => Some(NavigationKind::Navigate),
        NavigationType::Reload => Some(NavigationKind::Reload),
        NavigationType::BackForward => Some(NavigationKind::BackForward),
        NavigationType::Prerender => Some(NavigationKind::Prerender),
        _ => None,
    }
}

/// What start-up knows about the stored session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredSession {
    /// Logged out.
    None,
    /// A session, and the stored user (with roles) it belongs to.
    WithUser,
    /// A session whose stored user is missing, unreadable or someone else's.
    WithoutUser,
}

/// Whether start-up fetches the roles again: on a reload with the
/// `REFRESH_ROLE` flag on, or whenever the session's user is not known
/// (without the roles every guarded page would be forbidden).
pub fn should_refresh_roles(
    navigation: Option<NavigationKind>,
    refresh_role: bool,
    stored: StoredSession,
) -> bool {
    match stored {
        StoredSession::None => false,
        StoredSession::WithoutUser => true,
        StoredSession::WithUser => refresh_role && navigation == Some(NavigationKind::Reload),
    }
}

/// Starts the role refresh if this start-up calls for one. Guarded routes
/// wait from this call on, so it runs before the router mounts.
pub fn refresh_roles_if_needed(auth: AuthStore) {
    let stored = match auth.access.session_untracked() {
        None => StoredSession::None,
        Some(_) if auth.user_matches_session() => StoredSession::WithUser,
        Some(_) => StoredSession::WithoutUser,
    };
    if should_refresh_roles(navigation_kind(), config::REFRESH_ROLE, stored) {
        auth.refresh_roles();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OTHER_NAVIGATIONS: [Option<NavigationKind>; 4] = [
        None,
        Some(NavigationKind::Navigate),
        Some(NavigationKind::BackForward),
        Some(NavigationKind::Prerender),
    ];

    #[test]
    fn only_a_reload_with_the_flag_and_a_session_refreshes() {
        let reload = Some(NavigationKind::Reload);
        assert!(should_refresh_roles(reload, true, StoredSession::WithUser));
        for navigation in OTHER_NAVIGATIONS {
            assert!(
                !should_refresh_roles(navigation, true, StoredSession::WithUser),
                "{navigation:?}"
            );
        }
        assert!(!should_refresh_roles(
            reload,
            false,
            StoredSession::WithUser
        ));
        assert!(!should_refresh_roles(reload, true, StoredSession::None));
    }

    #[test]
    fn a_session_without_its_user_always_fetches_the_roles() {
        for navigation in OTHER_NAVIGATIONS {
            for flag in [false, true] {
                assert!(should_refresh_roles(
                    navigation,
                    flag,
                    StoredSession::WithoutUser
                ));
            }
        }
    }
}
