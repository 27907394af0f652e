//! Typed functions for the endpoints of the API contract.

use silent_refresh_contract::{
    ApplicationConfiguration, ListResult, LoginRequest, LogoutRequest, PagedResult, TokenResponse,
    identity::{IdentityRole, IdentityUser, PermissionList, UpdateRolesRequest},
    paths,
    resources::{Activity, DashboardSummary, Notification, Order, Report, SystemHealth},
    tenants::FindTenantResult,
};
use silent_refresh_core::{Refresher, TokenStore};
use silent_refresh_web::{ApiClient, ApiError, Body, Method, Request, percent_encode};

/// The app's calls, each through the session layer's [`ApiClient`] over
/// the token store `S`, refreshing with `R`. Cheap to clone.
pub struct Api<S, R> {
    client: ApiClient<S, R>,
}

impl<S, R> Clone for Api<S, R> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
        }
    }
}

impl<S: TokenStore + 'static, R: Refresher + 'static> Api<S, R> {
    /// The calls over `client`.
    pub fn new(client: ApiClient<S, R>) -> Self {
        Self { client }
    }

    /// The client underneath (its coordinator's status, raw calls).
    pub fn client(&self) -> &ApiClient<S, R> {
        &self.client
    }

    /// `POST /api/account/login`. Sent without a token and never refreshed:
    /// its `401` means wrong credentials. The answer must carry both tokens
    /// and the user id.
    pub async fn login(&self, user_name: &str, password: &str) -> Result<TokenResponse, ApiError> {
        let request = Request {
            body: Body::json(&LoginRequest {
                user_name: user_name.to_owned(),
                password: password.to_owned(),
            })?,
            ..Request::new(Method::POST, paths::LOGIN)
        };
        let login: TokenResponse = self
            .client
            .transport()
            .send(request)
            .await?
            .success()?
            .json()?;
        let complete = login.success
            && !login.token.is_empty()
            && !login.refresh_token.is_empty()
            && login.user_id.as_deref().is_some_and(|id| !id.is_empty());
        if complete {
            Ok(login)
        } else {
            Err(ApiError::Decode(
                "the login answer carries no tokens".into(),
            ))
        }
    }

    /// `POST /api/account/logout`: revokes the refresh token's family with
    /// the refresh token alone, outside the coordinator (the session is over
    /// by then).
    pub async fn logout(&self, refresh_token: &str) -> Result<(), ApiError> {
        let request = Request {
            body: Body::json(&LogoutRequest {
                refresh_token: refresh_token.to_owned(),
            })?,
            ..Request::new(Method::POST, paths::LOGOUT)
        };
        self.client
            .transport()
            .send(request)
            .await?
            .success()
            .map(drop)
    }

    /// `GET /api/abp/application-configuration`: roles, policies, current
    /// user, tenancy. Without the translations (the app has its own), so a
    /// stock ABP server does not send every text on every role re-check.
    pub async fn application_configuration(&self) -> Result<ApplicationConfiguration, ApiError> {
        let path = format!("{}?includeLocalizationResources=false", paths::APP_CONFIG);
        self.client.get(&path).await
    }

    /// `GET /api/abp/multi-tenancy/tenants/by-name/{name}`: whether there is
    /// such a tenant, and its id.
    pub async fn find_tenant(&self, name: &str) -> Result<FindTenantResult, ApiError> {
        let path = format!("{}/{}", paths::TENANT_BY_NAME, percent_encode(name));
        self.client.get(&path).await
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
