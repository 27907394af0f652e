//! The pages behind the side menu: where they live and which policy opens
//! them. The router, the menu and the guards all read this one table.

use crate::i18n::Msg;

/// The policy names the server grants (see the API contract).
pub mod policy {
    /// See the dashboard and its resources.
    pub const DASHBOARD_VIEW: &str = "Dashboard.View";
    /// See the reports.
    pub const REPORTS_VIEW: &str = "Reports.View";
    /// List users and roles.
    pub const IDENTITY_USERS: &str = "AbpIdentity.Users";
    /// Grant and revoke roles.
    pub const IDENTITY_USERS_UPDATE: &str = "AbpIdentity.Users.Update";
}

/// A page of the admin console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// The route name, used in `data-testid="nav-item-<name>"`.
    pub name: &'static str,
    /// Where it lives.
    pub href: &'static str,
    /// The policy a user needs to open it; `None`: any logged-in user.
    pub policy: Option<&'static str>,
    /// Its title in the menu.
    pub title: Msg,
}

/// The dashboard: five resources side by side.
pub const DASHBOARD: Page = Page {
    name: "dashboard",
    href: "/dashboard",
    policy: Some(policy::DASHBOARD_VIEW),
    title: Msg::Dashboard,
};

/// The reports.
pub const REPORTS: Page = Page {
    name: "reports",
    href: "/reports",
    policy: Some(policy::REPORTS_VIEW),
    title: Msg::Reports,
};

/// Users and their roles.
pub const ADMIN_USERS: Page = Page {
    name: "admin-users",
    href: "/admin/users",
    policy: Some(policy::IDENTITY_USERS),
    title: Msg::AdminUsers,
};

/// The current user's profile.
pub const PROFILE: Page = Page {
    name: "profile",
    href: "/profile",
    policy: None,
    title: Msg::Profile,
};

/// The concurrent-call burst.
pub const DIAGNOSTICS: Page = Page {
    name: "diagnostics",
    href: "/diagnostics",
    policy: None,
    title: Msg::Diagnostics,
};

/// The side menu, in order.
pub const MENU: [Page; 5] = [DASHBOARD, REPORTS, ADMIN_USERS, PROFILE, DIAGNOSTICS];

/// Where the user lands after login when there is nowhere to go back to.
pub const HOME: &str = DASHBOARD.href;

/// The path to return to after login: only a path of this app (`/…`, not
/// `//host…`, not the login page itself), else [`HOME`].
pub fn return_path(requested: Option<&str>) -> &str {
    match requested {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with("/login") =>
        {
            path
        }
        _ => HOME,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(return_path(Some("/reports?x=1")), "/reports?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "reports",
            "/login",
        ] {
            assert_eq!(return_path(Some(bad)), HOME, "{bad}");
        }
        assert_eq!(return_path(None), HOME);
    }

    #[test]
    fn menu_names_are_unique() {
        let mut names: Vec<_> = MENU.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MENU.len());
    }
}
