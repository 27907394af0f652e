//! Where each endpoint of the API contract lives (below the API's origin):
//! the protocol's (the session layer's, re-exported) and the app's.

pub use silent_refresh_protocol::paths::*;

/// `GET`: the deployment settings the app reads before it mounts
/// (optional; beside `index.html`).
pub const APP_CONFIG_FILE: &str = "/app-config.json";
/// `GET`: the dashboard's figures.
pub const DASHBOARD_SUMMARY: &str = "/api/app/dashboard/summary";
/// `GET`: the orders.
pub const ORDERS: &str = "/api/app/orders";
/// `GET`: the notifications.
pub const NOTIFICATIONS: &str = "/api/app/notifications";
/// `GET`: the activity log.
pub const ACTIVITY: &str = "/api/app/activity";
/// `GET`: the server's health.
pub const SYSTEM_HEALTH: &str = "/api/app/system/health";
/// `GET`: the reports (needs `Reports.View`).
pub const REPORTS: &str = "/api/app/reports";
/// `GET` with `SkipCount` and `MaxResultCount`: a page of the users (needs
/// `AbpIdentity.Users`).
pub const IDENTITY_USERS: &str = "/api/identity/users";
/// `GET`: the roles a user may be given (needs `AbpIdentity.Users`).
pub const ASSIGNABLE_ROLES: &str = "/api/identity/users/assignable-roles";
/// `GET`: the roles (needs `AbpIdentity.Users`).
pub const IDENTITY_ROLES: &str = "/api/identity/roles";
/// `GET` with `providerName=R&providerKey={role}`: a role's permissions
/// (needs `AbpIdentity.Users`).
pub const PERMISSIONS: &str = "/api/permission-management/permissions";

/// `GET` a user's roles; `PUT` `{"roleNames":[…]}` to replace them (needs
/// `AbpIdentity.Users.Update`). `user_id` must already be percent-encoded
/// for a path segment.
pub fn user_roles(user_id: &str) -> String {
    format!("{IDENTITY_USERS}/{user_id}/roles")
}

/// The test controls, mounted only when the server runs with `--test-controls`.
pub mod test_controls {
    /// `GET`: call counts per endpoint.
    pub const STATS: &str = "/api/_test/stats";
    /// `POST`: set every count to zero.
    pub const STATS_RESET: &str = "/api/_test/stats/reset";
    /// `POST` a fault for the next calls of an endpoint; `DELETE` every fault.
    pub const FAULTS: &str = "/api/_test/faults";
    /// `POST`: every access token issued to a user so far gets `401`.
    pub const EXPIRE_ACCESS_TOKENS: &str = "/api/_test/expire-access-tokens";
    /// `POST`: a user's refresh tokens are revoked.
    pub const REVOKE_REFRESH_TOKENS: &str = "/api/_test/revoke-refresh-tokens";
    /// `POST`: the current two-factor code of a user who has it on.
    pub const TWO_FACTOR_CODE: &str = "/api/_test/two-factor-code";
    /// `GET`: the last calls the API saw, with the headers ABP's clients
    /// send.
    pub const REQUESTS: &str = "/api/_test/requests";
}
