//! ABP's permission management, the part that reads: `GET
//! /api/permission-management/permissions?providerName=R&providerKey={role}`,
//! every permission of this server in one group, and whether the role
//! grants it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use silent_refresh_contract::identity::{
    PermissionGrant, PermissionGroup, PermissionList, PermissionProvider,
};
use silent_refresh_contract::paths;

use crate::domain::policy::Policy;
use crate::domain::roles;
use crate::http::AppError;
use crate::http::guard::require_policy;
use crate::state::AppState;

/// `GET` [`paths::PERMISSIONS`], for callers granted `AbpIdentity.Users`
/// (who see the roles on the users page).
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(paths::PERMISSIONS, get(permissions))
        .route_layer(from_fn_with_state(
            (state.clone(), Policy::IdentityUsers),
            require_policy,
        ))
}

/// The provider asked about: `R` (a role) and its name.
#[derive(Deserialize)]
struct Provider {
    #[serde(rename = "providerName")]
    provider_name: String,
    #[serde(rename = "providerKey")]
    provider_key: String,
}

/// The provider ABP calls a role.
const ROLE_PROVIDER: &str = "R";

async fn permissions(
    State(state): State<AppState>,
    provider: Result<Query<Provider>, QueryRejection>,
) -> Result<Json<PermissionList>, AppError> {
    let Query(provider) = provider.map_err(|rejection| AppError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        code: "validation_error",
        message: rejection.body_text(),
    })?;
    if provider.provider_name != ROLE_PROVIDER {
        return Err(AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "validation_error",
            message: format!(
                "Only the role provider ({ROLE_PROVIDER}) is known here, not {:?}.",
                provider.provider_name
            ),
        });
    }
    let granted = state
        .store
        .with(|conn| roles::policies_of_role(conn, &provider.provider_key))?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no role named '{}'.",
                provider.provider_key
            ))
        })?;
    let permissions = Policy::ALL
        .iter()
        .map(|policy| {
            let is_granted = granted.iter().any(|name| name == policy.name());
            PermissionGrant {
                name: policy.name().to_owned(),
                display_name: policy.display_name().to_owned(),
                parent_name: policy.parent().map(|parent| parent.name().to_owned()),
                is_granted,
                allowed_providers: Vec::new(),
                granted_providers: if is_granted {
                    vec![PermissionProvider {
                        provider_name: ROLE_PROVIDER.into(),
                        provider_key: provider.provider_key.clone(),
                    }]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Ok(Json(PermissionList {
        entity_display_name: provider.provider_key,
        groups: vec![PermissionGroup {
            name: "SilentRefresh".into(),
            display_name: "Admin console".into(),
            permissions,
        }],
    }))
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::http::testing::TestApp;

    #[tokio::test]
    async fn a_roles_permissions_come_in_abps_shape() {
        let app = TestApp::new();
        let admin = app.admin().await;
        let list = app
            .get(
                "/api/permission-management/permissions?providerName=R&providerKey=auditor",
                Some(&admin.token),
            )
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text());
        let list = list.json();
        assert_eq!(list["entityDisplayName"], "auditor");
        let permissions = &list["groups"][0]["permissions"];
        let granted: Vec<&str> = permissions
            .as_array()
            .expect("permissions")
            .iter()
            .filter(|p| p["isGranted"] == true)
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(granted, ["Dashboard.View", "Reports.View"]);
        let dashboard = &permissions[0];
        assert_eq!(
            dashboard["grantedProviders"],
            json!([{"providerName": "R", "providerKey": "auditor"}])
        );
        assert_eq!(permissions[3]["parentName"], "AbpIdentity.Users");
    }

    #[tokio::test]
    async fn unknown_roles_and_providers_are_refused_and_users_need_the_policy() {
        let app = TestApp::new();
        let admin = app.admin().await;
        app.get(
            "/api/permission-management/permissions?providerName=R&providerKey=wizard",
            Some(&admin.token),
        )
        .await
        .assert_abp_error(StatusCode::NOT_FOUND, "not_found");
        app.get(
            "/api/permission-management/permissions?providerName=U&providerKey=x",
            Some(&admin.token),
        )
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
        let alice = app.alice().await;
        app.get(
            "/api/permission-management/permissions?providerName=R&providerKey=user",
            Some(&alice.token),
        )
        .await
        .assert_abp_error(StatusCode::FORBIDDEN, "Volo.Authorization:010001");
    }
}
