//! The resource-server mode (`--oidc-issuer`): the access tokens are an
//! OpenID Connect provider's JWTs, checked with the keys it publishes.
//!
//! At start the provider's discovery document
//! (`{issuer}/.well-known/openid-configuration`) names its `jwks_uri`, and
//! the keys there are loaded; a provider that cannot be reached then stops
//! the start with the reason. A token naming a key id that is not loaded
//! makes the keys be fetched again, at most once per
//! [`REFETCH_INTERVAL`], so a key the provider rotated in is accepted at
//! once while made-up key ids cannot make this server hammer the provider.
//!
//! A token is accepted when its header names a loaded key (`kid`) and
//! exactly that key's algorithm (RS256 or ES256, see [`keys`]), never
//! anything the token alone chooses (`none`, HS256 with the public key as
//! the secret, …); its signature verifies; `iss` is the issuer exactly;
//! `aud` is or contains the audience; and `exp` has not passed, give or
//! take [`LEEWAY_SECS`] of clock difference.

pub(crate) mod fetch;
mod keys;
#[cfg(test)]
pub(crate) mod test_provider;
#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use axum::http::{StatusCode, Uri};
use jsonwebtoken::Validation;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::domain::clock::{Clock, millis};
use crate::domain::jwt::{self, TokenError};
use keys::{Jwks, Key, KeySet};

/// Where the discovery document lives, below the issuer URL (OpenID
/// Connect Discovery 1.0 §4).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The shortest time between two fetches of the keys for unknown key ids.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// How far past `exp` a token is still accepted, for the clocks of the
/// provider and this server not agreeing to the second.
pub const LEEWAY_SECS: u64 = 2;

/// What can go wrong reaching the provider or reading what it sent.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// A URL (the issuer, or the discovery document's `jwks_uri`) this
    /// server will not fetch.
    #[error("{url:?} cannot be used: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// TLS could not be set up.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// The request failed: no connection, TLS refused, connection lost.
    #[error("cannot fetch {url}: {reason}")]
    Unreachable {
        /// What was fetched.
        url: String,
        /// Why it failed.
        reason: String,
    },
    /// No answer within the time limit.
    #[error("{url} did not answer within {after:?}")]
    Timeout {
        /// What was fetched.
        url: String,
        /// The time limit.
        after: Duration,
    },
    /// An answer other than `200`.
    #[error("{url} answered {status}")]
    Status {
        /// What was fetched.
        url: String,
        /// The status.
        status: StatusCode,
    },
    /// A body over the size limit.
    #[error("{url} sent more than {limit} bytes")]
    TooLarge {
        /// What was fetched.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// A body that is not the JSON document expected.
    #[error("{url} did not send the document expected: {reason}")]
    Document {
        /// What was fetched.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The discovery document is another issuer's (Discovery §4.3).
    #[error("the discovery document is for the issuer {found:?}, not {expected:?}")]
    IssuerMismatch {
        /// `--oidc-issuer`.
        expected: String,
        /// The document's `issuer`.
        found: String,
    },
    /// The JWKS has no key this server can use.
    #[error("{url} publishes no RS256 or ES256 signing key with a key id")]
    NoUsableKeys {
        /// The `jwks_uri`.
        url: String,
    },
}

/// Checks that `value` is a URL this server fetches from: absolute,
/// `https://`, or `http://` on a loopback host (`127.0.0.0/8`, `[::1]`,
/// `localhost`: a test provider on this machine), without a query.
pub fn check_url(value: &str) -> Result<Uri, ProviderError> {
    let bad = |reason| ProviderError::BadUrl {
        url: value.to_owned(),
        reason,
    };
    let uri: Uri = value.parse().map_err(|_| bad("it is not a URL"))?;
    let host = uri
        .host()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| bad("it is not a URL with a host"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(host) => {}
        Some("http") => {
            return Err(bad(
                "plain http:// is only for a loopback host (127.0.0.1, [::1], localhost); \
                 use https://",
            ));
        }
        _ => {
            return Err(bad(
                "it must start with https:// (or http:// for a loopback host)",
            ));
        }
    }
    if uri.query().is_some() {
        return Err(bad("it must not have a query"));
    }
    Ok(uri)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What an accepted token says about its bearer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderUser {
    /// `sub`: the provider's id of the user.
    pub sub: String,
    /// `preferred_username`, if the token has one.
    pub preferred_username: Option<String>,
    /// `name`, if the token has one.
    pub name: Option<String>,
    /// `email`, if the token has one.
    pub email: Option<String>,
    /// The roles claim: every string in it, sorted, each once.
    pub roles: Vec<String>,
    /// `iat`, if the token has one.
    pub issued_at: Option<u64>,
}

/// The claims read from a token besides the roles; `iss` and `aud` are
/// checked by `jsonwebtoken` itself.
#[derive(Deserialize)]
struct StandardClaims {
    sub: String,
    exp: u64,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// The part of the discovery document this server reads.
#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// Where the keys come from and when they were last fetched again.
struct Source {
    /// The discovery document's `jwks_uri`, once read.
    jwks_uri: Option<Uri>,
    /// When keys were last fetched for an unknown key id (server clock, ms).
    last_refetch_ms: Option<u64>,
}

/// Which provider's tokens are accepted, and how they are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSettings {
    /// The issuer (`--oidc-issuer`); see [`check_url`].
    pub issuer: String,
    /// What the tokens' `aud` must hold (`--oidc-audience`).
    pub audience: String,
    /// The claim with the user's roles (`--oidc-roles-claim`).
    pub roles_claim: String,
}

/// The provider's issuer, audience and roles claim, and its keys as last
/// fetched.
pub struct ResourceServer {
    issuer: String,
    audience: String,
    roles_claim: String,
    client: fetch::Client,
    clock: Clock,
    keys: RwLock<KeySet>,
    /// Held while fetching, so that concurrent requests with one unknown
    /// key id cause one fetch.
    source: Mutex<Source>,
}

impl ResourceServer {
    /// The resource server for the provider `settings` name, with no keys
    /// yet: [`ResourceServer::load`] fetches them.
    pub fn new(settings: ProviderSettings, clock: Clock) -> Result<Self, ProviderError> {
        check_url(&settings.issuer)?;
        Ok(Self {
            issuer: settings.issuer,
            audience: settings.audience,
            roles_claim: settings.roles_claim,
            client: fetch::Client::new()?,
            clock,
            keys: RwLock::default(),
            source: Mutex::new(Source {
                jwks_uri: None,
                last_refetch_ms: None,
            }),
        })
    }

    /// The issuer URL, as configured.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Reads the discovery document and loads the keys; returns how many
    /// keys were loaded. Start-up calls this and fails when it fails.
    pub async fn load(&self) -> Result<usize, ProviderError> {
        let mut source = self.source.lock().await;
        let keys = self.fetch_keys(&mut source).await?;
        let count = keys.len();
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys;
        Ok(count)
    }

    /// Checks `token` (see the module docs) and returns what it says about
    /// its bearer.
    pub async fn verify(&self, token: &str) -> Result<ProviderUser, TokenError> {
        let header = jwt::header(token)?;
        let kid = header.kid.as_deref().ok_or(TokenError::UnknownKey)?;
        let key = match self.key(kid) {
            Some(key) => key,
            None => {
                self.refetch_for(kid).await;
                self.key(kid).ok_or(TokenError::UnknownKey)?
            }
        };
        // Only the key's algorithm: a header naming another (HS256 with the
        // public key as its secret, ES256 on an RSA key) is refused as
        // `InvalidAlgorithm` before the signature is looked at.
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Times are checked below against the server's clock, which tests
        // move by hand; the library would read the system clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = jsonwebtoken::decode::<Value>(token, &key.decoding, &validation)?.claims;
        let standard = StandardClaims::deserialize(&claims).map_err(|_| TokenError::Malformed)?;
        let expires_ms = standard
            .exp
            .saturating_add(LEEWAY_SECS)
            .saturating_mul(1000);
        if self.clock.now_ms() >= expires_ms {
            return Err(TokenError::Expired);
        }
        Ok(ProviderUser {
            roles: roles(claims.get(&self.roles_claim)),
            sub: standard.sub,
            preferred_username: standard.preferred_username,
            name: standard.name,
            email: standard.email,
            issued_at: standard.iat,
        })
    }

    fn key(&self, kid: &str) -> Option<Key> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    /// Fetches the keys again for the unknown `kid`, unless another request
    /// just did (and perhaps found it) or the last such fetch is less than
    /// the refetch interval ago. A failed fetch keeps the keys there were.
    async fn refetch_for(&self, kid: &str) {
        let mut source = self.source.lock().await;
        if self.key(kid).is_some() {
            return;
        }
        let now_ms = self.clock.now_ms();
        // On the server's clock, which tests move by hand rather than wait.
        if source
            .last_refetch_ms
            .is_some_and(|last| now_ms.saturating_sub(last) < millis(REFETCH_INTERVAL))
        {
            return;
        }
        source.last_refetch_ms = Some(now_ms);
        match self.fetch_keys(&mut source).await {
            Ok(keys) => {
                tracing::info!(%kid, keys = keys.len(), "fetched the identity provider's keys again");
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys;
            }
            Err(error) => {
                tracing::warn!(%kid, %error, "cannot fetch the identity provider's keys again");
            }
        }
    }

    /// The keys at the `jwks_uri`, reading the discovery document first if
    /// it has not been read.
    async fn fetch_keys(&self, source: &mut Source) -> Result<KeySet, ProviderError> {
        let jwks_uri = match &source.jwks_uri {
            Some(uri) => uri.clone(),
            None => {
                let uri = self.discover().await?;
                source.jwks_uri = Some(uri.clone());
                uri
            }
        };
        let keys = KeySet::from_jwks(&self.client.get_json::<Jwks>(&jwks_uri).await?);
        if keys.is_empty() {
            return Err(ProviderError::NoUsableKeys {
                url: jwks_uri.to_string(),
            });
        }
        Ok(keys)
    }

    /// The `jwks_uri` of the issuer's discovery document, which must be for
    /// this very issuer.
    async fn discover(&self) -> Result<Uri, ProviderError> {
        let url = format!("{}{DISCOVERY_PATH}", self.issuer.trim_end_matches('/'));
        let discovery: Discovery = self.client.get_json(&check_url(&url)?).await?;
        if discovery.issuer != self.issuer {
            return Err(ProviderError::IssuerMismatch {
                expected: self.issuer.clone(),
                found: discovery.issuer,
            });
        }
        check_url(&discovery.jwks_uri)
    }
}

/// The roles in a roles claim: an array of strings (other entries ignored)
/// or one string; anything else, or no claim, is no roles.
fn roles(claim: Option<&Value>) -> Vec<String> {
    let mut roles: Vec<String> = match claim {
        Some(Value::String(role)) => vec![role.clone()],
        Some(Value::Array(values)) => values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    roles.sort();
    roles.dedup();
    roles
}
