//! The login page.

use leptos::prelude::*;
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    components::{ErrorMessage, LangSwitch},
    i18n::{Msg, use_i18n},
    routes::return_path,
    stores::use_auth,
};

/// Logs in against the real login endpoint, shows the server's message when
/// it refuses, and returns to the page the user came from.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let query = use_query_map();
    let user_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let target = move || return_path(query.read().get("redirect").as_deref()).to_owned();

    let login = Action::new_local(move |(name, secret): &(String, String)| {
        let (name, secret) = (name.clone(), secret.clone());
        async move { auth.login(&name, &secret).await }
    });
    // Whoever has a session (a finished login, or an old tab) moves on.
    Effect::new(move |_| {
        if auth.access.is_logged_in() {
            navigate(
                &target(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let error = move || login.value().get().and_then(Result::err);
    let pending = login.pending();

    view! {
        <div class="login-screen">
            <form
                class="login-card"
                on:submit=move |ev| {
                    ev.prevent_default();
                    login.dispatch((user_name.get_untracked(), password.get_untracked()));
                }
            >
                <div class="login-head">
                    <h1>{move || i18n.t(Msg::AppTitle)}</h1>
                    <LangSwitch/>
                </div>
                <p class="muted">{move || i18n.t(Msg::SignInTitle)}</p>
                <Show when=move || auth.access.session_expired() && error().is_none()>
                    <p class="banner warning" role="alert" data-testid="session-expired">
                        {move || i18n.t(Msg::SessionExpired)}
                    </p>
                </Show>
                <label for="login-username">{move || i18n.t(Msg::UserName)}</label>
                <input
                    id="login-username"
                    data-testid="login-username"
                    name="username"
                    autocomplete="username"
                    required
                    bind:value=user_name
                />
                <label for="login-password">{move || i18n.t(Msg::Password)}</label>
                <input
                    id="login-password"
                    data-testid="login-password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    bind:value=password
                />
                <div data-testid="login-error">
                    {move || error().map(|error| view! { <ErrorMessage error/> })}
                </div>
                <button type="submit" class="primary" data-testid="login-submit" disabled=move || pending.get()>
                    {move || i18n.t(if pending.get() { Msg::SigningIn } else { Msg::SignIn })}
                </button>
                <p class="hint">{move || i18n.t(Msg::DemoAccounts)}</p>
            </form>
        </div>
    }
}
