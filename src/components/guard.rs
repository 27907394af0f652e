//! Route guards by granted policy.

use leptos::prelude::*;

use silent_refresh_leptos::{Access, decide_access};

use super::Forbidden;
use crate::{
    i18n::{Msg, use_i18n},
    routes::Page,
    stores::use_auth,
};

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
