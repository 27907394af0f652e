//! The login page: the server's login form, or (`AUTH_MODE=oidc`) one
//! button that signs in at the identity provider.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    components::{ErrorMessage, LangSwitch, SignInError},
    config::{self, AuthMode},
    i18n::{Msg, use_i18n},
    routes::return_path,
    stores::use_auth,
};

/// Logs in, shows why when that fails, and returns to the page the user
/// came from.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    let target =
        Signal::derive(move || return_path(query.read().get("redirect").as_deref()).to_owned());
    // Whoever has a session (a finished login, or an old tab) moves on.
    Effect::new(move |_| {
        if auth.access.is_logged_in() {
            navigate(
                &target.get(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <main class="login-screen">
            {match config::AUTH_MODE {
                AuthMode::Seed => view! { <PasswordForm/> }.into_any(),
                AuthMode::Oidc => view! { <ProviderForm target/> }.into_any(),
            }}
        </main>
    }
}

/// The title, the language switch, and the notice of an ended session.
#[component]
fn LoginHead(
    /// Whether an error is shown (then the notice would only repeat it).
    has_error: Signal<bool>,
) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    view! {
        <div class="login-head">
            <h1>{move || i18n.t(Msg::AppTitle)}</h1>
            <LangSwitch/>
        </div>
        <p class="muted">{move || i18n.t(Msg::SignInTitle)}</p>
        <Show when=move || auth.access.session_expired() && !has_error.get()>
            <p class="banner warning" role="alert" data-testid="session-expired">
                {move || i18n.t(Msg::SessionExpired)}
            </p>
        </Show>
    }
}

/// The server's own login: user name and password.
#[component]
fn PasswordForm() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let user_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let login = Action::new_local(move |(name, secret): &(String, String)| {
        let (name, secret) = (name.clone(), secret.clone());
        async move { auth.login(&name, &secret).await }
    });
    let error = move || login.value().get().and_then(Result::err);
    let pending = login.pending();

    view! {
        <form
            class="login-card"
            on:submit=move |ev| {
                ev.prevent_default();
                login.dispatch((user_name.get_untracked(), password.get_untracked()));
            }
        >
            <LoginHead has_error=Signal::derive(move || error().is_some())/>
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
    }
}

/// The provider's name on the button: its issuer's host.
fn provider_name() -> &'static str {
    let issuer = config::OIDC_ISSUER;
    let without_scheme = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer);
    without_scheme.split('/').next().unwrap_or(without_scheme)
}

/// Signing in at the identity provider: one button, which leaves for the
/// provider's page. The provider is looked up at once, so that one that
/// cannot be used says so here; so does a sign-in that came back failed.
#[component]
fn ProviderForm(
    /// The page to land on after the sign-in.
    target: Signal<String>,
) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let discovery = RwSignal::new(None);
    spawn_local(async move {
        discovery.try_set(auth.discover_provider().await.err());
    });
    let start = Action::new_local(move |target: &String| {
        let target = target.clone();
        async move { auth.begin_sign_in(&target).await }
    });
    let error = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| auth.sign_in_error())
            .or_else(|| discovery.get())
    });
    let pending = start.pending();

    view! {
        <form
            class="login-card"
            on:submit=move |ev| {
                ev.prevent_default();
                start.dispatch(target.get_untracked());
            }
        >
            <LoginHead has_error=Signal::derive(move || error.with(Option::is_some))/>
            <div data-testid="login-error">
                {move || error.get().map(|error| view! { <SignInError error/> })}
            </div>
            <button type="submit" class="primary" data-testid="login-oidc" disabled=move || pending.get()>
                {move || {
                    if pending.get() {
                        i18n.t(Msg::SigningIn).to_owned()
                    } else {
                        i18n.t(Msg::SignInWith).replace("{}", provider_name())
                    }
                }}
            </button>
            <p class="hint">{move || i18n.t(Msg::ProviderHint)}</p>
        </form>
    }
}
