//! The HTTP API: one router made of one module per area.

mod account;
mod app_config;
mod client;
mod connect;
mod error;
mod extract;
mod guard;
mod idempotency;
mod identity;
mod permissions;
mod resources;
mod static_files;
mod tenants;
mod test_controls;
#[cfg(test)]
pub(crate) mod testing;
mod tracking;

use axum::BoxError;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{
    ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH,
    CONTENT_TYPE, PRAGMA,
};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{MethodRouter, any};
use silent_refresh_contract::test_controls::Endpoint;
use tower::timeout::TimeoutLayer;
use tower::timeout::error::Elapsed;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use connect::TENANT_HEADER;
pub use error::AppError;
pub use tracking::DropConnection;

use std::sync::Arc;

use crate::bff;
use crate::state::AppState;

/// Largest accepted request body; larger ones get `413`.
pub const BODY_LIMIT: usize = 16 * 1024;
/// Longest accepted request target (path and query); longer ones get `414`.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest accepted request header (all fields, names and values); larger
/// ones get `431`.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

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
        .merge(permissions::router(&state))
        .merge(tenants::router())
        .merge(connect::router(&state));
    if state.config.test_controls {
        api = api.merge(test_controls::router()).layer(from_fn_with_state(
            state.clone(),
            test_controls::log_request,
        ));
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
    let api = match cors(&state.config.cors_origins) {
        Some(cors) => api.layer(cors),
        None => api,
    };
    let api: Router = match &state.bff {
        None => api.with_state(state.clone()),
        Some(bff) => {
            // Browsers reach the API only through the BFF; the test controls
            // stay where the harness calls them.
            let own = api.with_state(state.clone());
            let routes = bff::router(bff::BffState {
                bff: Arc::clone(bff),
                own_api: own.clone(),
                body_limit: BODY_LIMIT,
            });
            if state.config.test_controls {
                let controls = move |request: Request| own.clone().oneshot(request);
                routes.route("/api/_test/{*rest}", any(controls))
            } else {
                routes
            }
        }
    };
    api.fallback_service(static_files::service(
        &state.config.static_dir,
        state.config.oidc_issuer.as_deref(),
        state
            .provider
            .is_none()
            .then(crate::seed::deployment_document),
    ))
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .layer(from_fn(refuse_oversize_requests))
    // The whole request, body included, must arrive and be answered in
    // time; the connection loop's header timeout covers the head only.
    .layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(request_timed_out))
            .layer(TimeoutLayer::new(state.config.request_timeout)),
    )
    // Never recompresses an answer that has a `Content-Encoding` (a
    // precompressed file).
    .layer(CompressionLayer::new())
    .layer(from_fn(static_files::weaken_etag_when_encoded))
    .layer(TraceLayer::new_for_http())
}

/// A token endpoint: counted (and faultable) as `endpoint`, and every answer
/// `no-store`, injected faults included (`no_store` is the outer layer);
/// with `--oidc-issuer` refused (see [`own_tokens_only`]).
fn token_endpoint(
    route: MethodRouter<AppState>,
    state: &AppState,
    endpoint: Endpoint,
) -> MethodRouter<AppState> {
    route
        .route_layer(from_fn_with_state(state.clone(), own_tokens_only))
        .route_layer(from_fn_with_state(
            (state.clone(), endpoint),
            tracking::track,
        ))
        .route_layer(from_fn(no_store))
}

/// CORS for `origins` (`--cors-origin`), `None` when there are none: a
/// page on such an origin may call the API with a bearer token and the
/// headers ABP's clients send. The preflight answer may be kept an hour.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::try_from(origin.as_str()).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                AUTHORIZATION,
                CONTENT_TYPE,
                ACCEPT,
                ACCEPT_LANGUAGE,
                HeaderName::from_static(connect::TENANT_HEADER),
                HeaderName::from_static("x-requested-with"),
                HeaderName::from_static(idempotency::IDEMPOTENCY_KEY),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Middleware for what this server does only with its own tokens (login,
/// refresh, logout, the users and their roles): with `--oidc-issuer` the
/// identity provider does it, so every call is answered with
/// [`AppError::ManagedByProvider`].
async fn own_tokens_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match &state.provider {
        Some(provider) => AppError::ManagedByProvider(provider.issuer().to_owned()).into_response(),
        None => next.run(request).await,
    }
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

/// Middleware: refuses, from the head alone and before any of the body is
/// read (so `Expect: 100-continue` gets no `100 Continue`), a request whose
/// `Content-Length` is over [`BODY_LIMIT`] (`413`), whose target is over
/// [`MAX_URI_BYTES`] (`414`) or whose header fields are over
/// [`MAX_HEADER_BYTES`] (`431`), in the ABP shape, closing the connection.
/// Hand-written: tower-http's `RequestBodyLimitLayer` makes the same length
/// check but answers in plain text.
async fn refuse_oversize_requests(request: Request, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let refusal = if target > MAX_URI_BYTES {
        Some((
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("The request target is longer than {MAX_URI_BYTES} bytes."),
        ))
    } else if header_bytes > MAX_HEADER_BYTES {
        Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request_header_fields_too_large",
            format!("The request header is larger than {MAX_HEADER_BYTES} bytes."),
        ))
    } else if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        Some((
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body is larger than {BODY_LIMIT} bytes."),
        ))
    } else {
        None
    };
    match refusal {
        Some((status, code, message)) => closing(AppError::BadRequest {
            status,
            code,
            message,
        }),
        None => next.run(request).await,
    }
}

/// The answer when [`TimeoutLayer`] gave up on a request.
async fn request_timed_out(error: BoxError) -> Response {
    if error.is::<Elapsed>() {
        closing(AppError::BadRequest {
            status: StatusCode::REQUEST_TIMEOUT,
            code: "request_timeout",
            message: "The request did not arrive in time.".into(),
        })
    } else {
        AppError::Internal(error).into_response()
    }
}

/// `error` as a response that closes the connection: the request's body
/// has not been read (or not all of it), so the connection cannot carry
/// another request.
fn closing(error: AppError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
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
    use crate::http::{MAX_HEADER_BYTES, MAX_URI_BYTES};

    /// Answers that carry user data must not be stored by a
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
            (Method::GET, &roles_path, None),
            (Method::GET, "/api/app/orders", None),
            (Method::GET, "/api/app/reports", None),
            (
                Method::PUT,
                &roles_path,
                Some(json!({ "roleNames": ["user"] })),
            ),
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

    /// A 10 MB form to `/connect/token` got `400
    /// invalid_request` rather than `413`.
    #[tokio::test]
    async fn an_oversize_token_form_is_413_whether_or_not_its_length_is_known() {
        let app = TestApp::new();
        let form = format!(
            "grant_type=refresh_token&refresh_token={}",
            "a".repeat(10 << 20)
        );
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = form
            .as_bytes()
            .chunks(64 << 10)
            .map(|chunk| Ok(chunk.to_vec()))
            .collect();
        // A body of unknown length, as a chunked upload has.
        let streamed = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
        for (body, length) in [
            (axum::body::Body::from(form.clone()), Some(form.len())),
            (streamed, None),
        ] {
            let mut request = axum::http::Request::post("/connect/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(length) = length {
                request = request.header(header::CONTENT_LENGTH, length);
            }
            let response = app.send(request.body(body).expect("request")).await;
            response.assert_abp_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        }
    }

    /// Oversize heads that hyper lets through are answered in
    /// the ABP shape.
    #[tokio::test]
    async fn long_uris_and_large_headers_get_abp_errors() {
        let app = TestApp::new();
        let long_uri = format!("/api/app/orders?q={}", "a".repeat(MAX_URI_BYTES));
        app.get(&long_uri, None)
            .await
            .assert_abp_error(StatusCode::URI_TOO_LONG, "uri_too_long");
        let big_bearer = "a".repeat(MAX_HEADER_BYTES);
        app.get("/api/identity/users", Some(&big_bearer))
            .await
            .assert_abp_error(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "request_header_fields_too_large",
            );
        // Just under the limits is served as usual.
        let admin = app.admin().await;
        let fits = format!("/api/app/orders?q={}", "a".repeat(MAX_URI_BYTES - 40));
        assert_eq!(
            app.get(&fits, Some(&admin.token)).await.status,
            StatusCode::OK
        );
    }

    /// The API is matched case-sensitively, so a case variant
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

    /// A host whose default scheme is cookies answers a call without a
    /// bearer with a redirect to its login page, unless the call says it
    /// comes from a script, as ABP's clients always do.
    #[tokio::test]
    async fn with_login_redirect_a_bare_call_is_sent_to_the_login_page() {
        let app = TestApp::with(|c| c.login_redirect = true);
        let bare = app.get("/api/app/orders?x=1", None).await;
        assert_eq!(bare.status, StatusCode::FOUND);
        assert_eq!(
            bare.header(header::LOCATION),
            Some("/Account/Login?ReturnUrl=%2Fapi%2Fapp%2Forders%3Fx%3D1")
        );
        let request = axum::http::Request::get("/api/app/orders")
            .header("x-requested-with", "XMLHttpRequest")
            .body(axum::body::Body::empty())
            .expect("request");
        app.send(request)
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
        // Without the flag, a bare call is a plain 401.
        TestApp::new()
            .get("/api/app/orders", None)
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }

    #[tokio::test]
    async fn a_cors_origin_may_call_with_abps_headers() {
        let app = TestApp::with(|c| c.cors_origins = vec!["http://app.example.com".into()]);
        let preflight = axum::http::Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/app/orders")
            .header(header::ORIGIN, "http://app.example.com")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,__tenant,accept-language,x-requested-with",
            )
            .body(axum::body::Body::empty())
            .expect("request");
        let answer = app.send(preflight).await;
        assert!(answer.status.is_success(), "{}", answer.status);
        assert_eq!(
            answer.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            Some("http://app.example.com")
        );
        let allowed = answer
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
            .unwrap_or_default()
            .to_ascii_lowercase();
        for wanted in [
            "authorization",
            "__tenant",
            "accept-language",
            "x-requested-with",
        ] {
            assert!(allowed.contains(wanted), "{allowed}");
        }
        let other = axum::http::Request::get("/api/abp/application-configuration")
            .header(header::ORIGIN, "http://evil.example.com")
            .body(axum::body::Body::empty())
            .expect("request");
        let answer = app.send(other).await;
        assert_eq!(answer.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);
    }
}
