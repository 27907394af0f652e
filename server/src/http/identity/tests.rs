use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::http::testing::{TestApp, TestResponse};

async fn set_roles(app: &TestApp, token: &str, user_id: &str, roles: Value) -> TestResponse {
    let path = format!("/api/identity/users/{user_id}/roles");
    app.call(
        Method::PUT,
        &path,
        Some(token),
        Some(json!({ "roles": roles })),
    )
    .await
}

#[tokio::test]
async fn admins_list_users_and_roles() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let users = app.get("/api/identity/users", Some(&admin.token)).await;
    assert_eq!(users.status, StatusCode::OK);
    let users = users.json();
    assert_eq!(users["totalCount"], 2);
    assert_eq!(
        users["items"][0],
        json!({
            "id": admin.user_id,
            "userName": "admin",
            "name": "Administrator",
            "email": "admin@example.com",
            "roles": ["admin"]
        })
    );
    assert_eq!(users["items"][1]["userName"], "alice");
    assert_eq!(users["items"][1]["roles"], json!(["user"]));

    let roles = app
        .get("/api/identity/roles", Some(&admin.token))
        .await
        .json();
    assert_eq!(roles["totalCount"], 3);
    assert_eq!(
        roles["items"],
        json!([
            {"name": "admin", "grantedPolicies": ["AbpIdentity.Users", "AbpIdentity.Users.Update", "Dashboard.View", "Reports.View"]},
            {"name": "auditor", "grantedPolicies": ["Dashboard.View", "Reports.View"]},
            {"name": "user", "grantedPolicies": ["Dashboard.View"]}
        ])
    );
}

#[tokio::test]
async fn users_without_the_policies_are_refused() {
    let app = TestApp::new();
    let alice = app.alice().await;
    for path in ["/api/identity/users", "/api/identity/roles"] {
        app.get(path, Some(&alice.token))
            .await
            .assert_abp_error(StatusCode::FORBIDDEN, "forbidden");
    }
    set_roles(&app, &alice.token, &alice.user_id, json!(["admin"]))
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "forbidden");
    app.get("/api/identity/users", None)
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn updating_roles_returns_the_updated_user() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let alice = app.alice().await;
    let response = set_roles(
        &app,
        &admin.token,
        &alice.user_id,
        json!(["user", "auditor", "user"]),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.json(),
        json!({
            "id": alice.user_id,
            "userName": "alice",
            "name": "Alice Liddell",
            "email": "alice@example.com",
            "roles": ["auditor", "user"]
        })
    );
}

#[tokio::test]
async fn unknown_roles_and_users_are_refused() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let alice = app.alice().await;
    let response = set_roles(
        &app,
        &admin.token,
        &alice.user_id,
        json!(["user", "wizard", "Admin"]),
    )
    .await;
    let error = response.assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
    let errors = error["validationErrors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(errors.len(), 2, "{error}");
    assert!(errors.iter().any(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("'wizard'"))
    }));
    assert_eq!(errors[0]["members"], json!(["roles"]));
    // Nothing changed.
    let users = app
        .get("/api/identity/users", Some(&admin.token))
        .await
        .json();
    assert_eq!(users["items"][1]["roles"], json!(["user"]));

    set_roles(
        &app,
        &admin.token,
        "00000000-0000-4000-8000-000000000000",
        json!(["user"]),
    )
    .await
    .assert_abp_error(StatusCode::NOT_FOUND, "not_found");
    let not_utf8 = app
        .call(
            Method::PUT,
            "/api/identity/users/%FF/roles",
            Some(&admin.token),
            Some(json!({ "roles": ["user"] })),
        )
        .await;
    not_utf8.assert_abp_error(StatusCode::BAD_REQUEST, "bad_request");
    let missing_field = app
        .call(
            Method::PUT,
            &format!("/api/identity/users/{}/roles", alice.user_id),
            Some(&admin.token),
            Some(json!({ "role": "user" })),
        )
        .await;
    missing_field.assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
}

#[tokio::test]
async fn the_last_admin_keeps_the_admin_role() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let alice = app.alice().await;
    let refused = set_roles(&app, &admin.token, &admin.user_id, json!(["user"])).await;
    let error = refused.assert_abp_error(StatusCode::BAD_REQUEST, "last_admin");
    assert_eq!(
        error["message"],
        "The last administrator cannot lose the admin role."
    );
    // Nothing changed: the admin is still an admin.
    let users = app
        .get("/api/identity/users", Some(&admin.token))
        .await
        .json();
    assert_eq!(users["items"][0]["roles"], json!(["admin"]));
    // With a second admin, the first may step down.
    let promoted = set_roles(&app, &admin.token, &alice.user_id, json!(["admin"])).await;
    assert_eq!(promoted.status, StatusCode::OK);
    let demoted = set_roles(&app, &admin.token, &admin.user_id, json!(["user"])).await;
    assert_eq!(demoted.status, StatusCode::OK);
    let refused = set_roles(&app, &alice.token, &alice.user_id, json!([])).await;
    let error = refused.assert_abp_error(StatusCode::BAD_REQUEST, "last_admin");
    assert_eq!(
        error["message"],
        "The last administrator cannot lose the admin role."
    );
}
