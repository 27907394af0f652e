//! Helpers for the in-process HTTP tests: a fresh in-memory database per
//! test, a hand-moved clock, and requests sent with `oneshot`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::config::Config;
use crate::domain::clock::{Clock, ManualTime};
use crate::http::app;
use crate::state::AppState;

/// The test clock starts here, on a whole second.
pub const T0: u64 = 1_700_000_000_000;

/// The configuration tests start from: the defaults of the command line,
/// except an in-memory database, a static folder that does not exist and
/// 7 day refresh tokens (30 s access tokens, no grace, no test controls).
pub fn config() -> Config {
    let mut config = Config::try_parse_from(["silent-refresh-server"]).expect("defaults parse");
    config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.db = PathBuf::from(":memory:");
    config.static_dir = PathBuf::from("/nonexistent/static");
    config.refresh_ttl = Duration::from_secs(7 * 86_400);
    config
}

/// An app with its own database and clock.
pub struct TestApp {
    /// The shared state, for looking behind the API.
    pub state: AppState,
    /// Moves the app's clock.
    pub time: ManualTime,
    router: Router,
}

/// A response read to the end.
pub struct TestResponse {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

/// The tokens of a login, as a test holds them.
pub struct SignedIn {
    /// Access token.
    pub token: String,
    /// Refresh token.
    pub refresh_token: String,
    /// User id.
    pub user_id: String,
}

impl TestApp {
    /// An app with the default test [`config`].
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    /// An app with the test [`config`] as changed by `change`.
    pub fn with(change: impl FnOnce(&mut Config)) -> Self {
        let mut config = config();
        change(&mut config);
        let (clock, time) = Clock::manual(T0);
        Self::of(AppState::new(config, clock).expect("state"), time)
    }

    /// Like [`TestApp::with`], but started as the binary starts it
    /// ([`AppState::start`]: with `--oidc-issuer`, the provider's keys are
    /// loaded).
    pub async fn started(change: impl FnOnce(&mut Config)) -> Self {
        let mut config = config();
        change(&mut config);
        let (clock, time) = Clock::manual(T0);
        Self::of(AppState::start(config, clock).await.expect("state"), time)
    }

    fn of(state: AppState, time: ManualTime) -> Self {
        Self {
            router: app(state.clone()),
            state,
            time,
        }
    }

    /// Sends `request` through the router.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.expect("body").to_bytes(),
        }
    }

    /// `method path` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    /// `GET path` with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.call(Method::GET, path, token, None).await
    }

    /// `POST path` with a JSON body and an optional bearer token.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// A login attempt from `peer`, given as the connection loop gives it
    /// (`ConnectInfo`); `None` sends no address at all.
    pub async fn login_from(
        &self,
        peer: Option<SocketAddr>,
        user_name: &str,
        password: &str,
    ) -> TestResponse {
        self.login_via(peer, None, user_name, password).await
    }

    /// A login attempt from `peer` carrying `X-Forwarded-For: forwarded_for`.
    pub async fn login_via(
        &self,
        peer: Option<SocketAddr>,
        forwarded_for: Option<&str>,
        user_name: &str,
        password: &str,
    ) -> TestResponse {
        let mut request =
            Request::post("/api/account/login").header(header::CONTENT_TYPE, "application/json");
        if let Some(peer) = peer {
            request = request.extension(ConnectInfo(peer));
        }
        if let Some(forwarded_for) = forwarded_for {
            request = request.header("x-forwarded-for", forwarded_for);
        }
        let body = json!({ "userName": user_name, "password": password }).to_string();
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Logs in, which must succeed.
    pub async fn login(&self, user_name: &str, password: &str) -> SignedIn {
        let response = self.login_from(None, user_name, password).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login {user_name}: {}",
            response.text()
        );
        let body = response.json();
        SignedIn {
            token: body["token"].as_str().expect("token").to_owned(),
            refresh_token: body["refreshToken"]
                .as_str()
                .expect("refreshToken")
                .to_owned(),
            user_id: body["userId"].as_str().expect("userId").to_owned(),
        }
    }

    /// Logs in as the demo admin.
    pub async fn admin(&self) -> SignedIn {
        self.login("admin", "admin123").await
    }

    /// Logs in as the demo user alice.
    pub async fn alice(&self) -> SignedIn {
        self.login("alice", "alice123").await
    }

    /// Presents a refresh token to the JSON refresh endpoint.
    pub async fn refresh(&self, user_id: &str, refresh_token: &str) -> TestResponse {
        self.post(
            "/api/app/account/refresh-token",
            None,
            json!({ "userId": user_id, "refreshToken": refresh_token }),
        )
        .await
    }

    /// Posts `form` to the OAuth2 token endpoint.
    pub async fn token(&self, form: &str) -> TestResponse {
        self.token_with(form, &[]).await
    }

    /// Posts `form` to the OAuth2 token endpoint with `headers` (`__tenant`,
    /// `Accept-Language`).
    pub async fn token_with(&self, form: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.form("/connect/token", form, headers).await
    }

    /// Posts `form` to `path` with `headers`.
    pub async fn form(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(form.to_owned())).expect("request"))
            .await
    }

    /// The password grant for `user_name` / `password`, as ABP's clients
    /// send it, in the tenant `tenant` (`__tenant`) when given.
    pub async fn password_grant(
        &self,
        user_name: &str,
        password: &str,
        tenant: Option<&str>,
    ) -> TestResponse {
        let form = format!(
            "grant_type=password&username={user_name}&password={password}\
             &client_id=silent-refresh-app&scope=offline_access%20openid%20profile"
        );
        let headers: Vec<(&str, &str)> = tenant.map(|t| ("__tenant", t)).into_iter().collect();
        self.token_with(&form, &headers).await
    }
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    /// The `refreshToken` of a token answer (empty when there is none).
    pub fn refresh_token(&self) -> String {
        self.json()["refreshToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts `status` and the ABP error shape with `code`; returns the error object.
    pub fn assert_abp_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header(header::CONTENT_TYPE), Some("application/json"));
        let body = self.json();
        let error = body["error"].clone();
        assert_eq!(error["code"], code, "{body}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert!(error.get("details").is_some_and(Value::is_null), "{body}");
        assert!(error.get("validationErrors").is_some(), "{body}");
        error
    }
}
