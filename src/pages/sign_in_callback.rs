//! Where the identity provider sends the browser back after a sign-in
//! (`OIDC_REDIRECT_PATH`).

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{NavigateOptions, hooks::use_navigate};

use crate::{
    i18n::{Msg, use_i18n},
    routes::{LOGIN, return_path},
    stores::use_auth,
};

/// Completes the sign-in the address answers, then replaces itself in the
/// history (so going back cannot replay it) with the page the user first
/// asked for, or, when it failed, with the login page, which says why.
#[component]
pub fn SignInCallbackPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let query = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    spawn_local(async move {
        let next = match auth.complete_sign_in(&query).await {
            Ok(return_to) => return_path(Some(&return_to)).to_owned(),
            Err(_) => LOGIN.href.to_owned(),
        };
        let replace = NavigateOptions {
            replace: true,
            ..Default::default()
        };
        navigate(&next, replace);
    });
    view! {
        <main class="login-screen">
            <div class="login-card" data-testid="sign-in-callback" aria-busy="true">
                <p class="muted">{move || i18n.t(Msg::CompletingSignIn)}</p>
            </div>
        </main>
    }
}
