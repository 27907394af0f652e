//! Where the console's pages are split off: in a build with
//! `--cfg wasm_split` each page below lands in a wasm chunk of its own
//! (`scripts/trunk-app.sh` runs the splitter), fetched when the page is first
//! visited; in any other build it is an ordinary call.

use leptos::prelude::*;

use crate::components::{BuildPage, PageFuture};

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
