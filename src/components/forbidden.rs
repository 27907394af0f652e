//! What a guarded route shows a user who may not open it.

use leptos::prelude::*;

use super::RecheckPermissions;
use crate::i18n::{Msg, use_i18n};

/// 403, with a way to re-check the permissions (a role may have just been granted).
#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="status-page" data-testid="forbidden">
            <h1>{i18n.t(Msg::ForbiddenTitle)}</h1>
            <p>{i18n.t(Msg::ForbiddenBody)}</p>
            <RecheckPermissions/>
        </div>
    }
}
