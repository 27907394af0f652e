//! ABP's tenant lookup: `GET /api/abp/multi-tenancy/tenants/by-name/{name}`
//! and `by-id/{id}`, anonymous, as a login form asks before it signs in.
//! An unknown tenant is `200` with `success: false`, as ABP answers.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use silent_refresh_contract::paths;
use silent_refresh_contract::tenants::FindTenantResult;

use crate::domain::tenants::{self, Tenant};
use crate::http::AppError;
use crate::state::AppState;

/// `GET` [`paths::TENANT_BY_NAME`]`/{name}` and [`paths::TENANT_BY_ID`]`/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(&format!("{}/{{name}}", paths::TENANT_BY_NAME), get(by_name))
        .route(&format!("{}/{{id}}", paths::TENANT_BY_ID), get(by_id))
}

async fn by_name(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<FindTenantResult>, AppError> {
    let Path(name) = name?;
    let found = state.store.with(|conn| tenants::by_name(conn, &name))?;
    Ok(Json(find_result(found)))
}

async fn by_id(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<FindTenantResult>, AppError> {
    let Path(id) = id?;
    let found = state.store.with(|conn| tenants::by_id(conn, &id))?;
    Ok(Json(find_result(found)))
}

fn find_result(found: Option<Tenant>) -> FindTenantResult {
    match found {
        Some(tenant) => FindTenantResult {
            success: true,
            tenant_id: Some(tenant.id),
            normalized_name: Some(tenant.name.to_uppercase()),
            name: Some(tenant.name),
            is_active: Some(tenant.is_active),
        },
        None => FindTenantResult {
            is_active: Some(false),
            ..FindTenantResult::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use crate::http::testing::TestApp;

    #[tokio::test]
    async fn a_tenant_is_found_by_name_in_any_case_and_by_id() {
        let app = TestApp::new();
        let found = app
            .get("/api/abp/multi-tenancy/tenants/by-name/ACME", None)
            .await;
        assert_eq!(found.status, StatusCode::OK);
        let found = found.json();
        assert_eq!(found["success"], true);
        assert_eq!(found["name"], "acme");
        assert_eq!(found["normalizedName"], "ACME");
        assert_eq!(found["isActive"], true);
        let id = found["tenantId"].as_str().expect("an id").to_owned();
        let by_id = app
            .get(&format!("/api/abp/multi-tenancy/tenants/by-id/{id}"), None)
            .await
            .json();
        assert_eq!(by_id, found);
    }

    #[tokio::test]
    async fn an_unknown_tenant_is_a_200_without_success() {
        let app = TestApp::new();
        let missing = app
            .get("/api/abp/multi-tenancy/tenants/by-name/nobody", None)
            .await;
        assert_eq!(missing.status, StatusCode::OK);
        assert_eq!(
            missing.json(),
            json!({"success": false, "tenantId": null, "name": null, "normalizedName": null, "isActive": false})
        );
    }
}
