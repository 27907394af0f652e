//! The HTTP API: one router made of one module per area.

mod account;
mod app_config;
mod error;
mod extract;
mod guard;
mod identity;
mod oauth;
mod resources;
mod static_files;
mod test_controls;
#[cfg(test)]
mod testing;
mod tracking;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::{MethodRouter, any};
use silent_refresh_contract::test_controls::Endpoint;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;

use crate::state::AppState;

/// Largest accepted request body; larger ones get `413`.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The whole application: the API under `/api`, the OAuth2 token endpoint,
/// and the static app for every other path. Every route is mounted at its
/// path in the contract's [`paths`](silent_refresh_contract::paths). Unknown
/// `/api` paths get `404` and wrong methods `405`, both in the ABP error
/// shape.
pub fn app(state: AppState) -> Router {
    let mut routes = Router::new()
        .merge(account::router(&state))
        .merge(app_config::router(&state))
        .merge(resources::router(&state))
        .merge(identity::router(&state))
        .merge(oauth::router(&state));
    if state.config.test_controls {
        routes = routes.merge(test_controls::router());
    }
    routes
        // Any other API path is an error, never the app's index page.
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback_service(static_files::service(&state.config.static_dir))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A token endpoint: counted (and faultable) as `endpoint`, and every answer
/// `no-store`, injected faults included (`no_store` is the outer layer).
fn token_endpoint(
    route: MethodRouter<AppState>,
    state: &AppState,
    endpoint: Endpoint,
) -> MethodRouter<AppState> {
    route
        .route_layer(from_fn_with_state(
            (state.clone(), endpoint),
            tracking::track,
        ))
        .route_layer(from_fn(no_store))
}

/// Middleware for token responses: `Cache-Control: no-store` and
/// `Pragma: no-cache` (RFC 6749 §5.1).
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn api_not_found() -> AppError {
    AppError::NotFound("There is no API endpoint at this path.".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
