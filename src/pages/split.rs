//! Where the console's pages are split off: in a build with
//! `--cfg wasm_split` each page below lands in a wasm chunk of its own
//! (`scripts/trunk-app.sh` runs the splitter), fetched when the page is first
//! visited; in any other build it is an ordinary call.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    components::{BuildPage, LoadPage, PageFuture},
    routes::{ADMIN_USERS, DASHBOARD, DIAGNOSTICS, PROFILE, REPORTS},
};

/// Defines `pub fn $chunk() -> PageFuture`: the builder of `$page`, from
/// the chunk named `$chunk`.
macro_rules! split_page {
    ($(#[$doc:meta])* $chunk:ident => $page:path) => {
        $(#[$doc])*
        pub fn $chunk() -> PageFuture {
            #[cfg_attr(
                wasm_split,
                leptos::wasm_split::wasm_split(
                    $chunk,
                    fallible,
                    wasm_split_path = ::leptos::wasm_split
                )
            )]
            fn $chunk() -> Result<BuildPage, leptos::wasm_split::SplitLoaderError> {
                Ok(|| view! { <$page/> }.into_any())
            }
            #[cfg(wasm_split)]
            return Box::pin($chunk());
            #[cfg(not(wasm_split))]
            return Box::pin(async { $chunk() });
        }
    };
}

split_page!(
    /// The dashboard.
    dashboard => super::DashboardPage
);
split_page!(
    /// The reports.
    reports => super::ReportsPage
);
split_page!(
    /// Users and their roles.
    admin_users => super::AdminUsersPage
);
split_page!(
    /// The current user's profile.
    profile => super::ProfilePage
);
split_page!(
    /// The diagnostics, with the session timeline.
    diagnostics => super::DiagnosticsPage
);

/// Starts fetching the chunk of the page at `path`, for a page about to
/// open (the one a login returns to): its chunk then arrives while the
/// calls before it are under way, not after them. Any other path: nothing.
pub fn prefetch(path: &str) {
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
