//! An OAuth 2.0 token endpoint (RFC 6749): its answers (§5.1 and §5.2),
//! the same for every grant, and the `refresh_token` grant (§6).

use silent_refresh_core::{RefreshError, RefreshGrant, TokenPair};
use silent_refresh_protocol::{OAuth2TokenResponse, OAuthError};

use crate::transport::{Body, Method, Request, Response, Transport, form_encode};

/// Why a token endpoint gave no tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenEndpointError {
    /// The server's definitive no: a 400 or 401, with an RFC 6749 §5.2
    /// error (`invalid_grant`, `invalid_request`, …) when it sent one, or a
    /// success without an access token.
    Refused(OAuthError),
    /// No word from the server (5xx, 429, a body that cannot be read): try
    /// again later.
    Unavailable(String),
}

impl std::fmt::Display for TokenEndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(OAuthError {
                error,
                error_description: Some(description),
                ..
            }) => write!(f, "{error}: {description}"),
            Self::Refused(OAuthError { error, .. }) => f.write_str(error),
            Self::Unavailable(reason) => f.write_str(reason),
        }
    }
}

impl From<TokenEndpointError> for RefreshError {
    fn from(error: TokenEndpointError) -> Self {
        match error {
            TokenEndpointError::Refused(_) => RefreshError::Rejected,
            TokenEndpointError::Unavailable(reason) => RefreshError::Unavailable(reason),
        }
    }
}

/// Reads a token endpoint's `response`.
pub fn token_endpoint_answer(
    response: &Response,
) -> Result<OAuth2TokenResponse, TokenEndpointError> {
    match response.status {
        200..=299 => {
            let answer: OAuth2TokenResponse =
                serde_json::from_str(&response.body).map_err(|e| {
                    TokenEndpointError::Unavailable(format!("the token answer cannot be read: {e}"))
                })?;
            if answer.access_token.is_empty() {
                return Err(TokenEndpointError::Refused(OAuthError::new(
                    "invalid_grant",
                    "the answer holds no access token",
                )));
            }
            Ok(answer)
        }
        400 | 401 => Err(TokenEndpointError::Refused(
            serde_json::from_str::<OAuthError>(&response.body).unwrap_or_else(|_| {
                OAuthError::new(
                    "invalid_request",
                    format!(
                        "the token endpoint answered {} without an OAuth error",
                        response.status
                    ),
                )
            }),
        )),
        other => Err(TokenEndpointError::Unavailable(format!(
            "the token endpoint answered {other}"
        ))),
    }
}

/// One `refresh_token` grant (RFC 6749 §6): a form POST to `token_url` as
/// the public client `client_id`, asking for `scope` when given (ABP's
/// clients ask for their scopes again).
pub(crate) async fn refresh_token_grant(
    transport: &Transport,
    token_url: &str,
    client_id: &str,
    scope: Option<&str>,
    grant: &RefreshGrant,
) -> Result<TokenPair, RefreshError> {
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", grant.refresh_token.as_str()),
        ("client_id", client_id),
    ];
    pairs.extend(scope.map(|scope| ("scope", scope)));
    let form = form_encode(&pairs);
    let key = idempotency_header(grant);
    let request = Request {
        body: Body::Form(form),
        headers: &key.headers(),
        ..Request::new(Method::POST, token_url)
    };
    let response = transport
        .send(request)
        .await
        .map_err(|e| RefreshError::Unavailable(e.to_string()))?;
    parse_oauth2_refresh(&response, grant)
}

/// The `Idempotency-Key` header of a refresh sent with a key (the IETF
/// httpapi draft writes the key as a quoted string).
pub(crate) struct IdempotencyHeader(Option<String>);

impl IdempotencyHeader {
    /// The header, or none.
    pub(crate) fn headers(&self) -> Vec<(&'static str, &str)> {
        self.0
            .iter()
            .map(|quoted| ("Idempotency-Key", quoted.as_str()))
            .collect()
    }
}

/// The header `grant`'s key goes out in.
pub(crate) fn idempotency_header(grant: &RefreshGrant) -> IdempotencyHeader {
    IdempotencyHeader(
        grant
            .idempotency_key
            .as_ref()
            .map(|key| format!("\"{key}\"")),
    )
}

/// Reads an RFC 6749 token response. A server that does not rotate refresh
/// tokens may leave `refresh_token` out: the current one is kept.
pub fn parse_oauth2_refresh(
    response: &Response,
    grant: &RefreshGrant,
) -> Result<TokenPair, RefreshError> {
    let answer = token_endpoint_answer(response)?;
    Ok(TokenPair {
        access_token: answer.access_token,
        refresh_token: answer
            .refresh_token
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| grant.refresh_token.clone()),
        expires_in: answer.expires_in,
        refresh_expires_in: answer.refresh_expires_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response::new(status, body)
    }

    /// RFC 6749 §5.2, and an extension code.
    const ERROR_CODES: [&str; 7] = [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "invalid_dpop_proof",
    ];

    #[test]
    fn every_error_code_is_a_refusal_with_its_code_and_description() {
        for code in ERROR_CODES {
            for status in [400, 401] {
                let body = format!(r#"{{"error":"{code}","error_description":"why"}}"#);
                let refused = token_endpoint_answer(&response(status, &body));
                assert_eq!(
                    refused,
                    Err(TokenEndpointError::Refused(OAuthError::new(code, "why"))),
                    "{status} {code}"
                );
                assert_eq!(
                    RefreshError::from(refused.unwrap_err()),
                    RefreshError::Rejected
                );
            }
        }
    }

    #[test]
    fn a_400_that_is_not_json_is_still_a_refusal() {
        for body in ["", "<html>Bad Request</html>", r#"{"error":"#] {
            assert!(
                matches!(
                    token_endpoint_answer(&response(400, body)),
                    Err(TokenEndpointError::Refused(OAuthError { error, .. })) if error == "invalid_request"
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn server_errors_throttling_and_unreadable_successes_are_unavailable() {
        let cases = [
            response(500, r#"{"error":"server_error"}"#),
            response(502, "<html>"),
            response(503, ""),
            response(429, r#"{"error":"slow_down"}"#),
            response(200, "<html>captive portal</html>"),
            response(200, ""),
        ];
        for case in cases {
            assert!(
                matches!(
                    token_endpoint_answer(&case),
                    Err(TokenEndpointError::Unavailable(_))
                ),
                "{case:?}"
            );
        }
    }

    #[test]
    fn a_success_gives_the_tokens_and_one_without_an_access_token_is_refused() {
        let ok = response(
            200,
            r#"{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":4,"id_token":"x.y.z"}"#,
        );
        let answer = token_endpoint_answer(&ok).unwrap();
        assert_eq!(
            (answer.access_token.as_str(), answer.expires_in),
            ("a", Some(4))
        );
        assert_eq!(answer.id_token.as_deref(), Some("x.y.z"));
        assert!(matches!(
            token_endpoint_answer(&response(200, r#"{"token_type":"Bearer"}"#)),
            Err(TokenEndpointError::Refused(_))
        ));
    }

    fn grant() -> RefreshGrant {
        RefreshGrant {
            refresh_token: "old".into(),
            subject: Some("u1".into()),
            idempotency_key: None,
        }
    }

    #[test]
    fn oauth2_keeps_the_old_refresh_token_when_none_is_sent() {
        let rotated = response(
            200,
            r#"{"access_token":"a","refresh_token":"r2","token_type":"Bearer","expires_in":60}"#,
        );
        assert_eq!(
            parse_oauth2_refresh(&rotated, &grant()).map(|p| p.refresh_token),
            Ok("r2".into())
        );
        let kept = response(200, r#"{"access_token":"a","token_type":"Bearer"}"#);
        assert_eq!(
            parse_oauth2_refresh(&kept, &grant()).map(|p| p.refresh_token),
            Ok("old".into())
        );
    }

    #[test]
    fn oauth2_invalid_grant_is_a_rejection() {
        let body = r#"{"error":"invalid_grant","error_description":"reused"}"#;
        assert_eq!(
            parse_oauth2_refresh(&response(400, body), &grant()),
            Err(RefreshError::Rejected)
        );
        assert_eq!(
            parse_oauth2_refresh(&response(200, r#"{"token_type":"Bearer"}"#), &grant()),
            Err(RefreshError::Rejected)
        );
    }
}
