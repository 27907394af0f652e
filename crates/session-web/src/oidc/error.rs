//! The one error type of the OpenID Connect sign-in.

/// Everything that can go wrong signing in with an identity provider.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    /// Discovery failed: the provider is unreachable or its configuration
    /// document is unusable.
    #[error("the identity provider could not be used: {0}")]
    Discovery(String),
    /// The provider answered the sign-in with an error (`error` and
    /// `error_description` on the callback, RFC 6749 §4.1.2.1).
    #[error("the identity provider refused the sign-in: {}", description.as_deref().unwrap_or(error))]
    Provider {
        /// The error code, e.g. `access_denied`.
        error: String,
        /// The provider's explanation, when it gave one.
        description: Option<String>,
    },
    /// No sign-in was started in this tab, or its answer was used already
    /// (a replayed callback URL).
    #[error("no sign-in is in progress in this tab: the answer was used already or has expired")]
    NoLoginInProgress,
    /// The callback's `state` is not the one this tab sent.
    #[error("the sign-in answer does not belong to this sign-in (state mismatch)")]
    StateMismatch,
    /// The callback or the ID token names another issuer (RFC 9207).
    #[error("the sign-in answer came from another issuer: {0}")]
    IssuerMismatch(String),
    /// The authorization code could not be exchanged for tokens.
    #[error("the sign-in could not be completed: {0}")]
    Exchange(String),
    /// The ID token failed a check (audience, nonce, expiry) or could not
    /// be read.
    #[error("the ID token is not valid: {0}")]
    IdToken(String),
    /// The provider gave no refresh token: the session could not stay alive.
    #[error(
        "the identity provider sent no refresh token (the client needs the offline_access scope)"
    )]
    NoRefreshToken,
    /// The browser lacks what a sign-in needs (storage, random numbers).
    #[error("the browser cannot sign in: {0}")]
    Browser(String),
}
