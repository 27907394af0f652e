//! The login page: the server's login form, (`AUTH_MODE=abp`) an ABP
//! server's, with its tenant and its second factor, or (`AUTH_MODE=oidc`,
//! `bff`) one button that signs in at the identity provider.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};

use crate::{
    components::{AbpSignInError, BffSignInError, ErrorMessage, LangSwitch, SignInError},
    config::{self, AuthMode},
    deployment::Deployment,
    i18n::{Msg, use_i18n},
    routes::return_path,
    stores::{AbpLogin, AbpLoginError, use_auth},
};
use silent_refresh_web::{ApiError, abp::SignInFailure};

use super::split;

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
        // Every form's submit passes here on its way up: the page the login
        // returns to starts loading beside the login itself.
        <main class="login-screen" on:submit=move |_| split::prefetch(&target.get_untracked())>
            {match config::AUTH_MODE {
                AuthMode::Seed => view! { <PasswordForm/> }.into_any(),
                AuthMode::Abp => view! { <AbpForm/> }.into_any(),
                AuthMode::Oidc => view! { <ProviderForm target/> }.into_any(),
                AuthMode::Bff => view! { <BffForm target/> }.into_any(),
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
            <DemoAccounts/>
        </form>
    }
}

/// The demo accounts, when the deployment names some (the reference
/// server's does; a team's production deployment does not).
#[component]
fn DemoAccounts() -> impl IntoView {
    let i18n = use_i18n();
    let accounts = expect_context::<Deployment>().demo_accounts;
    (!accounts.is_empty()).then(|| {
        let list = move || {
            accounts
                .iter()
                .map(|account| {
                    let mut notes = Vec::new();
                    if let Some(tenant) = &account.tenant {
                        notes.push(format!("{} {tenant}", i18n.t(Msg::DemoTenant)));
                    }
                    if account.two_factor {
                        notes.push(i18n.t(Msg::DemoTwoFactor).to_owned());
                    }
                    let notes = if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join(", "))
                    };
                    format!("{} / {}{notes}", account.user_name, account.password)
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        view! {
            <p class="hint" data-testid="demo-accounts">
                {move || i18n.t(Msg::DemoAccounts)}" "{list}
            </p>
        }
    })
}

/// An ABP server's login: user name, password, the tenant when the server
/// has tenants (checked with its tenant lookup before signing in), and the
/// authenticator code once the server asks for it.
#[component]
fn AbpForm() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let form = RwSignal::new(AbpLogin::default());
    let code = RwSignal::new(String::new());
    let needs_code = RwSignal::new(false);
    let has_tenants = RwSignal::new(false);
    spawn_local(async move {
        has_tenants.try_set(auth.has_tenants().await);
    });
    let login = Action::new_local(move |attempt: &AbpLogin| {
        let attempt = attempt.clone();
        async move {
            let outcome = auth.login_abp(attempt).await;
            if matches!(
                outcome,
                Err(AbpLoginError::SignIn(SignInFailure::TwoFactorRequired))
            ) {
                needs_code.set(true);
            }
            outcome
        }
    });
    let error = move || login.value().get().and_then(Result::err);
    let pending = login.pending();
    let field = move |update: fn(&mut AbpLogin, String)| {
        move |ev| form.update(|form| update(form, event_target_value(&ev)))
    };

    view! {
        <form
            class="login-card"
            on:submit=move |ev| {
                ev.prevent_default();
                let mut attempt = form.get_untracked();
                attempt.code = needs_code.get_untracked().then(|| code.get_untracked());
                login.dispatch(attempt);
            }
        >
            <LoginHead has_error=Signal::derive(move || error().is_some())/>
            <Show when=move || has_tenants.get()>
                <label for="login-tenant">{move || i18n.t(Msg::Tenant)}</label>
                <input
                    id="login-tenant"
                    data-testid="login-tenant"
                    name="tenant"
                    autocomplete="organization"
                    aria-describedby="login-tenant-hint"
                    prop:value=move || form.with(|f| f.tenant.clone())
                    on:input=field(|f, value| f.tenant = value)
                />
                <p class="hint" id="login-tenant-hint">{move || i18n.t(Msg::TenantHint)}</p>
            </Show>
            <label for="login-username">{move || i18n.t(Msg::UserName)}</label>
            <input
                id="login-username"
                data-testid="login-username"
                name="username"
                autocomplete="username"
                required
                prop:value=move || form.with(|f| f.user_name.clone())
                on:input=field(|f, value| f.user_name = value)
            />
            <label for="login-password">{move || i18n.t(Msg::Password)}</label>
            <input
                id="login-password"
                data-testid="login-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                prop:value=move || form.with(|f| f.password.clone())
                on:input=field(|f, value| f.password = value)
            />
            <Show when=move || needs_code.get()>
                <label for="login-two-factor-code">{move || i18n.t(Msg::TwoFactorCode)}</label>
                <input
                    id="login-two-factor-code"
                    data-testid="login-two-factor-code"
                    name="one-time-code"
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    required
                    bind:value=code
                />
            </Show>
            <div data-testid="login-error">
                {move || error().map(|error| view! { <AbpSignInError error/> })}
            </div>
            <button type="submit" class="primary" data-testid="login-submit" disabled=move || pending.get()>
                {move || i18n.t(if pending.get() { Msg::SigningIn } else { Msg::SignIn })}
            </button>
            <DemoAccounts/>
        </form>
    }
}

/// The provider's name on the button: its issuer's host.
fn provider_name(issuer: &str) -> String {
    let without_scheme = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer);
    without_scheme
        .split('/')
        .next()
        .unwrap_or(without_scheme)
        .to_owned()
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
    let provider = provider_name(&expect_context::<Deployment>().oidc_issuer);
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
                        i18n.t(Msg::SignInWith).replace("{}", &provider)
                    }
                }}
            </button>
            <p class="hint">{move || i18n.t(Msg::ProviderHint)}</p>
        </form>
    }
}

/// A Backend-for-Frontend's sign-in: one button that leaves for its
/// `/bff/login`, which comes back to `target` signed in, or here with
/// `bffError` when the sign-in failed.
#[component]
fn BffForm(
    /// The page to land on after the sign-in.
    target: Signal<String>,
) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let query = use_query_map();
    let returned = Signal::derive(move || query.read().get("bffError"));
    let leaving = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let has_error =
        Signal::derive(move || returned.with(Option::is_some) || failed.with(Option::is_some));

    view! {
        <form
            class="login-card"
            on:submit=move |ev| {
                ev.prevent_default();
                leaving.set(true);
                if let Err(error) = auth.begin_bff_sign_in(&target.get_untracked()) {
                    leaving.set(false);
                    failed.set(Some(error));
                }
            }
        >
            <LoginHead has_error/>
            <div data-testid="login-error">
                {move || returned.get().map(|code| view! { <BffSignInError code/> })}
                {move || failed.get().map(|error| view! { <ErrorMessage error/> })}
            </div>
            <button type="submit" class="primary" data-testid="login-bff" disabled=move || leaving.get()>
                {move || i18n.t(if leaving.get() { Msg::SigningIn } else { Msg::SignIn })}
            </button>
            <p class="hint">{move || i18n.t(Msg::ProviderHint)}</p>
        </form>
    }
}
