//! A BFF session as the store keeps it: who is signed in, and the tokens,
//! sealed. The browser holds only the session id (its cookie); the store
//! knows the session by the id's hash, so neither its keys nor its rows
//! give a cookie or a token away.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::seal::{Sealer, Unsealable};

/// The store's key of the session whose cookie holds `id`: its SHA-256,
/// hex.
pub fn store_key(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tokens of a session, open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    /// The access token sent upstream.
    pub access_token: String,
    /// The refresh token spent at the provider.
    pub refresh_token: String,
    /// The ID token, the hint of the provider's end-session endpoint.
    pub id_token: Option<String>,
}

/// A session, its tokens sealed for its store key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDoc {
    /// Who it belongs to, and how long it lasts.
    #[serde(flatten)]
    pub holder: Holder,
    access_token: String,
    refresh_token: String,
    id_token: Option<String>,
    /// The `Idempotency-Key` of a refresh sent and not yet answered,
    /// written before it left: the next refresh (here or on another
    /// instance) sends the same refresh token with the same key, so an
    /// answer lost after the provider rotated costs nothing where the
    /// provider keeps answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_key: Option<String>,
}

/// Who a session belongs to, and how long it lasts (times in ms since the
/// epoch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The user's subject at the provider.
    pub subject: String,
    /// The user's name, if the provider said.
    pub name: Option<String>,
    /// The user's roles, from the access token.
    pub roles: Vec<String>,
    /// When the session started.
    pub started_at_ms: u64,
    /// When the access token expires.
    pub access_expires_at_ms: u64,
    /// When the access token is refreshed ahead of its expiry.
    pub refresh_at_ms: u64,
    /// When the session ends.
    pub expires_at_ms: u64,
}

impl SessionDoc {
    /// The session of `holder` with `tokens`, sealed for `key`.
    pub fn seal(
        holder: Holder,
        tokens: &Tokens,
        sealer: &Sealer,
        key: &str,
    ) -> Result<Self, getrandom::Error> {
        Ok(Self {
            holder,
            access_token: sealer.seal(&tokens.access_token, key)?,
            refresh_token: sealer.seal(&tokens.refresh_token, key)?,
            id_token: tokens
                .id_token
                .as_deref()
                .map(|token| sealer.seal(token, key))
                .transpose()?,
            refresh_key: None,
        })
    }

    /// The same session with a refresh under way, sent with `key`.
    #[must_use]
    pub fn with_refresh_key(self, key: &str) -> Self {
        Self {
            refresh_key: Some(key.to_owned()),
            ..self
        }
    }

    /// The tokens, opened.
    pub fn tokens(&self, sealer: &Sealer, key: &str) -> Result<Tokens, Unsealable> {
        Ok(Tokens {
            access_token: sealer.open(&self.access_token, key)?,
            refresh_token: sealer.open(&self.refresh_token, key)?,
            id_token: self
                .id_token
                .as_deref()
                .map(|token| sealer.open(token, key))
                .transpose()?,
        })
    }
}
