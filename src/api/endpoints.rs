//! Typed functions for the endpoints of the API contract.

use silent_refresh_contract::{
    ListResult, PagedResult,
    identity::{IdentityRole, IdentityUser, PermissionList, UpdateRolesRequest},
    paths,
    resources::{Activity, DashboardSummary, Notification, Order, Report, SystemHealth},
};
use silent_refresh_leptos::{AuthStore, SessionClient};
use silent_refresh_web::{ApiError, Body, Method, percent_encode};

/// The app's calls, each through the session's API client (the bearer
/// token, the one shared refresh on `401`). Cheap to clone.
#[derive(Clone)]
pub struct Api {
    client: SessionClient,
}

impl Api {
    /// The calls over `auth`'s client.
    pub fn of(auth: AuthStore) -> Self {
        Self {
            client: auth.client(),
        }
    }

    /// The client underneath (its coordinator's status, raw calls).
    pub fn client(&self) -> &SessionClient {
        &self.client
    }

    /// `GET /api/app/dashboard/summary`.
    pub async fn dashboard_summary(&self) -> Result<DashboardSummary, ApiError> {
        self.client.get(paths::DASHBOARD_SUMMARY).await
    }

    /// `GET /api/app/orders`.
    pub async fn orders(&self) -> Result<PagedResult<Order>, ApiError> {
        self.client.get(paths::ORDERS).await
    }

    /// `GET /api/app/notifications`.
    pub async fn notifications(&self) -> Result<PagedResult<Notification>, ApiError> {
        self.client.get(paths::NOTIFICATIONS).await
    }

    /// `GET /api/app/activity`.
    pub async fn activity(&self) -> Result<PagedResult<Activity>, ApiError> {
        self.client.get(paths::ACTIVITY).await
    }

    /// `GET /api/app/system/health`.
    pub async fn system_health(&self) -> Result<SystemHealth, ApiError> {
        self.client.get(paths::SYSTEM_HEALTH).await
    }

    /// `GET /api/app/reports` (needs `Reports.View`).
    pub async fn reports(&self) -> Result<PagedResult<Report>, ApiError> {
        self.client.get(paths::REPORTS).await
    }

    /// `GET /api/identity/users?SkipCount=&MaxResultCount=`: a page of the
    /// users, without their roles (needs `AbpIdentity.Users`).
    pub async fn identity_users(
        &self,
        skip: u64,
        take: u64,
    ) -> Result<PagedResult<IdentityUser>, ApiError> {
        let path = format!(
            "{}?SkipCount={skip}&MaxResultCount={take}",
            paths::IDENTITY_USERS
        );
        self.client.get(&path).await
    }

    /// `GET /api/identity/users/{id}/roles` (needs `AbpIdentity.Users.Update`).
    pub async fn user_roles(&self, user_id: &str) -> Result<ListResult<IdentityRole>, ApiError> {
        self.client
            .get(&paths::user_roles(&percent_encode(user_id)))
            .await
    }

    /// `GET /api/identity/users/assignable-roles` (needs `AbpIdentity.Users`).
    pub async fn assignable_roles(&self) -> Result<ListResult<IdentityRole>, ApiError> {
        self.client.get(paths::ASSIGNABLE_ROLES).await
    }

    /// `GET /api/permission-management/permissions?providerName=R&providerKey={role}`:
    /// what `role` grants.
    pub async fn role_permissions(&self, role: &str) -> Result<PermissionList, ApiError> {
        let path = format!(
            "{}?providerName=R&providerKey={}",
            paths::PERMISSIONS,
            percent_encode(role)
        );
        self.client.get(&path).await
    }

    /// `PUT /api/identity/users/{id}/roles` with `{"roleNames":[…]}` (needs
    /// `AbpIdentity.Users.Update`); ABP answers `204`.
    pub async fn update_user_roles(&self, user_id: &str, roles: &[String]) -> Result<(), ApiError> {
        let path = paths::user_roles(&percent_encode(user_id));
        let body = UpdateRolesRequest {
            role_names: roles.to_vec(),
        };
        self.client
            .call(Method::PUT, &path, Body::json(&body)?)
            .await
            .map(drop)
    }
}
