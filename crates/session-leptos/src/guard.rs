//! What a guarded route decides, from the roles and whether they can be
//! trusted yet.

use crate::RolesState;

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

impl Access {
    /// As leptos_router's `ProtectedRoute` takes it: `None` while waiting.
    pub fn as_condition(self) -> Option<bool> {
        match self {
            Self::Wait => None,
            Self::Forbidden => Some(false),
            Self::Allowed => Some(true),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_decided_while_the_roles_are_checked() {
        assert_eq!(decide_access(&RolesState::Checking, false), Access::Wait);
        assert_eq!(decide_access(&RolesState::Checking, true), Access::Wait);
        assert_eq!(Access::Wait.as_condition(), None);
    }

    #[test]
    fn current_or_stale_roles_decide() {
        for roles in [RolesState::Current, RolesState::Stale("offline".into())] {
            assert_eq!(decide_access(&roles, true), Access::Allowed);
            assert_eq!(decide_access(&roles, false), Access::Forbidden);
        }
        assert_eq!(Access::Allowed.as_condition(), Some(true));
        assert_eq!(Access::Forbidden.as_condition(), Some(false));
    }
}
