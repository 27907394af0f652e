use axum::http::{StatusCode, header};
use serde_json::json;

use crate::http::testing::{TestApp, TestResponse};

fn assert_oauth_error(response: &TestResponse, error: &str) {
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text()
    );
    let body = response.json();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
}

#[tokio::test]
async fn the_refresh_token_grant_rotates() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let form = format!(
        "grant_type=refresh_token&refresh_token={}&client_id=silent-refresh-app",
        alice.refresh_token
    );
    let response = app.token(&form).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(response.header(header::PRAGMA), Some("no-cache"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 30);
    let access = body["access_token"].as_str().unwrap_or_default();
    let config = app
        .get("/api/abp/application-configuration", Some(access))
        .await
        .json();
    assert_eq!(config["currentUser"]["id"], json!(alice.user_id));

    // Replaying the spent token revokes the family, the new token included.
    let replay = app.token(&form).await;
    assert_oauth_error(&replay, "invalid_grant");
    assert_eq!(replay.header(header::CACHE_CONTROL), Some("no-store"));
    let newest = body["refresh_token"].as_str().unwrap_or_default();
    let form = format!("grant_type=refresh_token&refresh_token={newest}");
    assert_oauth_error(&app.token(&form).await, "invalid_grant");
}

#[tokio::test]
async fn bad_requests_get_oauth_errors() {
    let app = TestApp::new();
    let unsupported = app.token("grant_type=client_credentials").await;
    assert_oauth_error(&unsupported, "unsupported_grant_type");
    assert_oauth_error(&app.token("grant_type=password").await, "invalid_request");
    assert_oauth_error(
        &app.token("grant_type=refresh_token").await,
        "invalid_request",
    );
    assert_oauth_error(&app.token("refresh_token=abc").await, "invalid_request");
    assert_oauth_error(
        &app.token("grant_type=refresh_token&refresh_token=abc")
            .await,
        "invalid_grant",
    );
    let json_body = app
        .post(
            "/connect/token",
            None,
            json!({ "grant_type": "refresh_token" }),
        )
        .await;
    assert_oauth_error(&json_body, "invalid_request");
}

#[tokio::test]
async fn the_password_grant_signs_in_as_abps_clients_do() {
    let app = TestApp::new();
    let response = app.password_grant("alice", "alice123", None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 30);
    let access = body["access_token"].as_str().unwrap_or_default();
    let config = app
        .get("/api/abp/application-configuration", Some(access))
        .await
        .json();
    assert_eq!(config["currentUser"]["userName"], "alice");
    // The refresh token it gave rotates like any other.
    let refresh = body["refresh_token"].as_str().unwrap_or_default();
    let form = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id=silent-refresh-app&scope=offline_access"
    );
    assert_eq!(app.token(&form).await.status, StatusCode::OK);
    // Reused: OpenIddict's words.
    let reused = app.token(&form).await;
    assert_oauth_error(&reused, "invalid_grant");
    assert_eq!(
        reused.json()["error_description"],
        "The specified refresh token has already been redeemed."
    );
}

#[tokio::test]
async fn without_offline_access_no_refresh_token_comes() {
    let app = TestApp::new();
    let response = app
        .token("grant_type=password&username=alice&password=alice123&client_id=silent-refresh-app&scope=openid")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert!(response.json().get("refresh_token").is_none());
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_abps_words_and_language() {
    let app = TestApp::new();
    let wrong = app.password_grant("alice", "nope", None).await;
    assert_oauth_error(&wrong, "invalid_grant");
    let body = wrong.json();
    assert_eq!(body["error_description"], "Invalid username or password!");
    assert_eq!(
        body["error_uri"],
        "https://documentation.openiddict.com/errors/ID2024"
    );
    let chinese = app
        .token_with(
            "grant_type=password&username=alice&password=nope&client_id=silent-refresh-app",
            &[("accept-language", "zh-Hans, zh-CN;q=0.9")],
        )
        .await;
    assert_eq!(chinese.json()["error_description"], "用户名或密码无效！");
}

#[tokio::test]
async fn a_client_id_the_server_does_not_know_is_invalid_client() {
    let app = TestApp::new();
    let response = app
        .token("grant_type=password&username=alice&password=alice123&client_id=someone-else")
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        response.text()
    );
    let body = response.json();
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        body["error_description"],
        "The specified 'client_id' is invalid."
    );
}

#[tokio::test]
async fn a_tenants_users_are_found_only_in_their_tenant() {
    let app = TestApp::new();
    // Without the tenant the host is searched: no such user.
    let host = app.password_grant("wile", "wile123", None).await;
    assert_oauth_error(&host, "invalid_grant");
    assert_eq!(
        host.json()["error_description"],
        "Invalid username or password!"
    );
    // By name and by id.
    let by_name = app.password_grant("wile", "wile123", Some("acme")).await;
    assert_eq!(by_name.status, StatusCode::OK, "{}", by_name.text());
    let tenant = app
        .get("/api/abp/multi-tenancy/tenants/by-name/acme", None)
        .await
        .json()["tenantId"]
        .as_str()
        .expect("an id")
        .to_owned();
    let by_id = app.password_grant("wile", "wile123", Some(&tenant)).await;
    assert_eq!(by_id.status, StatusCode::OK);
    let access = by_id.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let config = app
        .get("/api/abp/application-configuration", Some(&access))
        .await
        .json();
    assert_eq!(config["currentUser"]["tenantId"], tenant.as_str());
    assert_eq!(config["currentTenant"]["name"], "acme");
    assert_eq!(config["multiTenancy"]["isEnabled"], true);
    // A host user is not found in the tenant, nor is an unknown tenant served.
    let alice = app.password_grant("alice", "alice123", Some("acme")).await;
    assert_oauth_error(&alice, "invalid_grant");
    assert_oauth_error(
        &app.password_grant("wile", "wile123", Some("nobody")).await,
        "invalid_request",
    );
}

#[tokio::test]
async fn a_two_factor_user_is_asked_for_the_code_and_signs_in_with_it() {
    let app = TestApp::new();
    let first = app.password_grant("bob", "bob123", Some("acme")).await;
    assert_oauth_error(&first, "invalid_grant");
    let body = first.json();
    assert_eq!(body["error_description"], "RequiresTwoFactor");
    let user_id = body["userId"].as_str().expect("userId");
    assert_eq!(user_id.len(), 32, "ABP's Guid(\"N\"): {user_id}");
    assert!(body["twoFactorToken"].is_string(), "{body}");
    let form = |code: &str| {
        format!(
            "grant_type=password&username=bob&password=bob123&client_id=silent-refresh-app\
             &scope=offline_access&TwoFactorProvider=Authenticator&TwoFactorCode={code}"
        )
    };
    let wrong = app
        .token_with(&form("000000"), &[("__tenant", "acme")])
        .await;
    assert_oauth_error(&wrong, "invalid_grant");
    assert_eq!(
        wrong.json()["error_description"],
        "Invalid authenticator code!"
    );
    let key = app
        .state
        .store
        .with(|conn| crate::domain::users::two_factor_key(conn, "bob"))
        .expect("the store")
        .expect("bob has a key");
    let code = crate::domain::two_factor::code_at(&key, app.state.clock.now_ms());
    let signed_in = app.token_with(&form(&code), &[("__tenant", "acme")]).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text());
}

#[tokio::test]
async fn revocation_ends_the_session_and_discovery_names_the_endpoints() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let revoked = app
        .form(
            "/connect/revocat",
            &format!(
                "token={}&token_type_hint=refresh_token&client_id=silent-refresh-app",
                alice.refresh_token
            ),
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let form = format!(
        "grant_type=refresh_token&refresh_token={}",
        alice.refresh_token
    );
    let refused = app.token(&form).await;
    assert_eq!(
        refused.json()["error_description"],
        "The specified refresh token is no longer valid."
    );
    // An unknown token is no error (RFC 7009 §2.2).
    assert_eq!(
        app.form("/connect/revocat", "token=never-issued", &[])
            .await
            .status,
        StatusCode::OK
    );
    let discovery = app.get("/.well-known/openid-configuration", None).await;
    assert_eq!(discovery.status, StatusCode::OK);
    let discovery = discovery.json();
    assert!(
        discovery["revocation_endpoint"]
            .as_str()
            .is_some_and(|url| url.ends_with("/connect/revocat")),
        "{discovery}"
    );
    assert!(
        discovery["token_endpoint"]
            .as_str()
            .is_some_and(|url| url.ends_with("/connect/token")),
        "{discovery}"
    );
}

#[tokio::test]
async fn the_token_endpoint_answers_a_retry_with_the_same_key_again() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let form = format!(
        "grant_type=refresh_token&refresh_token={}&client_id=silent-refresh-app",
        alice.refresh_token
    );
    let first = app.token_with(&form, &[("idempotency-key", "k1")]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let again = app.token_with(&form, &[("idempotency-key", "k1")]).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["refresh_token"], first.json()["refresh_token"]);
    let other = app.token_with(&form, &[("idempotency-key", "k2")]).await;
    assert_oauth_error(&other, "invalid_grant");
    assert_eq!(
        other.json()["error_description"],
        "The specified refresh token has already been redeemed."
    );
}
