//! The refresh call itself, in the seed protocol, RFC 6749 §6 or a
//! backend's own ([`RefreshCall`]). It goes
//! straight to the transport, never through the refresh coordinator, so it
//! can never trigger a refresh of its own.

use silent_refresh_core::{RefreshError, RefreshGrant, Refresher, TokenPair};
use silent_refresh_protocol::{RefreshRequest, TokenResponse, paths};

use std::rc::Rc;

use crate::{
    ApiError,
    abp::AbpSettings,
    oauth2::{idempotency_header, refresh_token_grant},
    oidc::OidcClient,
    transport::{Body, Method, Request, Response, Transport},
};

/// The refresh protocols a [`TokenRefresher`] speaks.
#[derive(Clone)]
enum Protocol {
    /// A form POST of `grant_type=refresh_token` to `token_url`.
    OAuth2 {
        token_url: String,
        client_id: String,
    },
    /// The `refresh_token` grant at an OpenID Connect provider's token
    /// endpoint, found by discovery.
    Oidc(OidcClient),
    /// The `refresh_token` grant at an ABP server's OpenIddict
    /// (`/connect/token` below the API base), with its client id and scopes.
    Abp(AbpSettings),
    /// A refresh call of its own: the seed protocol's ([`SeedRefresh`]) or
    /// a backend's.
    Call(Rc<dyn RefreshCall>),
    /// A Backend-for-Frontend's cookie session: the server refreshes on its
    /// side before it answers, so a `401` from it means the session ended.
    Cookie,
}

/// The seed protocol's refresh: `POST /api/app/account/refresh-token` with
/// `{userId, refreshToken}` (the grant's subject is the `userId`).
struct SeedRefresh;

impl RefreshCall for SeedRefresh {
    fn path(&self) -> &str {
        paths::REFRESH
    }

    fn body(&self, grant: &RefreshGrant) -> Result<Body, ApiError> {
        Body::json(&RefreshRequest {
            user_id: grant.subject.clone().unwrap_or_default(),
            refresh_token: grant.refresh_token.clone(),
        })
    }

    fn read(&self, response: &Response) -> Result<TokenPair, RefreshError> {
        parse_seed_refresh(response)
    }
}

/// The refresh call of a backend of your own, for when it speaks neither
/// the seed protocol nor RFC 6749: where the refresh goes, what it sends,
/// and how its answer reads. [`TokenRefresher::custom`] sends it (a `POST`,
/// with the `Idempotency-Key` of a retried refresh) and never through the
/// refresh coordinator.
///
/// ```
/// use silent_refresh_core::{RefreshError, RefreshGrant, TokenPair};
/// use silent_refresh_web::{ApiError, Body, RefreshCall, Response, read_refresh_answer};
///
/// /// `POST /auth/renew` with `{"renew": "…"}`, answered `{"access", "renew", "ttl"}`.
/// struct Renew;
///
/// #[derive(serde::Deserialize)]
/// struct Renewed { access: String, renew: String, ttl: u64 }
///
/// impl RefreshCall for Renew {
///     fn path(&self) -> &str {
///         "/auth/renew"
///     }
///     fn body(&self, grant: &RefreshGrant) -> Result<Body, ApiError> {
///         Body::json(&serde_json::json!({ "renew": grant.refresh_token }))
///     }
///     fn read(&self, response: &Response) -> Result<TokenPair, RefreshError> {
///         let answer: Renewed = read_refresh_answer(response)?;
///         Ok(TokenPair {
///             access_token: answer.access,
///             refresh_token: answer.renew,
///             expires_in: Some(answer.ttl),
///             refresh_expires_in: None,
///         })
///     }
/// }
/// let answer = Response::new(200, r#"{"access":"a2","renew":"r2","ttl":30}"#);
/// assert_eq!(Renew.read(&answer).map(|pair| pair.access_token), Ok("a2".to_owned()));
/// assert_eq!(Renew.read(&Response::new(401, "")), Err(RefreshError::Rejected));
/// ```
pub trait RefreshCall {
    /// Where the refresh goes: a path below the transport's base, or an
    /// absolute URL.
    fn path(&self) -> &str;
    /// The body that spends `grant`'s refresh token.
    fn body(&self, grant: &RefreshGrant) -> Result<Body, ApiError>;
    /// The new pair in the answer. [`RefreshError::Rejected`] ends the
    /// session (the server's definitive "no"); [`RefreshError::Unavailable`]
    /// keeps it for a later try. [`read_refresh_answer`] classifies the
    /// status the usual way.
    fn read(&self, response: &Response) -> Result<TokenPair, RefreshError>;
}

/// Performs one refresh over a [`Transport`], and classifies the answer:
/// only a definitive "no" (400/401, `success:false`, a token missing from
/// a success) is [`RefreshError::Rejected`]; network errors, timeouts, 5xx,
/// 429 and unreadable success bodies are [`RefreshError::Unavailable`].
#[derive(Clone)]
pub struct TokenRefresher {
    transport: Transport,
    protocol: Protocol,
}

impl TokenRefresher {
    /// A refresher speaking the seed protocol (the grant's subject is sent
    /// as `userId`).
    pub fn seed(transport: Transport) -> Self {
        Self::custom(transport, Rc::new(SeedRefresh))
    }

    /// A refresher speaking RFC 6749 §6 to `token_url` (a path below the
    /// transport's base, or an absolute URL) as the public client `client_id`.
    pub fn oauth2(transport: Transport, token_url: &str, client_id: &str) -> Self {
        Self {
            transport,
            protocol: Protocol::OAuth2 {
                token_url: token_url.to_owned(),
                client_id: client_id.to_owned(),
            },
        }
    }

    /// A refresher speaking RFC 6749 §6 to an ABP server's OpenIddict
    /// (`/connect/token` on the transport) as `settings` say.
    pub fn abp(transport: Transport, settings: AbpSettings) -> Self {
        Self {
            transport,
            protocol: Protocol::Abp(settings),
        }
    }

    /// A refresher sending a backend's own refresh call over `transport`.
    pub fn custom(transport: Transport, call: Rc<dyn RefreshCall>) -> Self {
        Self {
            transport,
            protocol: Protocol::Call(call),
        }
    }

    /// The refresher of a Backend-for-Frontend's cookie session: there is
    /// nothing to refresh in the browser, so every refresh is refused and
    /// the `401` that asked for it ends the session.
    pub fn cookie(transport: Transport) -> Self {
        Self {
            transport,
            protocol: Protocol::Cookie,
        }
    }

    /// A refresher speaking RFC 6749 §6 to the token endpoint `client`'s
    /// provider names (discovered on first use) as `client`'s client id.
    pub fn oidc(client: OidcClient) -> Self {
        Self {
            transport: client.transport().clone(),
            protocol: Protocol::Oidc(client),
        }
    }
}

impl Refresher for TokenRefresher {
    async fn refresh(&self, grant: &RefreshGrant) -> Result<TokenPair, RefreshError> {
        let unavailable = |e: ApiError| RefreshError::Unavailable(e.to_string());
        match &self.protocol {
            Protocol::Call(call) => {
                let body = call.body(grant).map_err(unavailable)?;
                let key = idempotency_header(grant);
                let request = Request {
                    body,
                    headers: &key.headers(),
                    ..Request::new(Method::POST, call.path())
                };
                let response = self.transport.send(request).await.map_err(unavailable)?;
                call.read(&response)
            }
            Protocol::OAuth2 {
                token_url,
                client_id,
            } => refresh_token_grant(&self.transport, token_url, client_id, None, grant).await,
            Protocol::Abp(settings) => {
                refresh_token_grant(
                    &self.transport,
                    paths::OAUTH2_TOKEN,
                    &settings.client_id,
                    Some(&settings.scopes),
                    grant,
                )
                .await
            }
            // A provider is another origin, which may not allow the header
            // (CORS), and keeps no answers anyway.
            Protocol::Oidc(client) => {
                let unkeyed = RefreshGrant {
                    idempotency_key: None,
                    ..grant.clone()
                };
                client.refresh(&unkeyed).await
            }
            Protocol::Cookie => Err(RefreshError::Rejected),
        }
    }
}

/// Reads the seed endpoint's answer. A pair only when `success` is true and
/// both tokens are there; `success: false`, a pair missing a token, and
/// 400/401 are definitive rejections; anything else keeps the session.
pub fn parse_seed_refresh(response: &Response) -> Result<TokenPair, RefreshError> {
    let answer: TokenResponse = read_refresh_answer(response)?;
    if answer.success && !answer.token.is_empty() && !answer.refresh_token.is_empty() {
        Ok(TokenPair {
            access_token: answer.token,
            refresh_token: answer.refresh_token,
            expires_in: answer.expires_in,
            refresh_expires_in: answer.refresh_expires_in,
        })
    } else {
        Err(RefreshError::Rejected)
    }
}

/// Decodes a refresh endpoint's 2xx body; classifies every other status
/// (400 and 401 are a rejection, anything else leaves the session for a
/// later try). A 2xx body that is not JSON (a proxy's error page, say) is
/// not the server's word: unavailable.
pub fn read_refresh_answer<T: serde::de::DeserializeOwned>(
    response: &Response,
) -> Result<T, RefreshError> {
    if !response.is_success() {
        return Err(classify_failure_status(response.status));
    }
    response
        .json()
        .map_err(|e| RefreshError::Unavailable(e.to_string()))
}

/// A refresh endpoint's non-success status: 400 and 401 are the server's
/// definitive "no" (`invalid_grant`); anything else (5xx, 429, a proxy's 404)
/// does not end the session.
fn classify_failure_status(status: u16) -> RefreshError {
    match status {
        400 | 401 => RefreshError::Rejected,
        other => RefreshError::Unavailable(format!("the refresh endpoint answered {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response::new(status, body)
    }

    #[test]
    fn seed_success_needs_success_true_and_both_tokens() {
        let ok = response(
            200,
            r#"{"success":true,"token":"a","refreshToken":"r","expiresIn":30,"refreshExpiresIn":600}"#,
        );
        assert_eq!(
            parse_seed_refresh(&ok),
            Ok(TokenPair {
                access_token: "a".into(),
                refresh_token: "r".into(),
                expires_in: Some(30),
                refresh_expires_in: Some(600)
            })
        );
        for body in [
            r#"{"success":false,"error":{"code":"invalid_grant"}}"#,
            r#"{"success":true,"token":"a"}"#,
            r#"{"success":true,"refreshToken":"r"}"#,
            r#"{"token":"a","refreshToken":"r"}"#,
            r#"{"success":true,"token":"","refreshToken":"r"}"#,
        ] {
            assert_eq!(
                parse_seed_refresh(&response(200, body)),
                Err(RefreshError::Rejected),
                "{body}"
            );
        }
    }

    #[test]
    fn only_400_and_401_from_the_refresh_endpoint_end_the_session() {
        let invalid_grant = r#"{"success":false,"error":{"code":"invalid_grant","message":"no"}}"#;
        assert_eq!(
            parse_seed_refresh(&response(400, invalid_grant)),
            Err(RefreshError::Rejected)
        );
        assert_eq!(
            parse_seed_refresh(&response(401, "")),
            Err(RefreshError::Rejected)
        );
        for status in [404, 408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    parse_seed_refresh(&response(status, "")),
                    Err(RefreshError::Unavailable(_))
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn malformed_json_on_success_keeps_the_session() {
        for body in ["", "<html>captive portal</html>", "{\"success\":tru"] {
            assert!(
                matches!(
                    parse_seed_refresh(&response(200, body)),
                    Err(RefreshError::Unavailable(_))
                ),
                "{body}"
            );
        }
    }
}
