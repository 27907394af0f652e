//! The pages behind the side menu: where they live and which policy opens
//! them. The router, the menu and the guards all read this one table.

use leptos_router::{PartialPathMatch, PathSegment, PossibleRouteMatch, StaticSegment};
pub use silent_refresh_contract::policy;

use crate::{config, i18n::Msg};

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
    /// Whether this build has the page at all (a constant, so a build
    /// without it leaves its code out).
    pub offered: bool,
}

/// The dashboard: five resources side by side.
pub const DASHBOARD: Page = Page {
    name: "dashboard",
    href: "/dashboard",
    policy: Some(policy::DASHBOARD_VIEW),
    title: Msg::Dashboard,
    offered: true,
};

/// The reports.
pub const REPORTS: Page = Page {
    name: "reports",
    href: "/reports",
    policy: Some(policy::REPORTS_VIEW),
    title: Msg::Reports,
    offered: true,
};

/// Users and their roles.
pub const ADMIN_USERS: Page = Page {
    name: "admin-users",
    href: "/admin/users",
    policy: Some(policy::IDENTITY_USERS),
    title: Msg::AdminUsers,
    // With an identity provider the roles are the provider's to manage.
    offered: !config::WITH_PROVIDER,
};

/// The current user's profile.
pub const PROFILE: Page = Page {
    name: "profile",
    href: "/profile",
    policy: None,
    title: Msg::Profile,
    offered: true,
};

/// The concurrent-call burst.
pub const DIAGNOSTICS: Page = Page {
    name: "diagnostics",
    href: "/diagnostics",
    policy: None,
    title: Msg::Diagnostics,
    offered: true,
};

impl Page {
    /// The router's path of this page.
    pub fn path(self) -> PagePath {
        PagePath(self.href)
    }
}

/// A route path made of a page's `href`, one static segment per part
/// (`/admin/users` is `admin`, then `users`). Hand-written because the
/// router's own static paths are tuples typed at compile time, which a
/// table of pages cannot produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PagePath(&'static str);

impl PagePath {
    fn segments(self) -> impl Iterator<Item = StaticSegment<&'static str>> {
        self.0
            .split('/')
            .filter(|part| !part.is_empty())
            .map(StaticSegment)
    }
}

impl PossibleRouteMatch for PagePath {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        let mut remaining = path;
        for segment in self.segments() {
            remaining = segment.test(remaining)?.remaining();
        }
        let matched = &path[..path.len() - remaining.len()];
        Some(PartialPathMatch::new(remaining, Vec::new(), matched))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        for segment in self.segments() {
            segment.generate_path(path);
        }
    }
}

/// The login page (outside the console and its menu).
pub const LOGIN: Page = Page {
    name: "login",
    href: "/login",
    policy: None,
    title: Msg::SignIn,
    offered: true,
};

/// Where the identity provider sends the browser back after a sign-in
/// (`AUTH_MODE=oidc`; outside the console, like the login page).
pub const SIGN_IN_CALLBACK: Page = Page {
    name: "sign-in-callback",
    href: config::OIDC_REDIRECT_PATH,
    policy: None,
    title: Msg::SignIn,
    offered: matches!(config::AUTH_MODE, config::AuthMode::Oidc),
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
                && !path.starts_with(LOGIN.href) =>
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
    fn a_page_path_matches_its_href_and_nothing_longer() {
        let path = ADMIN_USERS.path();
        let matched = path.test("/admin/users").expect("matches");
        assert!(matched.is_complete());
        assert_eq!(matched.matched(), "/admin/users");
        for other in ["/admin", "/admin/usersx", "/admin/user", "/reports"] {
            assert!(path.test(other).is_none_or(|m| !m.is_complete()), "{other}");
        }
        let mut generated = Vec::new();
        path.generate_path(&mut generated);
        assert_eq!(generated.len(), 2);
    }

    #[test]
    fn menu_names_are_unique() {
        let mut names: Vec<_> = MENU.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MENU.len());
    }
}
