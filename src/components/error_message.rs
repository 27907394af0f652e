//! An API error as the user should read it.

use leptos::prelude::*;

use crate::{
    api::ApiError,
    i18n::{I18n, Msg, use_i18n},
    stores::use_auth,
};

/// The message for `error` in the current language: the server's own words
/// for an HTTP error it explained, a fixed message for everything else.
pub fn error_text(i18n: I18n, error: &ApiError) -> String {
    let fixed = match error {
        ApiError::Http { status: 403, .. } => Msg::NoLongerAccess,
        ApiError::Http { message, .. } => return message.clone(),
        ApiError::Network(_) => Msg::NetworkError,
        ApiError::Timeout => Msg::TimedOut,
        ApiError::Decode(_) => Msg::BadResponse,
        ApiError::SessionExpired => Msg::SessionExpired,
        ApiError::Unavailable(_) => Msg::TemporarilyUnavailable,
    };
    i18n.t(fixed).to_owned()
}

/// Shows `error`. A `403` offers to re-check the permissions, which fetches
/// the application configuration again (the guards then follow).
#[component]
pub fn ErrorMessage(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let forbidden = error.is_forbidden();
    let kind = match &error {
        ApiError::Unavailable(_) => "unavailable",
        ApiError::Http { status: 403, .. } => "forbidden",
        ApiError::SessionExpired => "session-expired",
        _ => "failed",
    };
    view! {
        <div class="error" role="alert" data-testid="error-message" data-error=kind>
            <span>{move || error_text(i18n, &error)}</span>
            {forbidden.then(|| view! {
                <button
                    type="button"
                    class="link"
                    data-testid="recheck-permissions"
                    on:click=move |_| auth.refresh_roles()
                >
                    {move || i18n.t(Msg::RecheckPermissions)}
                </button>
            })}
        </div>
    }
}
