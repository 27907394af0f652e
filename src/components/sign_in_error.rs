//! A failed sign-in at the identity provider, as the user should read it.

use leptos::prelude::*;
use silent_refresh_web::{abp::SignInFailure, oidc::OidcError};

use crate::{
    components::error_message::describe,
    i18n::{Locale, Msg, use_i18n},
    stores::AbpLoginError,
};

/// The app's words for `error` (in the user's language) and the detail to
/// show after them, if any.
pub fn describe_sign_in(error: &OidcError) -> (Msg, Option<String>) {
    match error {
        OidcError::Discovery(detail) => (Msg::ProviderUnreachable, Some(detail.clone())),
        OidcError::Provider { error, description } => (
            Msg::SignInRefused,
            Some(description.clone().unwrap_or_else(|| error.clone())),
        ),
        OidcError::NoLoginInProgress => (Msg::SignInReplayed, None),
        OidcError::StateMismatch | OidcError::IssuerMismatch(_) => (Msg::SignInMismatch, None),
        other => (Msg::SignInFailed, Some(other.to_string())),
    }
}

/// The kind of failure, for `data-error`: the provider's error code when it
/// refused, else what went wrong.
fn kind(error: &OidcError) -> String {
    match error {
        OidcError::Provider { error, .. } => error.clone(),
        OidcError::Discovery(_) => "discovery".into(),
        OidcError::NoLoginInProgress => "no-sign-in".into(),
        OidcError::StateMismatch => "state-mismatch".into(),
        OidcError::IssuerMismatch(_) => "issuer-mismatch".into(),
        OidcError::Exchange(_) => "exchange".into(),
        OidcError::IdToken(_) => "id-token".into(),
        OidcError::NoRefreshToken => "no-refresh-token".into(),
        OidcError::Browser(_) => "browser".into(),
    }
}

/// Shows a failed sign-in.
#[component]
pub fn SignInError(error: OidcError) -> impl IntoView {
    let i18n = use_i18n();
    let (message, detail) = describe_sign_in(&error);
    view! {
        <div class="error" role="alert" data-testid="error-message" data-error=kind(&error)>
            <span>{i18n.t(message)}</span>
            {detail.map(|detail| view! { <span>": "{detail}</span> })}
        </div>
    }
}

/// What to tell the user about a failed ABP sign-in, in `locale`: the
/// server's own words when it refused (it answers in the page's language
/// where it can), the app's own for the rest; never a raw code. With the
/// kind of failure, for `data-error`.
pub fn describe_abp(error: &AbpLoginError, locale: Locale) -> (String, &'static str) {
    let with = |msg: Msg, value: &str| msg.text(locale).replace("{}", value);
    match error {
        AbpLoginError::UnknownTenant(name) => (with(Msg::TenantNotFound, name), "unknown-tenant"),
        AbpLoginError::InactiveTenant(name) => (with(Msg::TenantInactive, name), "inactive-tenant"),
        AbpLoginError::Lookup(api) => {
            let text = describe(api).map_or_else(|own| own, |msg| msg.text(locale).to_owned());
            (text, "tenant-lookup")
        }
        AbpLoginError::SignIn(SignInFailure::Refused(words)) => (words.clone(), "refused"),
        AbpLoginError::SignIn(SignInFailure::TwoFactorRequired) => {
            (Msg::TwoFactorNeeded.text(locale).to_owned(), "two-factor")
        }
        AbpLoginError::SignIn(SignInFailure::InvalidClient(id)) => {
            (with(Msg::ClientNotAccepted, id), "invalid-client")
        }
        AbpLoginError::SignIn(SignInFailure::NoRefreshToken) => (
            Msg::NoRefreshTokenGiven.text(locale).to_owned(),
            "no-refresh-token",
        ),
        AbpLoginError::SignIn(SignInFailure::NoSubject) => (
            format!("{}: {error}", Msg::SignInFailed.text(locale)),
            "no-subject",
        ),
        AbpLoginError::SignIn(SignInFailure::Unavailable(_)) => (
            Msg::TemporarilyUnavailable.text(locale).to_owned(),
            "unavailable",
        ),
    }
}

/// The app's words for the `bffError` a Backend-for-Frontend came back
/// with, and its kind for `data-error`.
pub fn describe_bff(code: &str) -> (Msg, &'static str) {
    match code {
        "state" => (Msg::SignInMismatch, "state"),
        "denied" => (Msg::SignInRefused, "denied"),
        "unavailable" => (Msg::ProviderUnreachable, "unavailable"),
        _ => (Msg::SignInFailed, "provider"),
    }
}

/// Shows a sign-in a Backend-for-Frontend came back from with `bffError`.
#[component]
pub fn BffSignInError(code: String) -> impl IntoView {
    let i18n = use_i18n();
    let (message, kind) = describe_bff(&code);
    view! {
        <div class="error" role="alert" data-testid="error-message" data-error=kind>
            {i18n.t(message)}
        </div>
    }
}

/// Shows a failed ABP sign-in.
#[component]
pub fn AbpSignInError(error: AbpLoginError) -> impl IntoView {
    let i18n = use_i18n();
    let (text, kind) = describe_abp(&error, i18n.locale());
    view! {
        <div class="error" role="alert" data-testid="error-message" data-error=kind>
            {text}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abp_refusals_are_the_servers_words_and_the_rest_the_apps() {
        let refused = AbpLoginError::SignIn(SignInFailure::Refused("用户名或密码无效！".into()));
        assert_eq!(
            describe_abp(&refused, Locale::ZhCn),
            ("用户名或密码无效！".to_owned(), "refused")
        );
        let client = AbpLoginError::SignIn(SignInFailure::InvalidClient("my-app".into()));
        let (text, kind) = describe_abp(&client, Locale::En);
        assert!(text.contains("client id (my-app)"), "{text}");
        assert!(text.contains("configuration error"), "{text}");
        assert_eq!(kind, "invalid-client");
        let (text, _) = describe_abp(&AbpLoginError::UnknownTenant("acme".into()), Locale::En);
        assert_eq!(text, "There is no tenant named acme.");
        let (text, kind) = describe_abp(
            &AbpLoginError::SignIn(SignInFailure::TwoFactorRequired),
            Locale::En,
        );
        assert!(text.contains("second factor"), "{text}");
        assert_eq!(kind, "two-factor");
    }

    #[test]
    fn bff_errors_are_words_and_an_unknown_code_a_failed_sign_in() {
        assert_eq!(describe_bff("state"), (Msg::SignInMismatch, "state"));
        assert_eq!(describe_bff("denied"), (Msg::SignInRefused, "denied"));
        assert_eq!(
            describe_bff("unavailable"),
            (Msg::ProviderUnreachable, "unavailable")
        );
        assert_eq!(describe_bff("<script>"), (Msg::SignInFailed, "provider"));
    }

    #[test]
    fn the_providers_own_words_follow_the_apps() {
        let refused = OidcError::Provider {
            error: "access_denied".into(),
            description: Some("End-User aborted interaction".into()),
        };
        assert_eq!(
            describe_sign_in(&refused),
            (
                Msg::SignInRefused,
                Some("End-User aborted interaction".into())
            )
        );
        assert_eq!(kind(&refused), "access_denied");
        let bare = OidcError::Provider {
            error: "login_required".into(),
            description: None,
        };
        assert_eq!(describe_sign_in(&bare).1.as_deref(), Some("login_required"));
    }

    #[test]
    fn a_replayed_or_foreign_answer_asks_to_sign_in_again() {
        assert_eq!(
            describe_sign_in(&OidcError::NoLoginInProgress),
            (Msg::SignInReplayed, None)
        );
        assert_eq!(
            describe_sign_in(&OidcError::StateMismatch),
            (Msg::SignInMismatch, None)
        );
    }
}
