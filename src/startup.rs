//! Start-up: the session layer's options for this build and deployment.

use std::rc::Rc;

use silent_refresh_leptos::{AuthStore, Backend, SessionOptions, timeline};
use silent_refresh_web::{abp::AbpSettings, oidc::OidcSettings};

use crate::{
    config::{self, AuthMode, RefreshMode},
    deployment::Deployment,
    i18n::I18n,
};

/// The name of the app's shared session record (its IndexedDB database and
/// `localStorage` mirror) and of its refresh Web Lock.
pub const SESSION_NAME: &str = "silent-refresh";

/// The backend of this build (`AUTH_MODE`, `REFRESH_MODE`) at the
/// deployment's addresses. A constant choice: a build calls one of the
/// constructors, and keeps only that backend's wiring.
fn backend(deployment: &Deployment) -> Backend {
    match (config::AUTH_MODE, config::REFRESH_MODE) {
        (AuthMode::Oidc, _) => {
            let origin = web_sys::window()
                .and_then(|window| window.location().origin().ok())
                .unwrap_or_default();
            Backend::oidc(OidcSettings {
                issuer: deployment.oidc_issuer.clone(),
                client_id: deployment.oidc_client_id.clone(),
                scopes: deployment.oidc_scopes.clone(),
                redirect_uri: format!("{origin}{}", config::OIDC_REDIRECT_PATH),
            })
        }
        (AuthMode::Abp, _) => Backend::abp(AbpSettings {
            client_id: deployment.abp_client_id.clone(),
            scopes: deployment.abp_scopes.clone(),
        }),
        (AuthMode::Bff, _) => Backend::bff(),
        (AuthMode::Seed, RefreshMode::Seed) => Backend::seed(),
        (AuthMode::Seed, RefreshMode::OAuth2) => {
            Backend::oauth2(&deployment.oauth2_token_url, &deployment.oauth2_client_id)
        }
    }
}

/// The session layer as this build and `deployment` configure it. Besides
/// the bearer token every call carries the headers ABP's own clients send:
/// the page's language (`Accept-Language`, so the server answers in it)
/// and `X-Requested-With: XMLHttpRequest` (so a host whose default scheme
/// is cookies answers `401`, not a redirect to its login page).
pub fn session_options(deployment: &Deployment, i18n: I18n) -> SessionOptions {
    let headers = move || {
        vec![
            (
                "Accept-Language",
                i18n.locale_untracked().accept_language().to_owned(),
            ),
            ("X-Requested-With", "XMLHttpRequest".to_owned()),
        ]
    };
    SessionOptions {
        api_base: deployment.api_base.clone(),
        request_timeout_ms: config::REQUEST_TIMEOUT_MS,
        headers: Some(Rc::new(headers)),
        refresh_roles_on_reload: config::REFRESH_ROLE,
        recheck_roles_after_hidden_ms: config::ROLE_RECHECK_AFTER_HIDDEN_MINUTES
            .map(|minutes| minutes.saturating_mul(60_000)),
        share_roles_across_tabs: config::ROLE_SHARE_ACROSS_TABS,
        timeline_capacity: timeline::CAPACITY,
        ..SessionOptions::new(SESSION_NAME, backend(deployment))
    }
}

/// Wires the session layer once for this build and `deployment` (and
/// provides it: see [`AuthStore::provide`]); with a session, the role
/// refresh on reload starts here, before the router mounts.
pub fn connect(deployment: &Deployment, i18n: I18n) -> AuthStore {
    AuthStore::provide(session_options(deployment, i18n))
}
