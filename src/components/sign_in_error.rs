//! A failed sign-in at the identity provider, as the user should read it.

use leptos::prelude::*;
use silent_refresh_web::oidc::OidcError;

use crate::i18n::{Msg, use_i18n};

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

#[cfg(test)]
mod tests {
    use super::*;

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
