//! The API contract's JSON documents (camelCase on the wire).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /api/account/login` request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest<'a> {
    /// The user name.
    pub user_name: &'a str,
    /// The password.
    pub password: &'a str,
}

/// `POST /api/account/login` answer.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// Whether the login worked.
    #[serde(default)]
    pub success: bool,
    /// The access token.
    pub token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// The user's id.
    pub user_id: String,
    /// The access token's lifetime in seconds.
    pub expires_in: Option<u64>,
}

/// `GET /api/abp/application-configuration` (the subset the app reads).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationConfiguration {
    /// Who is calling.
    pub current_user: CurrentUser,
    /// What they may do.
    #[serde(default)]
    pub auth: AuthConfiguration,
}

/// The `currentUser` part of the application configuration.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CurrentUser {
    /// Whether the bearer token was accepted.
    pub is_authenticated: bool,
    /// The user's id.
    pub id: Option<String>,
    /// The login name.
    pub user_name: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The user's roles.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The `auth` part of the application configuration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfiguration {
    /// Policy name → granted.
    #[serde(default)]
    pub granted_policies: BTreeMap<String, bool>,
}

/// ABP's paged list.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PagedResult<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// How many there are in all.
    pub total_count: u64,
}

/// `GET /api/app/dashboard/summary`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSummary {
    /// Registered users.
    pub total_users: u64,
    /// Sessions alive now.
    pub active_sessions: u64,
    /// Revenue to date.
    pub revenue: f64,
    /// When the figures were taken.
    pub generated_at: String,
}

/// An item of `GET /api/app/orders`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The order id.
    pub id: String,
    /// Who ordered.
    pub customer: String,
    /// The order's total.
    pub total: f64,
    /// Its state.
    pub status: String,
}

/// An item of `GET /api/app/notifications`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The notification id.
    pub id: String,
    /// What it says.
    pub title: String,
    /// When it was raised.
    pub created_at: String,
    /// Whether it has been read.
    pub read: bool,
}

/// An item of `GET /api/app/activity`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The entry id.
    pub id: String,
    /// Who did it.
    pub user_name: String,
    /// What they did.
    pub action: String,
    /// When.
    pub at: String,
}

/// `GET /api/app/system/health`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SystemHealth {
    /// `healthy` when all is well.
    pub status: String,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
    /// The server's version.
    pub version: String,
}

/// An item of `GET /api/app/reports`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The report id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The period it covers.
    pub period: String,
    /// Its headline figure.
    pub value: f64,
}

/// An item of `GET /api/identity/users`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdentityUser {
    /// The user id.
    pub id: String,
    /// The login name.
    pub user_name: String,
    /// The display name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The user's roles.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// An item of `GET /api/identity/roles`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRole {
    /// The role name.
    pub name: String,
    /// The policies the role grants.
    #[serde(default)]
    pub granted_policies: Vec<String>,
}

/// `PUT /api/identity/users/{id}/roles` request.
#[derive(Clone, Debug, Serialize)]
pub struct UpdateRolesRequest<'a> {
    /// The complete new set of roles.
    pub roles: &'a [String],
}
