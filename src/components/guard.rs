//! Route guards by granted policy.

use leptos::prelude::*;

use super::Forbidden;
use crate::{
    i18n::{Msg, use_i18n},
    routes::Page,
    stores::{RolesState, use_auth},
};

/// What a guarded route shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The roles are being fetched: decide nothing yet.
    Wait,
    /// The user lacks the policy.
    Forbidden,
    /// Open the page.
    Allowed,
}

/// The guard's decision. While the roles are unknown nothing is decided, so
/// a stale role never redirects or forbids; a re-check on request keeps the
/// current decision until its answer is in.
pub fn decide_access(roles: &RolesState, policy_granted: bool) -> Access {
    match (roles, policy_granted) {
        (RolesState::Checking, _) => Access::Wait,
        (_, true) => Access::Allowed,
        (_, false) => Access::Forbidden,
    }
}

/// Shows `children` only to a user who holds the page's policy; the 403 page
/// to one who does not; a loading state while the roles are being checked.
/// (Logged-out users never get here: the layout sends them to login.)
#[component]
pub fn RequirePolicy(page: Page, children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let access = Memo::new(move |_| {
        let granted = page
            .policy
            .is_none_or(|policy| auth.user.has_policy(policy));
        decide_access(&auth.roles_state(), granted)
    });
    move || match access.get() {
        Access::Wait => view! {
            <p class="loading" data-testid="loading-permissions" role="status">
                {i18n.t(Msg::CheckingPermissions)}
            </p>
        }
        .into_any(),
        Access::Forbidden => view! { <Forbidden/> }.into_any(),
        Access::Allowed => children().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_decided_while_the_roles_are_checked() {
        assert_eq!(decide_access(&RolesState::Checking, false), Access::Wait);
        assert_eq!(decide_access(&RolesState::Checking, true), Access::Wait);
    }

    #[test]
    fn current_or_stale_roles_decide() {
        for roles in [RolesState::Current, RolesState::Stale("offline".into())] {
            assert_eq!(decide_access(&roles, true), Access::Allowed);
            assert_eq!(decide_access(&roles, false), Access::Forbidden);
        }
    }
}
