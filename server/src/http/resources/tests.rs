use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::http::testing::TestApp;

const DASHBOARD: [&str; 5] = [
    "/api/app/dashboard/summary",
    "/api/app/orders",
    "/api/app/notifications",
    "/api/app/activity",
    "/api/app/system/health",
];
const REPORTS: &str = "/api/app/reports";

#[tokio::test]
async fn resources_have_the_documented_shapes() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let get = |path: &'static str| {
        let (app, token) = (&app, admin.token.clone());
        async move {
            let response = app.get(path, Some(&token)).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{path}: {}",
                response.text()
            );
            response.json()
        }
    };
    let summary = get("/api/app/dashboard/summary").await;
    assert_eq!(summary["totalUsers"], 4, "in every tenant");
    assert_eq!(summary["activeSessions"], 1);
    assert_eq!(summary["generatedAt"], "2023-11-14T22:13:20Z");

    for (path, count, first) in [
        (
            "/api/app/orders",
            6,
            json!({"id": "ord-1001", "customer": "Cheshire Cat Ltd", "total": 1250.0, "status": "shipped"}),
        ),
        (
            "/api/app/notifications",
            4,
            json!({"id": "ntf-1", "title": "Quarterly report is ready", "createdAt": "2025-01-06T09:00:00Z", "read": false}),
        ),
        (
            "/api/app/activity",
            4,
            json!({"id": "act-1", "userName": "admin", "action": "Granted role auditor to alice", "at": "2025-01-06T10:05:00Z"}),
        ),
        (
            REPORTS,
            4,
            json!({"id": "rpt-1", "title": "Revenue", "period": "2024-Q4", "value": 48250.0}),
        ),
    ] {
        let list = get(path).await;
        let keys: Vec<&String> = list
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["items", "totalCount"], "{path}");
        assert_eq!(list["totalCount"], count, "{path}");
        assert_eq!(
            list["items"].as_array().map(Vec::len),
            Some(count),
            "{path}"
        );
        assert_eq!(list["items"][0], first, "{path}");
    }
    assert_eq!(summary["revenue"], 4364.45);

    app.time.advance(Duration::from_secs(7));
    let health = get("/api/app/system/health").await;
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["uptimeSeconds"], 7);
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn policies_guard_the_resources() {
    let app = TestApp::new();
    let alice = app.alice().await;
    for path in DASHBOARD {
        assert_eq!(
            app.get(path, Some(&alice.token)).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    app.get(REPORTS, Some(&alice.token))
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "Volo.Authorization:010001");
    let admin = app.admin().await;
    assert_eq!(
        app.get(REPORTS, Some(&admin.token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_missing_token_gets_a_bare_bearer_challenge() {
    let app = TestApp::new();
    for path in DASHBOARD.iter().chain([&REPORTS]) {
        let response = app.get(path, None).await;
        response.assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(
            response.header(header::WWW_AUTHENTICATE),
            Some("Bearer"),
            "{path}"
        );
    }
    // Another scheme is no bearer token either.
    let basic = Request::get(REPORTS)
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4xMjM=")
        .body(Body::empty())
        .expect("request");
    app.send(basic)
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn bad_tokens_get_an_invalid_token_challenge() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let parts: Vec<&str> = alice.token.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let hs512_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512","typ":"JWT"}"#);
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("payload")).expect("json");
    payload["exp"] = json!(u64::MAX / 2000);
    let longer = URL_SAFE_NO_PAD.encode(payload.to_string());
    let bad = [
        "garbage".to_owned(),
        String::new(),
        format!("{none_header}.{}.", parts[1]),
        format!("{hs512_header}.{}.{}", parts[1], parts[2]),
        format!("{}.{longer}.{}", parts[0], parts[2]),
        format!("{}.{}.{}", parts[0], parts[1], "A".repeat(43)),
    ];
    for token in &bad {
        let response = app.get(DASHBOARD[0], Some(token)).await;
        response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
        assert_eq!(
            response.header(header::WWW_AUTHENTICATE),
            Some(r#"Bearer error="invalid_token""#),
            "{token}"
        );
    }
    assert_eq!(
        app.get(DASHBOARD[0], Some(&alice.token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime() {
    let app = TestApp::new();
    let alice = app.alice().await;
    app.time.advance(Duration::from_millis(29_999));
    assert_eq!(
        app.get(DASHBOARD[0], Some(&alice.token)).await.status,
        StatusCode::OK
    );
    app.time.advance(Duration::from_millis(1));
    let response = app.get(DASHBOARD[0], Some(&alice.token)).await;
    let error = response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );
    assert_eq!(
        response.header(header::WWW_AUTHENTICATE),
        Some(r#"Bearer error="invalid_token""#)
    );
}

#[tokio::test]
async fn a_revoked_role_is_refused_at_once() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let alice = app.alice().await;
    let roles = |roles: serde_json::Value| {
        let (app, token, id) = (&app, admin.token.clone(), alice.user_id.clone());
        async move {
            let path = format!("/api/identity/users/{id}/roles");
            let response = app
                .call(
                    axum::http::Method::PUT,
                    &path,
                    Some(&token),
                    Some(json!({ "roleNames": roles })),
                )
                .await;
            assert_eq!(
                response.status,
                StatusCode::NO_CONTENT,
                "{}",
                response.text()
            );
        }
    };
    let config = || app.get("/api/abp/application-configuration", Some(&alice.token));

    roles(json!(["user", "auditor"])).await;
    assert_eq!(
        app.get(REPORTS, Some(&alice.token)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        config().await.json()["auth"]["grantedPolicies"]["Reports.View"],
        true
    );

    roles(json!(["user"])).await;
    app.get(REPORTS, Some(&alice.token))
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "Volo.Authorization:010001");
    let after = config().await.json();
    assert!(
        after["auth"]["grantedPolicies"]
            .get("Reports.View")
            .is_none(),
        "{after}"
    );
    assert_eq!(after["currentUser"]["roles"], json!(["user"]));

    roles(json!([])).await;
    app.get(DASHBOARD[1], Some(&alice.token))
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "Volo.Authorization:010001");
}
