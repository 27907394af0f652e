//! The Backend-for-Frontend mode (`--bff-issuer`): the browser signs in
//! through this server and holds one session cookie; the tokens stay here.
//!
//! - [`provider`]: the confidential client at the provider (code + PKCE,
//!   the `refresh_token` grant, revocation, end session);
//! - [`routes`]: `/bff/login`, the callback, `/bff/user`, `/bff/logout`;
//! - [`proxy`]: `/api/*` forwarded upstream with the access token, only
//!   with `X-CSRF: 1`, never with the browser's cookies;
//! - [`refresh`]: the access token refreshed before it expires or on the
//!   upstream's `401`, once per session however many calls and instances;
//! - [`store`]: the sessions, in SQLite or Redis, with the refresh lease;
//! - [`session`], [`seal`], [`cookies`]: what is kept, sealed, and sent.

pub mod cookies;
pub mod provider;
pub mod proxy;
pub mod refresh;
pub mod routes;
pub mod seal;
pub mod session;
pub mod store;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use silent_refresh_contract::bff::CSRF_HEADER;
use silent_refresh_contract::{ErrorInfo, ErrorResponse, paths};

use crate::controls::Controls;
use crate::domain::clock::Clock;
use crate::oidc::ResourceServer;
use provider::ProviderClient;
use seal::Sealer;
use store::SessionStore;

/// The path the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/bff/callback";
/// Where the browser lands after signing out at the provider.
pub const SIGNED_OUT_PATH: &str = "/login";

/// Where `/api/*` calls go.
pub enum Upstream {
    /// This server's own API, in process.
    Own,
    /// Another server, below this base URL.
    Remote(String),
}

/// The BFF's settings.
pub struct BffSettings {
    /// The origin browsers reach the BFF at (`--bff-origin`).
    pub origin: String,
    /// The API path prefixes forwarded (`--bff-api-path`).
    pub api_paths: Vec<String>,
    /// Where they go.
    pub upstream: Upstream,
    /// How long a session lasts when the provider does not say how long its
    /// refresh token lives (`--refresh-ttl`).
    pub session_ttl: Duration,
}

/// The BFF: its settings, its client at the provider, its sessions.
pub struct Bff {
    pub(crate) settings: BffSettings,
    pub(crate) provider: ProviderClient,
    /// Reads the user and the roles from the access tokens the provider
    /// issues (its keys, its audience).
    pub(crate) tokens: Arc<ResourceServer>,
    pub(crate) store: Arc<SessionStore>,
    pub(crate) sealer: Sealer,
    pub(crate) clock: Clock,
    pub(crate) controls: Arc<Controls>,
    /// The client of a remote upstream.
    pub(crate) upstream_client: proxy::UpstreamClient,
    /// One refresh at a time per session in this instance: the others wait
    /// here rather than poll the store's lease.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Bff {
    /// The BFF over its parts.
    pub fn new(
        settings: BffSettings,
        provider: ProviderClient,
        tokens: Arc<ResourceServer>,
        store: SessionStore,
        clock: Clock,
        controls: Arc<Controls>,
        upstream_client: proxy::UpstreamClient,
    ) -> Self {
        let sealer = Sealer::new(&provider.settings().client_secret);
        Self {
            settings,
            provider,
            tokens,
            store: Arc::new(store),
            sealer,
            clock,
            controls,
            upstream_client,
            flights: Mutex::default(),
        }
    }

    /// The in-instance lock of the session under `key`'s refreshes.
    fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget the locks nobody holds or waits for.
        flights.retain(|_, flight| Arc::strong_count(flight) > 1);
        Arc::clone(flights.entry(key.to_owned()).or_default())
    }
}

/// What the BFF's handlers share: the BFF, and this server's own API for
/// the calls that go there.
#[derive(Clone)]
pub struct BffState {
    /// The BFF.
    pub bff: Arc<Bff>,
    /// This server's API ([`Upstream::Own`]).
    pub own_api: Router,
    /// The largest request body forwarded.
    pub body_limit: usize,
}

/// Refuses a call that is not from this site's pages: without `X-CSRF: 1`
/// (a static header another site's page cannot send without a CORS
/// preflight, which this server never grants), or with another `Origin`.
pub fn same_site_call(headers: &HeaderMap, origin: &str) -> Result<(), BffError> {
    let (name, value) = CSRF_HEADER;
    let marked = headers.get(name).is_some_and(|v| v == value);
    let foreign = headers
        .get(ORIGIN)
        .is_some_and(|o| o.as_bytes() != origin.as_bytes());
    if marked && !foreign {
        Ok(())
    } else {
        Err(BffError::CrossSite)
    }
}

/// How the BFF's routes are mounted; see [`crate::http::app`].
pub fn router(state: BffState) -> Router {
    Router::new()
        .route(paths::BFF_LOGIN, get(routes::login))
        .route(CALLBACK_PATH, get(routes::callback))
        .route(paths::BFF_USER, get(routes::user))
        .route(paths::BFF_LOGOUT, post(routes::logout))
        .route("/api/{*rest}", any(proxy::forward))
        .with_state(state)
}

/// Everything a BFF request can fail with; rendered in ABP's error shape.
#[derive(Debug, thiserror::Error)]
pub enum BffError {
    /// No session (never signed in, signed out, expired, or ended by the
    /// provider): `401`.
    #[error("not signed in")]
    SignedOut,
    /// A call without `X-CSRF: 1`, or from another origin: `403`.
    #[error("the call is not from this site's pages")]
    CrossSite,
    /// `/bff/login`'s `returnUrl` is not a path of this site: `400`.
    #[error("returnUrl must be a path of this site")]
    BadReturnUrl,
    /// A request body over the limit: `413`.
    #[error("the request body is too large")]
    TooLarge,
    /// An `/api/` path that is not forwarded: `404`.
    #[error("{0} is not forwarded")]
    NotForwarded(String),
    /// The session store or the provider cannot be reached: `503`; the
    /// session is kept.
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
}

impl IntoResponse for BffError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            Self::SignedOut => (
                StatusCode::UNAUTHORIZED,
                "Bff:SignedOut",
                "You are signed out.".to_owned(),
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                "Bff:CrossSite",
                "This call must come from this site's pages (with the X-CSRF header).".to_owned(),
            ),
            Self::BadReturnUrl => (
                StatusCode::BAD_REQUEST,
                "Bff:BadReturnUrl",
                self.to_string(),
            ),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Bff:TooLarge",
                self.to_string(),
            ),
            Self::NotForwarded(_) => (StatusCode::NOT_FOUND, "Bff:NotForwarded", self.to_string()),
            Self::Unavailable(reason) => {
                tracing::warn!(reason, "BFF call failed as unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Bff:Unavailable",
                    "The service is temporarily unavailable; try again in a moment.".to_owned(),
                )
            }
        };
        let body = ErrorResponse {
            success: None,
            error: ErrorInfo {
                code: Some(code.to_owned()),
                message: Some(message),
                ..ErrorInfo::default()
            },
        };
        (status, Json(body)).into_response()
    }
}

impl From<store::Unavailable> for BffError {
    fn from(error: store::Unavailable) -> Self {
        Self::Unavailable(error.to_string())
    }
}
