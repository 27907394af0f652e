//! Where the console's pages are split off. In a build with
//! `--cfg wasm_split` (`scripts/trunk-app.sh`) the pages below land in wasm
//! chunks fetched when one of them is first visited: `console` (the
//! dashboard, the reports and the profile, which most sessions open: one
//! chunk costs fewer round trips than three), `admin_users` and
//! `diagnostics` (with the timeline). In any other build each is an
//! ordinary call.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    components::{BuildPage, LoadPage, PageFuture},
    routes::{ADMIN_USERS, DASHBOARD, DIAGNOSTICS, HOME, PROFILE, REPORTS},
};

/// Defines `pub fn $name() -> PageFuture`: the builder of `$page`, from
/// the chunk named `$chunk`.
macro_rules! split_page {
    ($(#[$doc:meta])* $name:ident in $chunk:ident => $page:path) => {
        $(#[$doc])*
        pub fn $name() -> PageFuture {
            #[cfg_attr(
                wasm_split,
                leptos::wasm_split::wasm_split(
                    $chunk,
                    fallible,
                    wasm_split_path = ::leptos::wasm_split
                )
            )]
            fn $name() -> Result<BuildPage, leptos::wasm_split::SplitLoaderError> {
                Ok(|| view! { <$page/> }.into_any())
            }
            #[cfg(wasm_split)]
            return Box::pin($name());
            #[cfg(not(wasm_split))]
            return Box::pin(async { $name() });
        }
    };
}

split_page!(
    /// The dashboard.
    dashboard in console => super::DashboardPage
);
split_page!(
    /// The reports.
    reports in console => super::ReportsPage
);
split_page!(
    /// Users and their roles.
    admin_users in admin_users => super::AdminUsersPage
);
split_page!(
    /// The current user's profile.
    profile in console => super::ProfilePage
);
split_page!(
    /// The diagnostics, with the session timeline.
    diagnostics in diagnostics => super::DiagnosticsPage
);

/// Starts fetching the chunk of the page at `path`, for a page about to
/// open (the one a login returns to): its chunk then arrives while the
/// calls before it are under way, not after them. `/` is the home page; a
/// path that is no page: nothing.
pub fn prefetch(path: &str) {
    let path = path.find(['?', '#']).map_or(path, |end| &path[..end]);
    let path = if path == "/" { HOME } else { path };
    // Every page, offered or not. In the oidc and bff builds that keeps the
    // user admin's chunk, which nobody fetches there; measured, a table
    // without it leaves the splitter more code for the main module: their
    // login page's first download grows by 34 KB gzip, the whole app
    // shrinks by 11 KB.
    let pages: [(&str, LoadPage); 5] = [
        (DASHBOARD.href, dashboard),
        (REPORTS.href, reports),
        (ADMIN_USERS.href, admin_users),
        (PROFILE.href, profile),
        (DIAGNOSTICS.href, diagnostics),
    ];
    if let Some((_, load)) = pages.into_iter().find(|(href, _)| *href == path) {
        // A failure shows when the page opens, which fetches it again.
        spawn_local(async move {
            let _ = load().await;
        });
    }
}
