//! The BFF at its provider, as a confidential client (`client_secret_basic`):
//! discovery, the authorization request (code, PKCE S256, `state`,
//! `nonce`), the code exchange, the `refresh_token` grant, revocation
//! (RFC 7009) and the end-session URL (RP-initiated logout).
//!
//! The ID token comes straight from the token endpoint over a connection
//! this server opened (TLS, or loopback), which OpenID Connect Core
//! §3.1.3.7 accepts in place of checking its signature; its issuer,
//! audience, expiry and nonce are checked.

use std::time::Duration;

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::oidc::fetch::Client;

/// How long the ID token's `exp` may have passed, for clock differences.
pub const ID_TOKEN_LEEWAY: Duration = Duration::from_secs(60);
use crate::oidc::{DISCOVERY_PATH, ProviderError};

/// How the BFF is registered at its provider.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// The issuer URL (`--bff-issuer`).
    pub issuer: String,
    /// The client id (`--bff-client-id`).
    pub client_id: String,
    /// The client secret (`--bff-client-secret`).
    pub client_secret: String,
    /// Where the provider sends the browser back.
    pub redirect_uri: String,
    /// The scopes asked for, space-separated.
    pub scopes: String,
}

/// The provider's endpoints this client uses.
#[derive(Clone, Debug, Deserialize)]
struct Endpoints {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    revocation_endpoint: Option<String>,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

/// What the token endpoint answered with success.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenAnswer {
    /// The access token.
    pub access_token: String,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// A new refresh token (the provider rotated), if any.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The ID token (code exchange).
    #[serde(default)]
    pub id_token: Option<String>,
    /// The refresh token's lifetime in seconds, if the provider says.
    #[serde(default)]
    pub refresh_expires_in: Option<u64>,
}

/// Why a token request gave no tokens.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// The provider said no (`invalid_grant` and the like): the grant is
    /// spent, revoked or expired, so the session is over.
    #[error("the provider refused: {0}")]
    Refused(String),
    /// The provider could not be reached or answered neither yes nor no:
    /// nothing is decided.
    #[error(transparent)]
    Unavailable(#[from] ProviderError),
}

/// The claims of an ID token the sign-in reads.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct IdClaims {
    /// The user.
    pub sub: String,
    /// The user's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The user's login name.
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    iss: String,
    aud: serde_json::Value,
    exp: u64,
}

/// The BFF's client at its provider.
pub struct ProviderClient {
    settings: ClientSettings,
    http: Client,
    endpoints: OnceCell<Endpoints>,
}

/// The S256 challenge of a PKCE `verifier`.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl ProviderClient {
    /// The client as `settings` say; the provider's endpoints are
    /// discovered on first use (and again after a failed discovery).
    pub fn new(settings: ClientSettings) -> Result<Self, ProviderError> {
        Ok(Self {
            settings,
            http: Client::new()?,
            endpoints: OnceCell::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    async fn endpoints(&self) -> Result<&Endpoints, ProviderError> {
        self.endpoints
            .get_or_try_init(|| async {
                let url = format!(
                    "{}{DISCOVERY_PATH}",
                    self.settings.issuer.trim_end_matches('/')
                );
                let endpoints: Endpoints = self.http.get_json(&parse(&url)?).await?;
                if endpoints.issuer != self.settings.issuer {
                    return Err(ProviderError::IssuerMismatch {
                        expected: self.settings.issuer.clone(),
                        found: endpoints.issuer,
                    });
                }
                Ok(endpoints)
            })
            .await
    }

    /// The URL that starts a sign-in: code flow with PKCE (`challenge` of
    /// the verifier the login state keeps), `state` and `nonce`.
    pub async fn authorization_url(
        &self,
        state: &str,
        nonce: &str,
        challenge: &str,
    ) -> Result<String, ProviderError> {
        let endpoint = &self.endpoints().await?.authorization_endpoint;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", &self.settings.redirect_uri)
            .append_pair("scope", &self.settings.scopes)
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        Ok(format!("{endpoint}{separator}{query}"))
    }

    /// Exchanges the callback's `code` (with the PKCE `verifier`).
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &str,
    ) -> Result<TokenAnswer, GrantError> {
        let pairs = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.settings.redirect_uri),
            ("code_verifier", verifier),
        ];
        self.token(&pairs, self.client_headers()).await
    }

    /// Spends `refresh_token` for a new access token (and, if the
    /// provider rotates, a new refresh token), with `idempotency_key`: a
    /// provider that keeps answers gives a retry with the same token and
    /// key the same pair again.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        idempotency_key: &str,
    ) -> Result<TokenAnswer, GrantError> {
        let mut headers = self.client_headers();
        if let Ok(key) = HeaderValue::from_str(idempotency_key) {
            headers.insert(HeaderName::from_static("idempotency-key"), key);
        }
        let pairs = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        self.token(&pairs, headers).await
    }

    async fn token(
        &self,
        pairs: &[(&str, &str)],
        headers: HeaderMap,
    ) -> Result<TokenAnswer, GrantError> {
        let endpoint = parse(&self.endpoints().await?.token_endpoint)?;
        let (status, body) = self.http.post_form(&endpoint, form(pairs), headers).await?;
        match status {
            StatusCode::OK => serde_json::from_slice(&body).map_err(|error| {
                GrantError::Unavailable(ProviderError::Document {
                    url: endpoint.to_string(),
                    reason: error.to_string(),
                })
            }),
            StatusCode::BAD_REQUEST => {
                #[derive(Deserialize)]
                struct OAuthError {
                    error: String,
                    #[serde(default)]
                    error_description: Option<String>,
                }
                match serde_json::from_slice::<OAuthError>(&body) {
                    // A client the provider does not know is this
                    // deployment's mistake, not a session that ended.
                    Ok(error) if error.error == "invalid_client" => {
                        Err(GrantError::Unavailable(ProviderError::Status {
                            url: endpoint.to_string(),
                            status,
                        }))
                    }
                    Ok(error) => Err(GrantError::Refused(
                        error.error_description.unwrap_or(error.error),
                    )),
                    Err(_) => Err(GrantError::Unavailable(ProviderError::Status {
                        url: endpoint.to_string(),
                        status,
                    })),
                }
            }
            status => Err(GrantError::Unavailable(ProviderError::Status {
                url: endpoint.to_string(),
                status,
            })),
        }
    }

    /// Revokes `refresh_token` (RFC 7009); whether the provider has a
    /// revocation endpoint.
    pub async fn revoke(&self, refresh_token: &str) -> Result<bool, ProviderError> {
        let Some(endpoint) = self.endpoints().await?.revocation_endpoint.clone() else {
            return Ok(false);
        };
        let endpoint = parse(&endpoint)?;
        let pairs = [
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
        ];
        let (status, _) = self
            .http
            .post_form(&endpoint, form(&pairs), self.client_headers())
            .await?;
        if status.is_success() {
            Ok(true)
        } else {
            Err(ProviderError::Status {
                url: endpoint.to_string(),
                status,
            })
        }
    }

    /// Where the browser ends its session at the provider, if it has an
    /// end-session endpoint: with the ID token as hint and coming back to
    /// `post_logout_redirect_uri`.
    pub async fn end_session_url(
        &self,
        id_token: Option<&str>,
        post_logout_redirect_uri: &str,
    ) -> Result<Option<String>, ProviderError> {
        let Some(endpoint) = self.endpoints().await?.end_session_endpoint.clone() else {
            return Ok(None);
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("client_id", &self.settings.client_id);
        query.append_pair("post_logout_redirect_uri", post_logout_redirect_uri);
        if let Some(hint) = id_token {
            query.append_pair("id_token_hint", hint);
        }
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        Ok(Some(format!("{endpoint}{separator}{}", query.finish())))
    }

    /// The claims of `id_token`, if it is this provider's, for this client,
    /// unexpired at `now_secs` and carries `nonce`.
    pub fn id_claims(&self, id_token: &str, nonce: &str, now_secs: u64) -> Option<IdClaims> {
        let payload = id_token.split('.').nth(1)?;
        let claims: IdClaims =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let audience_matches = match &claims.aud {
            serde_json::Value::String(aud) => *aud == self.settings.client_id,
            serde_json::Value::Array(auds) => auds
                .iter()
                .any(|aud| aud.as_str() == Some(&self.settings.client_id)),
            _ => false,
        };
        let valid = claims.iss == self.settings.issuer
            && audience_matches
            && claims.exp + ID_TOKEN_LEEWAY.as_secs() > now_secs
            && claims.nonce.as_deref() == Some(nonce);
        valid.then_some(claims)
    }

    /// The client's authentication, `Authorization: Basic` (RFC 6749
    /// §2.3.1: id and secret form-encoded first).
    fn client_headers(&self) -> HeaderMap {
        let encode =
            |value: &str| form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
        let credentials = format!(
            "{}:{}",
            encode(&self.settings.client_id),
            encode(&self.settings.client_secret)
        );
        let value = format!("Basic {}", STANDARD.encode(credentials));
        // Base64 is always a valid header value.
        let value =
            HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Basic"));
        HeaderMap::from_iter([(AUTHORIZATION, value)])
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn parse(url: &str) -> Result<Uri, ProviderError> {
    crate::oidc::check_url(url)
}
