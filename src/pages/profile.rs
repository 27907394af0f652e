//! The current user's profile.

use leptos::prelude::*;

use crate::{
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// Who the user is, with their roles and granted policies.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let user = move || auth.user.info().unwrap_or_default();
    view! {
        <div class="page" data-testid="profile">
            <h1>{move || i18n.t(Msg::Profile)}</h1>
            <dl class="details">
                <dt>{move || i18n.t(Msg::UserName)}</dt>
                <dd>{move || user().user_name}</dd>
                <dt>{move || i18n.t(Msg::Email)}</dt>
                <dd>{move || user().email.unwrap_or_default()}</dd>
                <dt>{move || i18n.t(Msg::Roles)}</dt>
                <dd>{move || user().roles.join(", ")}</dd>
                <dt>{move || i18n.t(Msg::Policies)}</dt>
                <dd>
                    <ul class="policies">
                        {move || user()
                            .granted_policies
                            .into_iter()
                            .map(|p| view! { <li><code>{p}</code></li> })
                            .collect_view()}
                    </ul>
                </dd>
            </dl>
        </div>
    }
}
