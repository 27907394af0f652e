//! The permission names ("policies") the app's guards check.

use std::fmt;

/// A permission granted to roles. The wire name is what ABP calls a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// `Dashboard.View`: the dashboard and its sample resources.
    DashboardView,
    /// `Reports.View`: the reports resource.
    ReportsView,
    /// `AbpIdentity.Users`: list users and roles.
    IdentityUsers,
    /// `AbpIdentity.Users.Update`: change a user's roles.
    IdentityUsersUpdate,
}

impl Policy {
    /// Every policy, in a stable order.
    pub const ALL: [Policy; 4] = [
        Policy::DashboardView,
        Policy::ReportsView,
        Policy::IdentityUsers,
        Policy::IdentityUsersUpdate,
    ];

    /// The wire name, e.g. `Dashboard.View`.
    pub fn name(self) -> &'static str {
        match self {
            Policy::DashboardView => "Dashboard.View",
            Policy::ReportsView => "Reports.View",
            Policy::IdentityUsers => "AbpIdentity.Users",
            Policy::IdentityUsersUpdate => "AbpIdentity.Users.Update",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
