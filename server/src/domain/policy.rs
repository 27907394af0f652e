//! The permission names ("policies") the app's guards check.

use std::fmt;

use silent_refresh_contract::policy;

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

    /// The wire name, e.g. `Dashboard.View`, as the contract spells it.
    pub fn name(self) -> &'static str {
        match self {
            Policy::DashboardView => policy::DASHBOARD_VIEW,
            Policy::ReportsView => policy::REPORTS_VIEW,
            Policy::IdentityUsers => policy::IDENTITY_USERS,
            Policy::IdentityUsersUpdate => policy::IDENTITY_USERS_UPDATE,
        }
    }

    /// Its name for people, as ABP's permission definitions give one.
    pub fn display_name(self) -> &'static str {
        match self {
            Policy::DashboardView => "Dashboard",
            Policy::ReportsView => "Reports",
            Policy::IdentityUsers => "User management",
            Policy::IdentityUsersUpdate => "Edit",
        }
    }

    /// The permission this one belongs under, as ABP nests them.
    pub fn parent(self) -> Option<Policy> {
        match self {
            Policy::IdentityUsersUpdate => Some(Policy::IdentityUsers),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_policy_has_exactly_one_variant() {
        let names: Vec<&str> = Policy::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, policy::ALL);
    }
}
