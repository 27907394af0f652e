use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::http::testing::{TestApp, TestResponse};

const FORBIDDEN: &str = "Volo.Authorization:010001";

async fn set_roles(app: &TestApp, token: &str, user_id: &str, roles: Value) -> TestResponse {
    let path = format!("/api/identity/users/{user_id}/roles");
    app.call(
        Method::PUT,
        &path,
        Some(token),
        Some(json!({ "roleNames": roles })),
    )
    .await
}

/// The role names of `user_id`, as `GET …/{id}/roles` lists them.
async fn roles_of(app: &TestApp, token: &str, user_id: &str) -> Vec<String> {
    let response = app
        .get(&format!("/api/identity/users/{user_id}/roles"), Some(token))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|role| role["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn admins_page_through_users_without_roles_as_abp_lists_them() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let users = app.get("/api/identity/users", Some(&admin.token)).await;
    assert_eq!(users.status, StatusCode::OK);
    let users = users.json();
    assert_eq!(users["totalCount"], 2, "the host's users only");
    let first = &users["items"][0];
    assert_eq!(first["id"], admin.user_id.as_str());
    assert_eq!(first["userName"], "admin");
    assert_eq!(first["name"], "Administrator");
    assert_eq!(first["email"], "admin@example.com");
    assert_eq!(first["tenantId"], Value::Null);
    assert_eq!(first["isActive"], true);
    assert!(
        first["concurrencyStamp"]
            .as_str()
            .is_some_and(|s| s.len() == 32)
    );
    assert!(
        first.get("roles").is_none(),
        "ABP lists users without roles"
    );
    assert_eq!(users["items"][1]["userName"], "alice");
    // Paging as ABP's clients ask for it.
    let second = app
        .get(
            "/api/identity/users?SkipCount=1&MaxResultCount=1",
            Some(&admin.token),
        )
        .await
        .json();
    assert_eq!(second["totalCount"], 2);
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["items"][0]["userName"], "alice");

    let roles = app
        .get("/api/identity/roles", Some(&admin.token))
        .await
        .json();
    assert_eq!(roles["totalCount"], 3);
    let names: Vec<&str> = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|role| role["name"].as_str())
        .collect();
    assert_eq!(names, ["admin", "auditor", "user"]);
    assert_eq!(roles["items"][0]["isStatic"], true);
    assert!(
        roles["items"][0]["id"]
            .as_str()
            .is_some_and(|id| id.len() == 36)
    );
    let assignable = app
        .get("/api/identity/users/assignable-roles", Some(&admin.token))
        .await
        .json();
    assert_eq!(assignable["items"], roles["items"]);
    assert_eq!(
        roles_of(&app, &admin.token, &admin.user_id).await,
        ["admin"]
    );
}

#[tokio::test]
async fn users_without_the_policies_are_refused_in_abps_words() {
    let app = TestApp::new();
    let alice = app.alice().await;
    for path in [
        "/api/identity/users",
        "/api/identity/roles",
        "/api/identity/users/assignable-roles",
    ] {
        let refused = app.get(path, Some(&alice.token)).await;
        let error = refused.assert_abp_error(StatusCode::FORBIDDEN, FORBIDDEN);
        assert_eq!(
            error["message"],
            "Authorization failed! Given policy has not granted."
        );
        assert_eq!(
            refused.header("_abperrorformat".parse().unwrap()),
            Some("true")
        );
    }
    set_roles(&app, &alice.token, &alice.user_id, json!(["admin"]))
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, FORBIDDEN);
    app.get("/api/identity/users", None)
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn updating_roles_by_name_answers_204_and_changes_the_stamp() {
    let app = TestApp::new();
    let admin = app.admin().await;
    let alice = app.alice().await;
    let stamp = |users: Value| users["items"][1]["concurrencyStamp"].clone();
    let before = stamp(
        app.get("/api/identity/users", Some(&admin.token))
            .await
            .json(),
    );
    let response = set_roles(
        &app,
        &admin.token,
        &alice.user_id,
        json!(["user", "auditor", "user"]),
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{}",
        response.text()
    );
    assert_eq!(
        roles_of(&app, &admin.token, &alice.user_id).await,
        ["auditor", "user"]
    );
    let after = stamp(
        app.get("/api/identity/users", Some(&admin.token))
            .await
            .json(),
    );
    assert_ne!(before, after, "a change gives the user a new stamp");
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
    assert_eq!(errors[0]["members"], json!(["roleNames"]));
    // Nothing changed.
    assert_eq!(roles_of(&app, &admin.token, &alice.user_id).await, ["user"]);

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
            Some(json!({ "roleNames": ["user"] })),
        )
        .await;
    not_utf8.assert_abp_error(StatusCode::BAD_REQUEST, "bad_request");
    let missing_field = app
        .call(
            Method::PUT,
            &format!("/api/identity/users/{}/roles", alice.user_id),
            Some(&admin.token),
            Some(json!({ "roles": ["user"] })),
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
    assert_eq!(
        roles_of(&app, &admin.token, &admin.user_id).await,
        ["admin"]
    );
    // With a second admin, the first may step down.
    let promoted = set_roles(&app, &admin.token, &alice.user_id, json!(["admin"])).await;
    assert_eq!(promoted.status, StatusCode::NO_CONTENT);
    let demoted = set_roles(&app, &admin.token, &admin.user_id, json!(["user"])).await;
    assert_eq!(demoted.status, StatusCode::NO_CONTENT);
    let refused = set_roles(&app, &alice.token, &alice.user_id, json!([])).await;
    let error = refused.assert_abp_error(StatusCode::BAD_REQUEST, "last_admin");
    assert_eq!(
        error["message"],
        "The last administrator cannot lose the admin role."
    );
}

#[tokio::test]
async fn a_tenant_admin_sees_and_changes_its_own_tenants_users_only() {
    let app = TestApp::new();
    let wile = app.password_grant("wile", "wile123", Some("acme")).await;
    let token = wile.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let users = app.get("/api/identity/users", Some(&token)).await.json();
    let names: Vec<&str> = users["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|user| user["userName"].as_str())
        .collect();
    assert_eq!(names, ["bob", "wile"]);
    assert!(users["items"][0]["tenantId"].is_string());
    // A host user is not there for the tenant's admin.
    let alice = app.alice().await;
    set_roles(&app, &token, &alice.user_id, json!(["admin"]))
        .await
        .assert_abp_error(StatusCode::NOT_FOUND, "not_found");
    // The tenant's last admin keeps the role, whatever the host has.
    let wile_id = users["items"][1]["id"].as_str().expect("an id");
    set_roles(&app, &token, wile_id, json!(["user"]))
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "last_admin");
}
