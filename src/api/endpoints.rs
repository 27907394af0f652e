//! Typed functions for the endpoints of the API contract.

use silent_refresh_contract::{
    ApplicationConfiguration, LoginRequest, LogoutRequest, PagedResult, TokenResponse,
    identity::{IdentityRole, IdentityUser, UpdateRolesRequest},
    paths,
    resources::{Activity, DashboardSummary, Notification, Order, Report, SystemHealth},
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

    /// `GET /api/abp/application-configuration`: roles, policies, current user.
    pub async fn application_configuration(&self) -> Result<ApplicationConfiguration, ApiError> {
        self.client.get(paths::APP_CONFIG).await
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

    /// `GET /api/identity/users` (needs `AbpIdentity.Users`).
    pub async fn identity_users(&self) -> Result<PagedResult<IdentityUser>, ApiError> {
        self.client.get(paths::IDENTITY_USERS).await
    }

    /// `GET /api/identity/roles` (needs `AbpIdentity.Users`).
    pub async fn identity_roles(&self) -> Result<PagedResult<IdentityRole>, ApiError> {
        self.client.get(paths::IDENTITY_ROLES).await
    }

    /// `PUT /api/identity/users/{id}/roles` (needs `AbpIdentity.Users.Update`).
    pub async fn update_user_roles(
        &self,
        user_id: &str,
        roles: &[String],
    ) -> Result<IdentityUser, ApiError> {
        let path = paths::user_roles(&percent_encode(user_id));
        let body = UpdateRolesRequest {
            roles: roles.to_vec(),
        };
        self.client.put(&path, &body).await
    }
}
