//! Error bodies: ABP's shape for the API, RFC 6749 §5.2 for the token endpoint.

use serde::{Deserialize, Serialize};

/// `{"error":{"code","message","details","validationErrors"}}`; refresh
/// rejections also carry `"success":false`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// `false` on a refused refresh; absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// What went wrong.
    pub error: ErrorInfo,
}

/// The `error` part of an [`ErrorResponse`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// A stable machine-readable code, e.g. `invalid_credentials`.
    #[serde(default)]
    pub code: Option<String>,
    /// A message fit to show the user.
    #[serde(default)]
    pub message: Option<String>,
    /// More detail, when there is any.
    #[serde(default)]
    pub details: Option<String>,
    /// Which input fields were wrong, for a validation failure.
    #[serde(default)]
    pub validation_errors: Option<Vec<ValidationError>>,
}

/// One failed input check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    /// What is wrong.
    pub message: String,
    /// The fields concerned.
    pub members: Vec<String>,
}

/// An RFC 6749 §5.2 error: `{"error","error_description"}`, with what
/// OpenIddict and ABP add: `error_uri` (OpenIddict's page for the error),
/// and, when a password sign-in needs its second factor
/// (`error_description` `RequiresTwoFactor`), `userId` and `twoFactorToken`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// `invalid_grant`, `invalid_request`, …
    pub error: String,
    /// A human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A page about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    /// With `RequiresTwoFactor`: the user who signed in (ABP's id, 32 hex
    /// digits without dashes).
    #[serde(default, rename = "userId", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// With `RequiresTwoFactor`: ABP's token for the second step.
    #[serde(
        default,
        rename = "twoFactorToken",
        skip_serializing_if = "Option::is_none"
    )]
    pub two_factor_token: Option<String>,
}

impl OAuthError {
    /// An error with `error` and `description` only.
    pub fn new(error: &str, description: impl Into<String>) -> Self {
        Self {
            error: error.to_owned(),
            error_description: Some(description.into()),
            ..Self::default()
        }
    }
}
