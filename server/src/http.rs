//! The HTTP API: one router made of one module per area.

mod account;
mod app_config;
mod client;
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
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;

use crate::state::AppState;

/// Largest accepted request body; larger ones get `413`.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The whole application: the API under `/api`, the OAuth2 token endpoint,
/// and the static app for every other path. Every route is mounted at its
/// path in the contract's [`paths`](silent_refresh_contract::paths). Unknown
/// `/api` paths, in any letter case, get `404` and wrong methods `405`, both
/// in the ABP error shape. Every API answer is `Cache-Control: no-store`.
pub fn app(state: AppState) -> Router {
    let mut api = Router::new()
        .merge(account::router(&state))
        .merge(app_config::router(&state))
        .merge(resources::router(&state))
        .merge(identity::router(&state))
        .merge(oauth::router(&state));
    if state.config.test_controls {
        api = api.merge(test_controls::router());
    }
    let api = api
        // Any other API path is an error, never the app's index page.
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        // User data (the configuration carries the e-mail address) must not
        // stay in a browser's or a proxy's cache.
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    api.fallback_service(static_files::service(&state.config.static_dir))
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
    api_path_not_found()
}

/// The answer for an API path that has no endpoint.
fn api_path_not_found() -> AppError {
    AppError::NotFound("There is no API endpoint at this path.".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode, header};
    use serde_json::json;

    use crate::http::testing::TestApp;

    /// Issue 10.5: answers that carry user data must not be stored by a
    /// browser or a shared cache.
    #[tokio::test]
    async fn authenticated_api_answers_are_no_store() {
        let app = TestApp::new();
        let admin = app.admin().await;
        let alice_id = app.alice().await.user_id;
        let roles_path = format!("/api/identity/users/{alice_id}/roles");
        for (method, path, body) in [
            (Method::GET, "/api/abp/application-configuration", None),
            (Method::GET, "/api/identity/users", None),
            (Method::GET, "/api/identity/roles", None),
            (Method::GET, "/api/app/orders", None),
            (Method::GET, "/api/app/reports", None),
            (Method::PUT, &roles_path, Some(json!({ "roles": ["user"] }))),
        ] {
            let response = app.call(method, path, Some(&admin.token), body).await;
            assert!(response.status.is_success(), "{path}: {}", response.text());
            assert_eq!(
                response.header(header::CACHE_CONTROL),
                Some("no-store"),
                "{path}"
            );
        }
        // Refusals and the anonymous configuration are not stored either.
        for (path, token) in [
            ("/api/identity/users", None),
            ("/api/abp/application-configuration", Some("not-a-jwt")),
            ("/api/abp/application-configuration", None),
            ("/api/nothing/here", None),
        ] {
            let response = app.get(path, token).await;
            assert_eq!(
                response.header(header::CACHE_CONTROL),
                Some("no-store"),
                "{path}"
            );
        }
    }

    /// Issue 10.6: the API is matched case-sensitively, so a case variant
    /// used to miss it and get the app's index page.
    #[tokio::test]
    async fn api_paths_in_any_case_or_spelling_get_an_abp_404_not_the_app() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("index.html"), "<!doctype html>app").expect("index");
        let static_dir = dir.path().to_path_buf();
        let app = TestApp::with(|c| c.static_dir = static_dir);
        let admin = app.admin().await;
        for path in [
            "/API/identity/users",
            "/Api/app/orders",
            "/aPI",
            "/API/",
            "/%61pi/identity/users",
            "/%41PI/app/orders",
            "//api/identity/users",
            "/API/abp/application-configuration?x=1",
        ] {
            let response = app.get(path, Some(&admin.token)).await;
            response.assert_abp_error(StatusCode::NOT_FOUND, "not_found");
            assert_eq!(
                response.header(header::CACHE_CONTROL),
                Some("no-store"),
                "{path}"
            );
        }
        // Paths that merely start with the letters are the app's.
        for path in ["/apis", "/apiary/x", "/dashboard/api"] {
            let response = app.get(path, None).await;
            assert_eq!(response.status, StatusCode::OK, "{path}");
            assert_eq!(response.text(), "<!doctype html>app", "{path}");
        }
    }
}
