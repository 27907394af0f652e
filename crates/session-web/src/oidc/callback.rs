//! The authorization request and the checks on its answer (the callback).

use serde::{Deserialize, Serialize};

use super::{OidcError, ProviderMetadata};
use crate::form_encode;

/// A sign-in this tab started, kept (in `sessionStorage`) until its answer
/// comes back, and used once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    /// Ties the answer to this request (RFC 6749 §10.12).
    pub state: String,
    /// Ties the ID token to this request (OpenID Connect Core §3.1.2.1).
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// The app's page to land on afterwards.
    pub return_to: String,
}

/// What the client sends with every authorization request.
#[derive(Clone, Copy, Debug)]
pub struct ClientParams<'a> {
    /// The client id.
    pub client_id: &'a str,
    /// The scopes, space-separated.
    pub scopes: &'a str,
    /// The callback URL, registered at the provider.
    pub redirect_uri: &'a str,
}

/// The URL that starts `pending`'s sign-in: the code flow with the PKCE
/// `challenge` (S256), `state` and `nonce`.
pub fn authorization_url(
    metadata: &ProviderMetadata,
    client: ClientParams<'_>,
    pending: &PendingLogin,
    challenge: &str,
) -> String {
    let query = form_encode(&[
        ("response_type", "code"),
        ("client_id", client.client_id),
        ("redirect_uri", client.redirect_uri),
        ("scope", client.scopes),
        ("state", &pending.state),
        ("nonce", &pending.nonce),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]);
    let endpoint = &metadata.authorization_endpoint;
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{separator}{query}")
}

/// The callback's query parameters (RFC 6749 §4.1.2, RFC 9207).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<String>,
    /// The state sent with the request.
    pub state: Option<String>,
    /// The issuer, when the provider sends it.
    pub iss: Option<String>,
    /// An error code instead of a code.
    pub error: Option<String>,
    /// The error's explanation.
    pub error_description: Option<String>,
}

impl CallbackParams {
    /// Reads a query string, with or without its leading `?`.
    pub fn parse(query: &str) -> Self {
        let mut params = Self::default();
        for (name, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot = match &*name {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "iss" => &mut params.iss,
                "error" => &mut params.error,
                "error_description" => &mut params.error_description,
                _ => continue,
            };
            slot.get_or_insert_with(|| value.into_owned());
        }
        params
    }
}

/// Checks the callback `params` against the sign-in this tab started
/// (`None`: none, or its answer was used already) and returns the code.
/// The state is checked before anything else is believed, then the issuer
/// (RFC 9207: required when the provider says it sends it), then the
/// provider's error.
pub fn check_callback(
    params: &CallbackParams,
    pending: Option<&PendingLogin>,
    metadata: &ProviderMetadata,
) -> Result<String, OidcError> {
    let pending = pending.ok_or(OidcError::NoLoginInProgress)?;
    if params.state.as_deref() != Some(pending.state.as_str()) {
        return Err(OidcError::StateMismatch);
    }
    match params.iss.as_deref() {
        Some(iss) if iss != metadata.issuer => {
            return Err(OidcError::IssuerMismatch(iss.to_owned()));
        }
        None if metadata.authorization_response_iss_parameter_supported => {
            return Err(OidcError::IssuerMismatch("no iss in the answer".into()));
        }
        _ => {}
    }
    if let Some(error) = &params.error {
        return Err(OidcError::Provider {
            error: error.clone(),
            description: params.error_description.clone(),
        });
    }
    params
        .code
        .clone()
        .filter(|code| !code.is_empty())
        .ok_or_else(|| OidcError::Exchange("the answer carries no code".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "http://127.0.0.1:9417";

    fn metadata(iss_supported: bool) -> ProviderMetadata {
        ProviderMetadata {
            issuer: ISSUER.into(),
            authorization_endpoint: format!("{ISSUER}/auth"),
            token_endpoint: format!("{ISSUER}/token"),
            revocation_endpoint: None,
            end_session_endpoint: None,
            authorization_response_iss_parameter_supported: iss_supported,
            code_challenge_methods_supported: vec!["S256".into()],
        }
    }

    fn pending() -> PendingLogin {
        PendingLogin {
            state: "st-1".into(),
            nonce: "n-1".into(),
            verifier: "v".into(),
            return_to: "/reports".into(),
        }
    }

    fn callback(query: &str) -> CallbackParams {
        CallbackParams::parse(query)
    }

    #[test]
    fn the_request_carries_pkce_state_nonce_and_the_client() {
        let client = ClientParams {
            client_id: "app",
            scopes: "openid profile offline_access",
            redirect_uri: "http://127.0.0.1:8080/auth/callback",
        };
        let url = authorization_url(&metadata(true), client, &pending(), "chal");
        assert!(url.starts_with(&format!("{ISSUER}/auth?response_type=code&client_id=app&")));
        for part in [
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fcallback",
            "scope=openid+profile+offline_access",
            "state=st-1",
            "nonce=n-1",
            "code_challenge=chal",
            "code_challenge_method=S256",
        ] {
            assert!(url.contains(part), "{part} in {url}");
        }
    }

    #[test]
    fn a_matching_answer_gives_the_code() {
        let params = callback(&format!(
            "?code=c%2B1&state=st-1&iss={}",
            "http%3A%2F%2F127.0.0.1%3A9417"
        ));
        assert_eq!(
            check_callback(&params, Some(&pending()), &metadata(true)),
            Ok("c+1".into())
        );
        let without_iss = callback("code=c&state=st-1");
        assert_eq!(
            check_callback(&without_iss, Some(&pending()), &metadata(false)),
            Ok("c".into())
        );
    }

    #[test]
    fn no_sign_in_in_progress_is_a_replayed_answer() {
        let params = callback("code=c&state=st-1");
        assert_eq!(
            check_callback(&params, None, &metadata(false)),
            Err(OidcError::NoLoginInProgress)
        );
    }

    #[test]
    fn a_wrong_or_missing_state_is_refused_before_anything_else() {
        for query in [
            "code=c&state=other",
            "code=c",
            "error=access_denied&state=other",
        ] {
            assert_eq!(
                check_callback(&callback(query), Some(&pending()), &metadata(false)),
                Err(OidcError::StateMismatch),
                "{query}"
            );
        }
    }

    #[test]
    fn another_issuer_or_a_missing_iss_when_promised_is_refused() {
        let other = callback("code=c&state=st-1&iss=http%3A%2F%2Fevil.example");
        assert_eq!(
            check_callback(&other, Some(&pending()), &metadata(false)),
            Err(OidcError::IssuerMismatch("http://evil.example".into()))
        );
        let missing = callback("code=c&state=st-1");
        assert!(matches!(
            check_callback(&missing, Some(&pending()), &metadata(true)),
            Err(OidcError::IssuerMismatch(_))
        ));
    }

    #[test]
    fn the_providers_error_is_passed_on_with_its_description() {
        let params = callback(
            "error=access_denied&error_description=End-User+aborted+interaction&state=st-1",
        );
        assert_eq!(
            check_callback(&params, Some(&pending()), &metadata(false)),
            Err(OidcError::Provider {
                error: "access_denied".into(),
                description: Some("End-User aborted interaction".into())
            })
        );
    }

    #[test]
    fn an_answer_without_a_code_is_refused() {
        for query in ["state=st-1", "state=st-1&code="] {
            assert!(matches!(
                check_callback(&callback(query), Some(&pending()), &metadata(false)),
                Err(OidcError::Exchange(_))
            ));
        }
    }
}
