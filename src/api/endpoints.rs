//! Typed functions for the endpoints of the API contract.

use gloo_net::http::Method;

use super::{
    ApiClient, ApiError,
    http::{Body, Request, percent_encode},
    types::{
        Activity, ApplicationConfiguration, DashboardSummary, IdentityRole, IdentityUser,
        LoginRequest, LoginResponse, Notification, Order, PagedResult, Report, SystemHealth,
        UpdateRolesRequest,
    },
};
use crate::auth::{Refresher, TokenStore};

impl<S: TokenStore + 'static, R: Refresher + 'static> ApiClient<S, R> {
    /// `POST /api/account/login`. Sent without a token and never refreshed:
    /// its `401` means wrong credentials.
    pub async fn login(&self, user_name: &str, password: &str) -> Result<LoginResponse, ApiError> {
        let request = Request {
            body: Body::json(&LoginRequest {
                user_name,
                password,
            })?,
            ..Request::new(Method::POST, "/api/account/login")
        };
        let login: LoginResponse = self.transport().send(request).await?.success()?.json()?;
        if login.success && !login.token.is_empty() && !login.refresh_token.is_empty() {
            Ok(login)
        } else {
            Err(ApiError::Decode(
                "the login answer carries no tokens".into(),
            ))
        }
    }

    /// `POST /api/account/logout`: revokes the refresh token's family. Sent
    /// with whatever access token there is and never refreshed: logging out
    /// must not cost a refresh.
    pub async fn logout(
        &self,
        access_token: Option<&str>,
        refresh_token: &str,
    ) -> Result<(), ApiError> {
        let request = Request {
            bearer: access_token,
            body: Body::json(&serde_json::json!({ "refreshToken": refresh_token }))?,
            ..Request::new(Method::POST, "/api/account/logout")
        };
        self.transport().send(request).await?.success().map(drop)
    }

    /// `GET /api/abp/application-configuration`: roles, policies, current user.
    pub async fn application_configuration(&self) -> Result<ApplicationConfiguration, ApiError> {
        self.get("/api/abp/application-configuration").await
    }

    /// `GET /api/app/dashboard/summary`.
    pub async fn dashboard_summary(&self) -> Result<DashboardSummary, ApiError> {
        self.get("/api/app/dashboard/summary").await
    }

    /// `GET /api/app/orders`.
    pub async fn orders(&self) -> Result<PagedResult<Order>, ApiError> {
        self.get("/api/app/orders").await
    }

    /// `GET /api/app/notifications`.
    pub async fn notifications(&self) -> Result<PagedResult<Notification>, ApiError> {
        self.get("/api/app/notifications").await
    }

    /// `GET /api/app/activity`.
    pub async fn activity(&self) -> Result<PagedResult<Activity>, ApiError> {
        self.get("/api/app/activity").await
    }

    /// `GET /api/app/system/health`.
    pub async fn system_health(&self) -> Result<SystemHealth, ApiError> {
        self.get("/api/app/system/health").await
    }

    /// `GET /api/app/reports` (needs `Reports.View`).
    pub async fn reports(&self) -> Result<PagedResult<Report>, ApiError> {
        self.get("/api/app/reports").await
    }

    /// `GET /api/identity/users` (needs `AbpIdentity.Users`).
    pub async fn identity_users(&self) -> Result<PagedResult<IdentityUser>, ApiError> {
        self.get("/api/identity/users").await
    }

    /// `GET /api/identity/roles` (needs `AbpIdentity.Users`).
    pub async fn identity_roles(&self) -> Result<PagedResult<IdentityRole>, ApiError> {
        self.get("/api/identity/roles").await
    }

    /// `PUT /api/identity/users/{id}/roles` (needs `AbpIdentity.Users.Update`).
    pub async fn update_user_roles(
        &self,
        user_id: &str,
        roles: &[String],
    ) -> Result<IdentityUser, ApiError> {
        let path = format!("/api/identity/users/{}/roles", percent_encode(user_id));
        self.put(&path, &UpdateRolesRequest { roles }).await
    }
}
