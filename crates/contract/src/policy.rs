//! The permission names ("policies" in ABP) the server grants through roles
//! and the app's guards check.

/// See the dashboard and its resources.
pub const DASHBOARD_VIEW: &str = "Dashboard.View";
/// See the reports.
pub const REPORTS_VIEW: &str = "Reports.View";
/// List users and roles.
pub const IDENTITY_USERS: &str = "AbpIdentity.Users";
/// Grant and revoke roles.
pub const IDENTITY_USERS_UPDATE: &str = "AbpIdentity.Users.Update";

/// Every policy, in a stable order.
pub const ALL: [&str; 4] = [
    DASHBOARD_VIEW,
    REPORTS_VIEW,
    IDENTITY_USERS,
    IDENTITY_USERS_UPDATE,
];
