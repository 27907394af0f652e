use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::http::DropConnection;
use crate::http::testing::TestApp;

const CONFIG: &str = "/api/abp/application-configuration";
const SUMMARY: &str = "/api/app/dashboard/summary";

fn controlled() -> TestApp {
    TestApp::with(|c| c.test_controls = true)
}

#[tokio::test]
async fn controls_are_absent_without_the_flag() {
    let app = TestApp::new();
    for (method, path) in [
        (Method::GET, "/api/_test/stats"),
        (Method::POST, "/api/_test/stats/reset"),
        (Method::POST, "/api/_test/faults"),
        (Method::DELETE, "/api/_test/faults"),
        (Method::POST, "/api/_test/expire-access-tokens"),
        (Method::POST, "/api/_test/revoke-refresh-tokens"),
    ] {
        let response = app
            .call(method, path, None, Some(json!({ "userName": "alice" })))
            .await;
        response.assert_abp_error(StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn every_call_is_counted_including_rejected_ones() {
    let app = controlled();
    app.login_from(None, "alice", "wrong").await;
    let alice = app.alice().await;
    app.refresh(&alice.user_id, "bogus").await;
    let rotated = app
        .refresh(&alice.user_id, &alice.refresh_token)
        .await
        .json();
    let form = format!(
        "grant_type=refresh_token&refresh_token={}",
        rotated["refreshToken"].as_str().unwrap_or_default()
    );
    assert_eq!(app.token(&form).await.status, StatusCode::OK);
    app.get(CONFIG, None).await;
    app.get(CONFIG, Some("bad")).await;
    app.get(SUMMARY, None).await;
    app.get("/api/app/reports", Some(&alice.token)).await;
    app.get("/api/app/orders", Some(&alice.token)).await;
    app.post("/api/account/logout", None, json!({})).await;
    // Not counted: identity and unknown paths.
    app.get("/api/identity/users", Some(&alice.token)).await;
    app.get("/api/app/nothing", Some(&alice.token)).await;

    let stats = app.get("/api/_test/stats", None).await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(
        stats.json(),
        json!({
            "calls": { "login": 2, "refresh": 3, "logout": 1, "appConfig": 2, "resource": 3, "bffRefresh": 0 },
            "reuseDetected": 0,
            "replayed": 0
        })
    );
    let reset = app
        .call(Method::POST, "/api/_test/stats/reset", None, None)
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/_test/stats", None).await.json(),
        json!({
            "calls": { "login": 0, "refresh": 0, "logout": 0, "appConfig": 0, "resource": 0, "bffRefresh": 0 },
            "reuseDetected": 0,
            "replayed": 0
        })
    );
}

#[tokio::test]
async fn status_faults_hit_the_next_n_calls_and_are_counted() {
    let app = controlled();
    let alice = app.alice().await;
    let fault = json!({ "endpoint": "resource", "count": 2, "status": 503 });
    assert_eq!(
        app.post("/api/_test/faults", None, fault).await.status,
        StatusCode::NO_CONTENT
    );
    app.get(SUMMARY, Some(&alice.token))
        .await
        .assert_abp_error(StatusCode::SERVICE_UNAVAILABLE, "injected_fault");
    app.get("/api/app/orders", Some(&alice.token))
        .await
        .assert_abp_error(StatusCode::SERVICE_UNAVAILABLE, "injected_fault");
    assert_eq!(
        app.get(SUMMARY, Some(&alice.token)).await.status,
        StatusCode::OK
    );
    // Other endpoints were never affected.
    assert_eq!(app.get(CONFIG, None).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/_test/stats", None).await.json()["calls"]["resource"],
        3
    );
}

#[tokio::test]
async fn faults_for_login_and_refresh_and_clearing() {
    let app = controlled();
    let alice = app.alice().await;
    let fault = json!({ "endpoint": "refresh", "count": 5, "status": 500 });
    app.post("/api/_test/faults", None, fault).await;
    app.refresh(&alice.user_id, &alice.refresh_token)
        .await
        .assert_abp_error(StatusCode::INTERNAL_SERVER_ERROR, "injected_fault");
    let cleared = app
        .call(Method::DELETE, "/api/_test/faults", None, None)
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    // The faulted call never reached the handler: the token is still good.
    assert_eq!(
        app.refresh(&alice.user_id, &alice.refresh_token)
            .await
            .status,
        StatusCode::OK
    );

    app.post(
        "/api/_test/faults",
        None,
        json!({ "endpoint": "login", "count": 1, "status": 429 }),
    )
    .await;
    app.login_from(None, "alice", "alice123")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "injected_fault");
    app.alice().await;
}

#[tokio::test]
async fn injected_faults_on_token_endpoints_are_not_cached_either() {
    let app = controlled();
    let alice = app.alice().await;
    for fault in [
        json!({ "endpoint": "login", "count": 1, "status": 503 }),
        json!({ "endpoint": "refresh", "count": 2, "status": 500 }),
    ] {
        app.post("/api/_test/faults", None, fault).await;
    }
    let form = format!(
        "grant_type=refresh_token&refresh_token={}",
        alice.refresh_token
    );
    for faulted in [
        app.login_from(None, "alice", "alice123").await,
        app.refresh(&alice.user_id, &alice.refresh_token).await,
        app.token(&form).await,
    ] {
        assert!(faulted.status.is_server_error(), "{}", faulted.text());
        assert_eq!(faulted.json()["error"]["code"], "injected_fault");
        assert_eq!(faulted.header(header::CACHE_CONTROL), Some("no-store"));
        assert_eq!(faulted.header(header::PRAGMA), Some("no-cache"));
    }
}

#[tokio::test]
async fn a_delay_only_fault_handles_the_call_normally_after_the_delay() {
    let app = controlled();
    let fault = json!({ "endpoint": "appConfig", "count": 1, "delayMs": 150 });
    app.post("/api/_test/faults", None, fault).await;
    let started = Instant::now();
    let response = app.get(CONFIG, None).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["currentUser"]["isAuthenticated"], false);
}

#[tokio::test]
async fn a_drop_fault_marks_the_response_for_the_connection_loop() {
    let app = controlled();
    let fault = json!({ "endpoint": "appConfig", "count": 1, "drop": true, "status": 500 });
    app.post("/api/_test/faults", None, fault).await;
    let request = axum::http::Request::get(CONFIG)
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(crate::http::app(app.state.clone()), request)
        .await
        .expect("infallible");
    assert!(response.extensions().get::<DropConnection>().is_some());
    let next = app.get(CONFIG, None).await;
    assert_eq!(next.status, StatusCode::OK);
}

/// A fault's delay and count had no bound, so one request
/// could hang the next call for good.
#[tokio::test]
async fn fault_delays_and_counts_are_bounded() {
    let app = controlled();
    for (body, member) in [
        (
            json!({ "endpoint": "appConfig", "count": 1, "delayMs": 1_000_000_000_000_000_u64 }),
            "delayMs",
        ),
        (
            json!({ "endpoint": "appConfig", "count": 1, "delayMs": 10_001 }),
            "delayMs",
        ),
        (json!({ "endpoint": "refresh", "count": 1_001 }), "count"),
        (
            json!({ "endpoint": "refresh", "count": 4_000_000_000_u32 }),
            "count",
        ),
    ] {
        let response = app.post("/api/_test/faults", None, body.clone()).await;
        let error = response.assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(
            error["validationErrors"][0]["members"],
            json!([member]),
            "{body}"
        );
    }
    // What the end-to-end tests use is accepted.
    for body in [
        json!({ "endpoint": "refresh", "count": 1, "delayMs": 2_000 }),
        json!({ "endpoint": "resource", "count": 100, "status": 500 }),
        json!({ "endpoint": "appConfig", "count": 1_000, "delayMs": 10_000 }),
    ] {
        let response = app.post("/api/_test/faults", None, body.clone()).await;
        assert_eq!(response.status, StatusCode::NO_CONTENT, "{body}");
    }
}

#[tokio::test]
async fn bad_fault_requests_are_refused() {
    let app = controlled();
    for body in [
        json!({ "endpoint": "everything", "count": 1 }),
        json!({ "endpoint": "refresh" }),
        json!({ "endpoint": "refresh", "count": -1 }),
        json!({ "endpoint": "refresh", "count": 1, "status": 200 }),
        json!({ "endpoint": "refresh", "count": 1, "status": 1000 }),
    ] {
        let response = app.post("/api/_test/faults", None, body.clone()).await;
        response.assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
    }
}

#[tokio::test]
async fn expiring_access_tokens_is_exact_and_spares_refresh_tokens() {
    let app = controlled();
    let alice = app.alice().await;
    let admin = app.admin().await;
    let response = app
        .post(
            "/api/_test/expire-access-tokens",
            None,
            json!({ "userName": "alice" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    app.get(SUMMARY, Some(&alice.token))
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(
        app.get(SUMMARY, Some(&admin.token)).await.status,
        StatusCode::OK
    );
    // Same clock second, yet a token issued afterwards works.
    let relogin = app.alice().await;
    assert_eq!(
        app.get(SUMMARY, Some(&relogin.token)).await.status,
        StatusCode::OK
    );
    let refreshed = app.refresh(&alice.user_id, &alice.refresh_token).await;
    assert_eq!(refreshed.status, StatusCode::OK);
    let token = refreshed.json()["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(app.get(SUMMARY, Some(&token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn revoking_refresh_tokens_rejects_the_next_refresh() {
    let app = controlled();
    let first = app.alice().await;
    let second = app.alice().await;
    let admin = app.admin().await;
    let response = app
        .post(
            "/api/_test/revoke-refresh-tokens",
            None,
            json!({ "userName": "alice" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    for session in [&first, &second] {
        app.refresh(&session.user_id, &session.refresh_token)
            .await
            .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    // The sessions are over, so their access tokens are refused too.
    app.get(SUMMARY, Some(&first.token))
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(
        app.get(SUMMARY, Some(&admin.token)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.refresh(&admin.user_id, &admin.refresh_token)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_user_names_are_404() {
    let app = controlled();
    for path in [
        "/api/_test/expire-access-tokens",
        "/api/_test/revoke-refresh-tokens",
    ] {
        app.post(path, None, json!({ "userName": "nobody" }))
            .await
            .assert_abp_error(StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn the_request_log_keeps_the_headers_abps_clients_send() {
    let app = TestApp::with(|c| c.test_controls = true);
    let alice = app.alice().await;
    let request = axum::http::Request::get("/api/app/orders")
        .header("authorization", format!("Bearer {}", alice.token))
        .header("__tenant", "t-1")
        .header("accept-language", "zh-Hans")
        .header("x-requested-with", "XMLHttpRequest")
        .body(axum::body::Body::empty())
        .expect("request");
    app.send(request).await;
    let log = app.get("/api/_test/requests", None).await.json();
    let requests = log["requests"].as_array().expect("requests");
    let orders = requests
        .iter()
        .find(|r| r["path"] == "/api/app/orders")
        .expect("the call is logged");
    assert_eq!(orders["method"], "GET");
    assert_eq!(orders["tenant"], "t-1");
    assert_eq!(orders["acceptLanguage"], "zh-Hans");
    assert_eq!(orders["requestedWith"], "XMLHttpRequest");
    assert_eq!(orders["bearer"], true);
    let login = requests
        .iter()
        .find(|r| r["path"] == "/api/account/login")
        .expect("the login is logged");
    assert_eq!(login["bearer"], false);
    assert_eq!(login["tenant"], serde_json::Value::Null);
    assert!(
        requests.iter().all(|r| !r["path"]
            .as_str()
            .unwrap_or_default()
            .starts_with("/api/_test")),
        "the controls' own calls are not logged"
    );
    app.post("/api/_test/stats/reset", None, serde_json::Value::Null)
        .await;
    let log = app.get("/api/_test/requests", None).await.json();
    assert_eq!(log["requests"], serde_json::json!([]));
}

#[tokio::test]
async fn the_two_factor_code_is_the_authenticators_of_now() {
    let app = TestApp::with(|c| c.test_controls = true);
    let code = app
        .post(
            "/api/_test/two-factor-code",
            None,
            serde_json::json!({ "userName": "bob" }),
        )
        .await;
    assert_eq!(code.status, StatusCode::OK, "{}", code.text());
    let code = code.json()["code"].as_str().expect("a code").to_owned();
    assert_eq!(code.len(), 6);
    let form = format!(
        "grant_type=password&username=bob&password=bob123&client_id=silent-refresh-app\
         &TwoFactorProvider=Authenticator&TwoFactorCode={code}"
    );
    let signed_in = app.token_with(&form, &[("__tenant", "acme")]).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
    app.post(
        "/api/_test/two-factor-code",
        None,
        serde_json::json!({ "userName": "alice" }),
    )
    .await
    .assert_abp_error(StatusCode::NOT_FOUND, "not_found");
}

/// A dropped answer comes after the work: the refresh is committed (its
/// token spent, the new one stored), only the answer is lost.
#[tokio::test]
async fn a_drop_answer_fault_commits_the_work_then_drops_the_answer() {
    let app = controlled();
    let alice = app.alice().await;
    let fault = json!({ "endpoint": "refresh", "count": 1, "dropAnswer": true });
    assert_eq!(
        app.post("/api/_test/faults", None, fault).await.status,
        StatusCode::NO_CONTENT
    );
    let request = axum::http::Request::post("/api/app/account/refresh-token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            json!({ "userId": alice.user_id, "refreshToken": alice.refresh_token }).to_string(),
        ))
        .expect("request");
    let response = tower::ServiceExt::oneshot(crate::http::app(app.state.clone()), request)
        .await
        .expect("infallible");
    assert!(response.extensions().get::<DropConnection>().is_some());
    // The work was done: the token is spent, so presenting it again is a reuse.
    let again = app.refresh(&alice.user_id, &alice.refresh_token).await;
    again.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let stats = app.get("/api/_test/stats", None).await.json();
    assert_eq!(stats["reuseDetected"], 1);
    assert_eq!(stats["calls"]["refresh"], 2);
}

#[tokio::test]
async fn a_delayed_answer_comes_after_the_work() {
    let app = controlled();
    let alice = app.alice().await;
    let fault = json!({ "endpoint": "refresh", "count": 1, "delayAnswerMs": 200 });
    app.post("/api/_test/faults", None, fault).await;
    let started = Instant::now();
    let response = app.refresh(&alice.user_id, &alice.refresh_token).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let bounded = json!({ "endpoint": "refresh", "count": 1, "delayAnswerMs": 10_001 });
    app.post("/api/_test/faults", None, bounded)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
}
