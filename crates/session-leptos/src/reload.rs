//! The role refresh on start-up: how the page was loaded, and whether the
//! roles are fetched again before guarded routes decide.

use wasm_bindgen::JsCast;
use web_sys::{NavigationType, PerformanceNavigationTiming};

use crate::AuthStore;

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

/// What start-up knows about the stored session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredSession {
    /// Logged out.
    None,
    /// A session, and the stored user (with roles) it belongs to.
    WithUser,
    /// A session whose stored user is missing, unreadable or someone else's.
    WithoutUser,
}

/// Whether start-up fetches the roles again: on a reload when
/// `on_reload` (the original design's `REFRESH_ROLE`), or whenever the
/// session's user is not known (without the roles every guarded page would
/// be forbidden).
pub fn should_refresh_roles(
    navigation: Option<NavigationKind>,
    on_reload: bool,
    stored: StoredSession,
) -> bool {
    match stored {
        StoredSession::None => false,
        StoredSession::WithoutUser => true,
        StoredSession::WithUser => on_reload && navigation == Some(NavigationKind::Reload),
    }
}

/// Starts the role refresh if this start-up calls for one; guarded routes
/// wait from this call on.
pub(crate) fn refresh_roles_if_needed(auth: AuthStore, on_reload: bool) {
    let stored = match auth.access.session_untracked() {
        None => StoredSession::None,
        Some(_) if auth.user_matches_session() => StoredSession::WithUser,
        Some(_) => StoredSession::WithoutUser,
    };
    if should_refresh_roles(navigation_kind(), on_reload, stored) {
        auth.refresh_roles();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OTHER_NAVIGATIONS: [Option<NavigationKind>; 4] = [
        None,
        Some(NavigationKind::Navigate),
        Some(NavigationKind::BackForward),
        Some(NavigationKind::Prerender),
    ];

    #[test]
    fn only_a_reload_with_the_flag_and_a_session_refreshes() {
        let reload = Some(NavigationKind::Reload);
        assert!(should_refresh_roles(reload, true, StoredSession::WithUser));
        for navigation in OTHER_NAVIGATIONS {
            assert!(
                !should_refresh_roles(navigation, true, StoredSession::WithUser),
                "{navigation:?}"
            );
        }
        assert!(!should_refresh_roles(
            reload,
            false,
            StoredSession::WithUser
        ));
        assert!(!should_refresh_roles(reload, true, StoredSession::None));
    }

    #[test]
    fn a_session_without_its_user_always_fetches_the_roles() {
        for navigation in OTHER_NAVIGATIONS {
            for flag in [false, true] {
                assert!(should_refresh_roles(
                    navigation,
                    flag,
                    StoredSession::WithoutUser
                ));
            }
        }
    }
}
