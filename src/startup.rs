//! Start-up: how the page was loaded, and the role refresh on reload.

use wasm_bindgen::JsCast;
use web_sys::{NavigationType, PerformanceNavigationTiming};

use crate::{config, stores::AuthStore};

/// How the page was loaded (`PerformanceNavigationTiming.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavigationKind {
    /// A link, a typed address, a new tab.
    Navigate,
    /// The reload button or `location.reload()`.
    Reload,
    /// Back or forward through history.
    BackForward,
    /// A prerendered page.
    Prerender,
}

/// The type of the page's navigation entry; `None` when the browser has no
/// Navigation Timing entry (or no Performance API at all).
pub fn navigation_kind() -> Option<NavigationKind> {
    let performance = web_sys::window()?.performance()?;
    let has_entries_api = js_sys::Reflect::get(&performance, &"getEntriesByType".into())
        .is_ok_and(|f| f.is_function());
    if !has_entries_api {
        return None;
    }
    let entry = performance.get_entries_by_type("navigation").get(0);
    let timing = entry.dyn_into::<PerformanceNavigationTiming>().ok()?;
    match timing.type_() {
        NavigationType::Navigate => Some(NavigationKind::Navigate),
        NavigationType::Reload => Some(NavigationKind::Reload),
        NavigationType::BackForward => Some(NavigationKind::BackForward),
        NavigationType::Prerender => Some(NavigationKind::Prerender),
        _ => None,
    }
}

/// Whether start-up fetches the roles again: only on a reload, with the
/// `REFRESH_ROLE` flag on, and with a session to refresh.
pub fn should_refresh_roles(
    navigation: Option<NavigationKind>,
    refresh_role: bool,
    has_session: bool,
) -> bool {
    refresh_role && has_session && navigation == Some(NavigationKind::Reload)
}

/// Starts the role refresh if this start-up calls for one. Guarded routes
/// wait from this call on, so it runs before the router mounts.
pub fn refresh_roles_if_reloaded(auth: AuthStore) {
    let has_session = auth.access.session_untracked().is_some();
    if should_refresh_roles(navigation_kind(), config::REFRESH_ROLE, has_session) {
        auth.refresh_roles();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_reload_with_the_flag_and_a_session_refreshes() {
        assert!(should_refresh_roles(
            Some(NavigationKind::Reload),
            true,
            true
        ));
        let others = [
            None,
            Some(NavigationKind::Navigate),
            Some(NavigationKind::BackForward),
            Some(NavigationKind::Prerender),
        ];
        for navigation in others {
            assert!(
                !should_refresh_roles(navigation, true, true),
                "{navigation:?}"
            );
        }
        assert!(!should_refresh_roles(
            Some(NavigationKind::Reload),
            false,
            true
        ));
        assert!(!should_refresh_roles(
            Some(NavigationKind::Reload),
            true,
            false
        ));
    }
}
