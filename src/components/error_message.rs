//! An API error as the user should read it.

use leptos::prelude::*;

use crate::{
    api::ApiError,
    i18n::{Msg, use_i18n},
    stores::{RolesState, use_auth},
};

/// What to tell the user about `error`: a message of the app's own (in the
/// user's language) where the error is one the app knows, otherwise the
/// server's own words.
pub fn describe(error: &ApiError) -> Result<Msg, String> {
    match error {
        ApiError::Http {
            status,
            code,
            message,
        } => match (code.as_deref(), *status) {
            (Some("invalid_credentials"), _) => Ok(Msg::InvalidCredentials),
            (Some("too_many_attempts"), _) | (_, 429) => Ok(Msg::TooManyAttempts),
            (Some("last_admin"), _) => Ok(Msg::LastAdmin),
            (_, 403) => Ok(Msg::NoLongerAccess),
            // A BFF whose session store is down, a proxy with no instance.
            (_, 503) => Ok(Msg::TemporarilyUnavailable),
            (_, 500..) => Ok(Msg::ServerError),
            (Some(_), _) => Err(message.clone()),
            (None, _) => Ok(Msg::RequestFailed),
        },
        ApiError::Network(_) => Ok(Msg::NetworkError),
        ApiError::Timeout => Ok(Msg::TimedOut),
        ApiError::Decode(_) => Ok(Msg::BadResponse),
        ApiError::SessionExpired => Ok(Msg::SessionExpired),
        ApiError::Unavailable(_) => Ok(Msg::TemporarilyUnavailable),
    }
}

/// The kind of error, for `data-error`.
fn kind(error: &ApiError) -> &'static str {
    match error {
        ApiError::Unavailable(_) | ApiError::Http { status: 503, .. } => "unavailable",
        ApiError::Http { status: 403, .. } => "forbidden",
        ApiError::SessionExpired => "session-expired",
        _ => "failed",
    }
}

/// Shows `error`. A `403` offers to re-check the permissions (the guards
/// then follow the answer); other failures offer `on_retry` when given.
/// Shown inside a reactive view, which tracks the language (plain text, see
/// [`crate::i18n`]).
#[component]
pub fn ErrorMessage(
    error: ApiError,
    /// Tries the failed call again.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let description = describe(&error);
    let text = match &description {
        Ok(msg) => i18n.t(*msg).to_owned(),
        Err(server_words) => server_words.clone(),
    };
    let action = match (&error, on_retry) {
        (ApiError::Http { status: 403, .. }, _) => Some(view! { <RecheckPermissions/> }.into_any()),
        (ApiError::SessionExpired, _) | (_, None) => None,
        (_, Some(retry)) => Some(view! {
            <button type="button" class="link" data-testid="retry" on:click=move |_| retry.run(())>
                {i18n.t(Msg::Retry)}
            </button>
        }
        .into_any()),
    };
    view! {
        <div class="error" role="alert" data-testid="error-message" data-error=kind(&error)>
            <span>{text}</span>
            {action}
        </div>
    }
}

/// Fetches the roles again (a role may have been granted or revoked since
/// they were loaded); the guards then follow the answer.
#[component]
pub fn RecheckPermissions() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let rechecking = move || auth.roles_state() == RolesState::Rechecking;
    view! {
        <button
            type="button"
            class="link"
            data-testid="recheck-permissions"
            disabled=rechecking
            on:click=move |_| auth.recheck_roles()
        >
            {move || i18n.t(if rechecking() { Msg::Rechecking } else { Msg::RecheckPermissions })}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, code: Option<&str>, message: &str) -> ApiError {
        ApiError::Http {
            status,
            code: code.map(Into::into),
            message: message.into(),
        }
    }

    #[test]
    fn known_server_errors_are_told_in_the_users_language() {
        let cases = [
            (
                http(401, Some("invalid_credentials"), "x"),
                Msg::InvalidCredentials,
            ),
            (
                http(429, Some("too_many_attempts"), "x"),
                Msg::TooManyAttempts,
            ),
            (http(429, None, "x"), Msg::TooManyAttempts),
            (http(400, Some("last_admin"), "x"), Msg::LastAdmin),
            (http(403, Some("forbidden"), "x"), Msg::NoLongerAccess),
            (http(502, None, "x"), Msg::ServerError),
            (
                http(503, Some("Bff:Unavailable"), "x"),
                Msg::TemporarilyUnavailable,
            ),
            (http(404, None, "x"), Msg::RequestFailed),
            (
                ApiError::Unavailable("503".into()),
                Msg::TemporarilyUnavailable,
            ),
            (ApiError::Timeout, Msg::TimedOut),
        ];
        for (error, msg) in cases {
            assert_eq!(describe(&error), Ok(msg), "{error:?}");
        }
    }

    #[test]
    fn other_server_errors_keep_the_servers_words() {
        assert_eq!(
            describe(&http(400, Some("validation_error"), "Unknown role: boss")),
            Err("Unknown role: boss".into())
        );
    }
}
