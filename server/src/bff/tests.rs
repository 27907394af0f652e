//! The BFF in process against the fake provider (`oidc::test_provider`):
//! the cookies, the sign-in, CSRF, what reaches the upstream, what the store
//! holds, the refresh (once for concurrent calls, across two instances on
//! one Redis), and logout.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::any;
use futures_util::future::join_all;
use serde_json::Value;

use super::store::tests::RedisServer;
use crate::config::{Config, SessionStoreUrl};
use crate::http::testing::{TestApp, TestResponse};
use crate::oidc::test_provider::{ACCESS_TTL_SECS, CLIENT_SECRET, Provider, rsa_1};

const ORIGIN: &str = "https://admin.example";
const RESOURCE: &str = "/api/app/dashboard/summary";

/// The app as a BFF of `provider` (its own API the upstream), as `change`
/// changes it.
async fn bff(provider: &Provider, change: impl FnOnce(&mut Config)) -> TestApp {
    let issuer = provider.issuer.clone();
    let app = TestApp::started(move |config| {
        config.bff_issuer = Some(issuer);
        config.bff_client_secret = Some(CLIENT_SECRET.to_owned());
        config.bff_origin = Some(ORIGIN.to_owned());
        config.test_controls = true;
        change(config);
    })
    .await;
    provider.issue_with(rsa_1(), app.state.clock.clone());
    app
}

async fn provider() -> Provider {
    Provider::start(&[&rsa_1()]).await
}

/// The cookie `name`'s `Set-Cookie` in `response`.
fn set_cookie(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

/// A query parameter of `url`.
fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

fn get(path: &str, cookie: Option<&str>) -> axum::http::request::Builder {
    let request = Request::builder().method(Method::GET).uri(path);
    match cookie {
        Some(cookie) => request.header(header::COOKIE, cookie),
        None => request,
    }
}

/// Signs alice in through `/bff/login` and the callback (the browser's
/// cookie `planted` sent along); the callback's answer and the session id.
async fn sign_in(app: &TestApp, planted: Option<&str>) -> (TestResponse, String) {
    let login = app
        .send(
            get("/bff/login?returnUrl=/reports", None)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(login.status, StatusCode::FOUND, "{}", login.text());
    let location = login
        .header(header::LOCATION)
        .expect("to the provider")
        .to_owned();
    assert_eq!(param(&location, "code_challenge_method"), "S256");
    let login_cookie = set_cookie(&login, super::cookies::LOGIN).expect("the login cookie");
    let mut cookies = format!("{}={}", super::cookies::LOGIN, cookie_value(&login_cookie));
    if let Some(planted) = planted {
        cookies.push_str(&format!("; {}={planted}", super::cookies::SESSION));
    }
    // The fake provider takes the code for the nonce.
    let path = format!(
        "/bff/callback?code={}&state={}",
        param(&location, "nonce"),
        param(&location, "state")
    );
    let callback = app
        .send(
            get(&path, Some(&cookies))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(callback.status, StatusCode::FOUND, "{}", callback.text());
    let session = set_cookie(&callback, super::cookies::SESSION).expect("a session cookie");
    (callback, cookie_value(&session))
}

fn session_cookie(id: &str) -> String {
    format!("{}={id}", super::cookies::SESSION)
}

/// `method path` from this site's page: the session cookie and `X-CSRF: 1`.
async fn call(app: &TestApp, method: Method, path: &str, id: &str) -> TestResponse {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, session_cookie(id))
        .header("X-CSRF", "1")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .expect("request");
    app.send(request).await
}

#[tokio::test]
async fn signing_in_sets_a_strict_host_only_cookie_with_a_new_id_every_time() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (callback, first) = sign_in(&app, Some("planted-by-someone")).await;
    assert_eq!(callback.header(header::LOCATION), Some("/reports"));
    let cookie = set_cookie(&callback, super::cookies::SESSION).expect("cookie");
    assert_eq!(
        cookie,
        format!(
            "__Host-bff-session={first}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
            7 * 86_400
        )
    );
    assert_ne!(first, "planted-by-someone");
    assert!(
        set_cookie(&callback, super::cookies::LOGIN).is_some_and(|c| c.contains("Max-Age=0")),
        "the login state is spent"
    );
    assert_eq!(
        call(&app, Method::GET, "/bff/user", &first).await.status,
        StatusCode::OK
    );

    let (_, second) = sign_in(&app, Some(&first)).await;
    assert_ne!(second, first, "a new id at every sign-in");
    assert_eq!(
        call(&app, Method::GET, "/bff/user", &first).await.status,
        StatusCode::UNAUTHORIZED,
        "the browser's old session is over"
    );
    let user = call(&app, Method::GET, "/bff/user", &second).await.json();
    assert_eq!(user["sub"], "sub-alice");
    assert_eq!(user["roles"], serde_json::json!(["user"]));
    assert_eq!(provider.grants().codes, 2);
}

#[tokio::test]
async fn a_callback_without_its_login_state_signs_nobody_in() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let forged = app
        .send(
            get("/bff/callback?code=x&state=y", None)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FOUND);
    assert_eq!(
        forged.header(header::LOCATION),
        Some("/login?bffError=state")
    );
    assert_eq!(set_cookie(&forged, super::cookies::SESSION), None);
    assert_eq!(provider.grants().codes, 0, "no code was exchanged");
}

#[tokio::test]
async fn return_urls_of_other_sites_are_refused() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    for bad in [
        "https://evil.example/",
        "//evil.example/",
        "/%5Cevil.example",
    ] {
        let path = format!("/bff/login?returnUrl={}", bad.replace('/', "%2F"));
        let response = app
            .send(get(&path, None).body(Body::empty()).expect("request"))
            .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            response.text()
        );
        response.assert_abp_error(StatusCode::BAD_REQUEST, "Bff:BadReturnUrl");
    }
}

#[tokio::test]
async fn calls_without_the_csrf_header_or_from_another_origin_are_refused() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    let without_header = app
        .send(
            get(RESOURCE, Some(&session_cookie(&id)))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    without_header.assert_abp_error(StatusCode::FORBIDDEN, "Bff:CrossSite");
    let foreign = Request::builder()
        .uri(RESOURCE)
        .header(header::COOKIE, session_cookie(&id))
        .header("X-CSRF", "1")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .expect("request");
    app.send(foreign)
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "Bff:CrossSite");
    let form_post = Request::builder()
        .method(Method::POST)
        .uri("/bff/logout")
        .header(header::COOKIE, session_cookie(&id))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .expect("request");
    app.send(form_post)
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "Bff:CrossSite");
    let from_the_page = call(&app, Method::GET, RESOURCE, &id).await;
    assert_eq!(
        from_the_page.status,
        StatusCode::OK,
        "{}",
        from_the_page.text()
    );
    assert_eq!(provider.grants().revocations, 0, "still signed in");
}

#[tokio::test]
async fn only_the_configured_api_paths_are_forwarded() {
    let provider = provider().await;
    let app = bff(&provider, |config| {
        config.bff_api_paths = vec!["/api/app/".to_owned()];
    })
    .await;
    let (_, id) = sign_in(&app, None).await;
    assert_eq!(
        call(&app, Method::GET, RESOURCE, &id).await.status,
        StatusCode::OK
    );
    call(&app, Method::GET, "/api/identity/users", &id)
        .await
        .assert_abp_error(StatusCode::NOT_FOUND, "Bff:NotForwarded");
}

/// What a remote upstream was sent.
type Seen = Arc<Mutex<Vec<HeaderMap>>>;

async fn record(State(seen): State<Seen>, headers: HeaderMap) -> impl IntoResponse {
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(headers);
    ([(header::SET_COOKIE, "upstream=1; Path=/")], "{}")
}

#[tokio::test]
async fn the_browsers_cookies_and_authorization_never_reach_the_upstream() {
    let seen = Seen::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let upstream = format!("http://{}", listener.local_addr().expect("addr"));
    let router = Router::new()
        .route("/{*rest}", any(record))
        .with_state(Arc::clone(&seen));
    let task = tokio::spawn(crate::serve::serve(
        listener,
        router,
        16,
        std::future::pending(),
    ));
    let provider = provider().await;
    let app = bff(&provider, move |config| {
        config.bff_upstream = Some(upstream)
    })
    .await;
    let (_, id) = sign_in(&app, None).await;
    let request = Request::builder()
        .uri(RESOURCE)
        .header(
            header::COOKIE,
            format!("{}; theme=dark", session_cookie(&id)),
        )
        .header(header::AUTHORIZATION, "Bearer made-up-by-the-page")
        .header(header::ACCEPT_LANGUAGE, "zh-CN")
        .header("X-CSRF", "1")
        .body(Body::empty())
        .expect("request");
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(
        answer.header(header::SET_COOKIE),
        None,
        "the upstream's cookies stay there"
    );
    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(seen.len(), 1);
    let headers = &seen[0];
    assert_eq!(headers.get(header::COOKIE), None);
    assert_eq!(headers.get("x-csrf"), None);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .expect("a bearer");
    assert!(
        bearer.starts_with("Bearer ey"),
        "the session's token: {bearer}"
    );
    assert_ne!(bearer, "Bearer made-up-by-the-page");
    assert_eq!(
        headers.get(header::ACCEPT_LANGUAGE).map(|v| v.as_bytes()),
        Some(&b"zh-CN"[..])
    );
    task.abort();
}

/// Every row and key of the SQLite sessions table, as text.
fn sqlite_rows(app: &TestApp) -> String {
    app.state
        .store
        .with(|conn| {
            let mut statement = conn.prepare("SELECT key, doc FROM bff_sessions")?;
            let rows = statement
                .query_map([], |row| {
                    Ok(format!(
                        "{} {}",
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, rusqlite::Error>(rows.join("\n"))
        })
        .expect("rows")
}

fn assert_holds_no_secret(dump: &str, provider: &Provider, id: &str) {
    assert!(!dump.is_empty());
    let tokens = provider.live_refresh_tokens();
    assert!(!tokens.is_empty());
    for token in tokens {
        assert!(!dump.contains(&token), "a refresh token in the store");
    }
    assert!(!dump.contains(id), "the session id in the store");
    assert!(!dump.contains("eyJ"), "a JWT in the store");
}

#[tokio::test]
async fn the_store_holds_no_token_or_session_id_in_sqlite() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    assert_holds_no_secret(&sqlite_rows(&app), &provider, &id);
}

#[tokio::test]
async fn the_store_holds_no_token_or_session_id_in_redis() {
    let redis = RedisServer::start().await;
    let provider = provider().await;
    let url = redis.url.clone();
    let app = bff(&provider, move |config| {
        config.session_store = SessionStoreUrl::Redis(url)
    })
    .await;
    let (_, id) = sign_in(&app, None).await;
    assert_holds_no_secret(&redis.dump().await, &provider, &id);
}

#[tokio::test]
async fn concurrent_calls_after_the_expiry_share_one_refresh() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    app.time.advance(Duration::from_secs(ACCESS_TTL_SECS));
    let answers = join_all((0..10).map(|_| call(&app, Method::GET, RESOURCE, &id))).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    assert_eq!(provider.grants().refreshes, 1);
    assert_eq!(provider.grants().reused, 0);
    assert_eq!(app.state.controls.stats().calls.bff_refresh, 1);
}

#[tokio::test]
async fn an_upstream_401_refreshes_once_and_replays() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    app.state
        .controls
        .cut_off("alice", app.state.clock.now_ms());
    app.time.advance(Duration::from_secs(1));
    let answers = join_all((0..5).map(|_| call(&app, Method::GET, RESOURCE, &id))).await;
    assert!(
        answers.iter().all(|a| a.status == StatusCode::OK),
        "replayed"
    );
    assert_eq!(provider.grants().refreshes, 1);
}

#[tokio::test]
async fn a_refresh_answer_lost_after_the_provider_rotated_costs_nothing() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    app.time.advance(Duration::from_secs(ACCESS_TTL_SECS));
    provider.lose_next_answer();
    call(&app, Method::GET, RESOURCE, &id)
        .await
        .assert_abp_error(StatusCode::SERVICE_UNAVAILABLE, "Bff:Unavailable");
    // The retry sends the spent token with the key written ahead of the
    // lost refresh: the provider answers it again, no reuse.
    let again = call(&app, Method::GET, RESOURCE, &id).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let grants = provider.grants();
    assert_eq!(
        (grants.refreshes, grants.replayed, grants.reused),
        (1, 1, 0)
    );
    // And the session goes on with the pair it got, under a new key.
    app.time.advance(Duration::from_secs(ACCESS_TTL_SECS));
    let later = call(&app, Method::GET, RESOURCE, &id).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text());
    let grants = provider.grants();
    assert_eq!(
        (grants.refreshes, grants.replayed, grants.reused),
        (2, 1, 0)
    );
}

#[tokio::test]
async fn a_refused_refresh_ends_the_session() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    let logout_elsewhere = provider.live_refresh_tokens();
    provider.forget_refresh_tokens(&logout_elsewhere);
    app.time.advance(Duration::from_secs(ACCESS_TTL_SECS));
    call(&app, Method::GET, RESOURCE, &id)
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "Bff:SignedOut");
    assert_eq!(
        call(&app, Method::GET, "/bff/user", &id).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn logout_revokes_forgets_and_names_the_end_session_url() {
    let provider = provider().await;
    let app = bff(&provider, |_| {}).await;
    let (_, id) = sign_in(&app, None).await;
    let logout = call(&app, Method::POST, "/bff/logout", &id).await;
    assert_eq!(logout.status, StatusCode::OK, "{}", logout.text());
    assert!(set_cookie(&logout, super::cookies::SESSION).is_some_and(|c| c.contains("Max-Age=0")));
    let end: Value = logout.json();
    let url = end["endSessionUrl"].as_str().expect("an end-session URL");
    assert!(url.starts_with(&format!("{}/session/end?", provider.issuer)));
    assert_eq!(
        param(url, "post_logout_redirect_uri"),
        format!("{ORIGIN}/login")
    );
    assert!(!param(url, "id_token_hint").is_empty());
    assert_eq!(provider.grants().revocations, 1);
    assert!(
        provider.live_refresh_tokens().is_empty(),
        "revoked at the provider"
    );
    assert_eq!(
        call(&app, Method::GET, "/bff/user", &id).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn two_instances_on_one_redis_refresh_a_session_once() {
    let redis = RedisServer::start().await;
    let provider = provider().await;
    let (a, b) = (redis.url.clone(), redis.url.clone());
    let first = bff(&provider, move |config| {
        config.session_store = SessionStoreUrl::Redis(a)
    })
    .await;
    let second = bff(&provider, move |config| {
        config.session_store = SessionStoreUrl::Redis(b)
    })
    .await;
    provider.issue_with(rsa_1(), first.state.clock.clone());
    let (_, id) = sign_in(&first, None).await;
    assert_eq!(
        call(&second, Method::GET, "/bff/user", &id).await.status,
        StatusCode::OK
    );
    for app in [&first, &second] {
        app.time.advance(Duration::from_secs(ACCESS_TTL_SECS));
    }
    let calls = (0..10).map(|n| {
        let app = if n % 2 == 0 { &first } else { &second };
        call(app, Method::GET, RESOURCE, &id)
    });
    let answers = join_all(calls).await;
    assert!(
        answers.iter().all(|a| a.status == StatusCode::OK),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(
        provider.grants().refreshes,
        1,
        "one refresh for both instances"
    );
    assert_eq!(provider.grants().reused, 0);
}
