//! OpenID Connect Discovery 1.0: the provider's configuration document.

use serde::Deserialize;

use super::OidcError;
use crate::Response;

/// The parts of the provider's configuration the sign-in uses.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ProviderMetadata {
    /// The issuer identifier; must be the one configured (Discovery §4.3).
    pub issuer: String,
    /// Where the browser is sent to sign in.
    pub authorization_endpoint: String,
    /// Where codes are exchanged and tokens refreshed.
    pub token_endpoint: String,
    /// RFC 7009 revocation, when the provider has it.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// RP-initiated logout, when the provider has it.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// Whether the callback carries `iss` (RFC 9207); then it must.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// The PKCE methods; empty when the provider does not say.
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
}

/// Where `issuer` publishes its configuration.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Reads the configuration document `response` of `issuer`: it must name
/// that issuer, give `http(s)` endpoints, and allow `S256` when it lists
/// PKCE methods.
pub fn parse_metadata(issuer: &str, response: &Response) -> Result<ProviderMetadata, OidcError> {
    if !response.is_success() {
        return Err(OidcError::Discovery(format!(
            "{} answered with status {}",
            discovery_url(issuer),
            response.status
        )));
    }
    let metadata: ProviderMetadata = serde_json::from_str(&response.body).map_err(|e| {
        OidcError::Discovery(format!("the configuration document is not valid: {e}"))
    })?;
    if metadata.issuer != issuer {
        return Err(OidcError::Discovery(format!(
            "the configuration names the issuer {}, not {issuer}",
            metadata.issuer
        )));
    }
    let endpoints = [
        Some(&metadata.authorization_endpoint),
        Some(&metadata.token_endpoint),
        metadata.revocation_endpoint.as_ref(),
    ];
    if let Some(bad) = endpoints
        .into_iter()
        .flatten()
        .find(|url| !url.starts_with("https://") && !url.starts_with("http://"))
    {
        return Err(OidcError::Discovery(format!(
            "the endpoint {bad:?} is not an http(s) URL"
        )));
    }
    let methods = &metadata.code_challenge_methods_supported;
    if !methods.is_empty() && !methods.iter().any(|m| m == "S256") {
        return Err(OidcError::Discovery(
            "the provider does not support PKCE with S256".into(),
        ));
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "http://127.0.0.1:9417";

    fn document(issuer: &str, methods: &str) -> Response {
        Response {
            status: 200,
            body: format!(
                r#"{{"issuer":"{issuer}","authorization_endpoint":"{ISSUER}/auth","token_endpoint":"{ISSUER}/token","revocation_endpoint":"{ISSUER}/token/revocation","authorization_response_iss_parameter_supported":true,"code_challenge_methods_supported":{methods}}}"#
            ),
        }
    }

    #[test]
    fn discovery_is_below_the_issuer_with_or_without_a_slash() {
        assert_eq!(
            discovery_url("https://id.example/"),
            "https://id.example/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url(ISSUER),
            format!("{ISSUER}/.well-known/openid-configuration")
        );
    }

    #[test]
    fn a_document_of_the_issuer_gives_its_endpoints() {
        let metadata = parse_metadata(ISSUER, &document(ISSUER, r#"["S256"]"#)).unwrap();
        assert_eq!(metadata.token_endpoint, format!("{ISSUER}/token"));
        assert!(metadata.authorization_response_iss_parameter_supported);
        assert_eq!(metadata.end_session_endpoint, None);
    }

    #[test]
    fn another_issuer_no_s256_a_bad_body_or_status_fail_discovery() {
        let bad = [
            document("http://evil.example", r#"["S256"]"#),
            document(ISSUER, r#"["plain"]"#),
            Response {
                status: 200,
                body: "<html>".into(),
            },
            Response {
                status: 404,
                body: String::new(),
            },
        ];
        for response in bad {
            assert!(
                matches!(
                    parse_metadata(ISSUER, &response),
                    Err(OidcError::Discovery(_))
                ),
                "{response:?}"
            );
        }
    }
}
