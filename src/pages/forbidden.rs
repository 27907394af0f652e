//! The page for a route the user may not open.

use leptos::prelude::*;

use crate::{
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// 403, with a way to re-check the permissions (a role may have just been granted).
#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <div class="status-page" data-testid="forbidden">
            <h1>{move || i18n.t(Msg::ForbiddenTitle)}</h1>
            <p>{move || i18n.t(Msg::ForbiddenBody)}</p>
            <button type="button" data-testid="recheck-permissions" on:click=move |_| auth.refresh_roles()>
                {move || i18n.t(Msg::RecheckPermissions)}
            </button>
        </div>
    }
}
