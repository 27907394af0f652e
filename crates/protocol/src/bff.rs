//! A Backend-for-Frontend's documents (the reference server's `--bff-issuer`
//! mode, in the shape Duende.BFF made common): the browser holds a session
//! cookie and no token; every call carries [`CSRF_HEADER`].

use serde::{Deserialize, Serialize};

/// The header every call to the BFF carries (`X-CSRF: 1`): a static header
/// a page of another site cannot add without a CORS preflight the BFF
/// never grants.
pub const CSRF_HEADER: (&str, &str) = ("X-CSRF", "1");

/// `GET /bff/user`: who is signed in (`401` when nobody is).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BffUser {
    /// Whether a session is live.
    pub is_authenticated: bool,
    /// The user's subject at the provider.
    #[serde(default)]
    pub sub: String,
    /// The user's name, if the provider said.
    #[serde(default)]
    pub name: Option<String>,
    /// The user's roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// When the session started (ms since the epoch).
    #[serde(default)]
    pub session_started_at: u64,
    /// When the session ends at the latest (ms since the epoch).
    #[serde(default)]
    pub session_expires_at: u64,
    /// When the access token the BFF holds expires (ms since the epoch);
    /// the BFF refreshes it before then.
    #[serde(default)]
    pub access_token_expires_at: u64,
}

/// `POST /bff/logout`'s answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BffLogout {
    /// Where the browser may go to end its session at the provider too.
    #[serde(default)]
    pub end_session_url: Option<String>,
}
