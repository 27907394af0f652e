//! `GET /api/abp/application-configuration`: the current user, their roles and
//! granted policies, read from the database on every call (with
//! `--oidc-issuer` the user and roles from the provider's token).

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use silent_refresh_contract::app_config::{
    ApplicationConfiguration, AuthConfiguration, Culture, CurrentUser, Localization,
};
use silent_refresh_contract::paths;
use silent_refresh_contract::test_controls::Endpoint;

use crate::http::extract::MaybeAuthUser;
use crate::http::tracking::track;
use crate::state::AppState;

/// `GET` [`paths::APP_CONFIG`].
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new().route(
        paths::APP_CONFIG,
        get(configuration).route_layer(from_fn_with_state(
            (state.clone(), Endpoint::AppConfig),
            track,
        )),
    )
}

async fn configuration(MaybeAuthUser(principal): MaybeAuthUser) -> Json<ApplicationConfiguration> {
    let (current_user, auth) = match principal {
        Some(principal) => (
            CurrentUser {
                is_authenticated: true,
                id: Some(principal.id),
                user_name: Some(principal.user_name),
                name: Some(principal.name),
                email: principal.email,
                roles: principal.roles,
            },
            AuthConfiguration {
                granted_policies: principal
                    .policies
                    .into_iter()
                    .map(|policy| (policy, true))
                    .collect(),
            },
        ),
        None => (CurrentUser::default(), AuthConfiguration::default()),
    };
    Json(ApplicationConfiguration {
        current_user,
        auth,
        localization: Localization {
            current_culture: Culture { name: "en".into() },
        },
    })
}

#[cfg(test)]
mod tests {
    use axum::http::{StatusCode, header};
    use serde_json::json;

    use crate::http::testing::TestApp;

    const PATH: &str = "/api/abp/application-configuration";

    #[tokio::test]
    async fn anonymous_configuration() {
        let app = TestApp::new();
        let response = app.get(PATH, None).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(
            response.json(),
            json!({
                "currentUser": {
                    "isAuthenticated": false,
                    "id": null,
                    "userName": null,
                    "name": null,
                    "email": null,
                    "roles": []
                },
                "auth": { "grantedPolicies": {} },
                "localization": { "currentCulture": { "name": "en" } }
            })
        );
    }

    #[tokio::test]
    async fn signed_in_configuration_lists_roles_and_policies() {
        let app = TestApp::new();
        let admin = app.admin().await;
        let body = app.get(PATH, Some(&admin.token)).await.json();
        assert_eq!(
            body["currentUser"],
            json!({
                "isAuthenticated": true,
                "id": admin.user_id,
                "userName": "admin",
                "name": "Administrator",
                "email": "admin@example.com",
                "roles": ["admin"]
            })
        );
        assert_eq!(
            body["auth"]["grantedPolicies"],
            json!({
                "AbpIdentity.Users": true,
                "AbpIdentity.Users.Update": true,
                "Dashboard.View": true,
                "Reports.View": true
            })
        );
        let alice = app.alice().await;
        let body = app.get(PATH, Some(&alice.token)).await.json();
        assert_eq!(
            body["auth"]["grantedPolicies"],
            json!({ "Dashboard.View": true })
        );
    }

    #[tokio::test]
    async fn an_invalid_bearer_is_refused_not_treated_as_anonymous() {
        let app = TestApp::new();
        let response = app.get(PATH, Some("not-a-jwt")).await;
        response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
        assert_eq!(
            response.header(header::WWW_AUTHENTICATE),
            Some(r#"Bearer error="invalid_token""#)
        );
    }
}
