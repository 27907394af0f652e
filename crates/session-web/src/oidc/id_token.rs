//! The ID token's claims and their checks (OpenID Connect Core §3.1.3.7).
//! Its signature is not checked: the token came straight from the token
//! endpoint over TLS, which Core §3.1.3.7 point 6 allows instead.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;

use super::OidcError;

/// How far the provider's clock may be ahead or behind, in seconds.
const CLOCK_SKEW_SECS: f64 = 60.0;

/// The `aud` claim: one client or several.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims of an ID token the sign-in reads.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct IdTokenClaims {
    /// The issuer.
    pub iss: String,
    /// The subject: who signed in.
    pub sub: String,
    aud: Audience,
    /// When it expires (seconds since the epoch).
    pub exp: f64,
    /// The nonce of the request.
    #[serde(default)]
    pub nonce: Option<String>,
    /// The authorized party, when there are several audiences.
    #[serde(default)]
    pub azp: Option<String>,
    /// The display name (scope `profile`).
    #[serde(default)]
    pub name: Option<String>,
    /// The login name (scope `profile`).
    #[serde(default)]
    pub preferred_username: Option<String>,
}

impl IdTokenClaims {
    /// Whether `client_id` is among the audiences.
    fn is_for(&self, client_id: &str) -> bool {
        match &self.aud {
            Audience::One(aud) => aud == client_id,
            Audience::Many(auds) => auds.iter().any(|aud| aud == client_id),
        }
    }

    /// Whether there is more than one audience (then `azp` must be us).
    fn has_several_audiences(&self) -> bool {
        matches!(&self.aud, Audience::Many(auds) if auds.len() > 1)
    }
}

/// Reads the claims of a compact JWS `id_token` (its middle part).
pub fn decode_claims(id_token: &str) -> Result<IdTokenClaims, OidcError> {
    let bad = |reason: String| OidcError::IdToken(reason);
    let mut parts = id_token.split('.');
    let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(payload), Some(_), None) => payload,
        _ => return Err(bad("it is not a JWT of three parts".into())),
    };
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| bad(format!("its payload is not base64url: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| bad(format!("its claims cannot be read: {e}")))
}

/// Checks `claims` against the issuer, this client, the request's `nonce`
/// and the time `now_ms`.
pub fn check_claims(
    claims: &IdTokenClaims,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now_ms: f64,
) -> Result<(), OidcError> {
    if claims.iss != issuer {
        return Err(OidcError::IssuerMismatch(claims.iss.clone()));
    }
    if !claims.is_for(client_id) {
        return Err(OidcError::IdToken("it is meant for another client".into()));
    }
    if claims.has_several_audiences() && claims.azp.as_deref() != Some(client_id) {
        return Err(OidcError::IdToken(
            "it has several audiences and another authorized party".into(),
        ));
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(OidcError::IdToken(
            "its nonce is not this sign-in's (a replayed token?)".into(),
        ));
    }
    if claims.exp + CLOCK_SKEW_SECS <= now_ms / 1000.0 {
        return Err(OidcError::IdToken("it has expired".into()));
    }
    if claims.sub.is_empty() {
        return Err(OidcError::IdToken("it names no subject".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::base64url;

    const ISSUER: &str = "http://127.0.0.1:9417";
    const NOW_MS: f64 = 1_700_000_000_000.0;

    fn token(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            base64url(br#"{"alg":"RS256"}"#),
            base64url(claims.as_bytes())
        )
    }

    fn claims(aud: &str, extra: &str) -> IdTokenClaims {
        decode_claims(&token(&format!(
            r#"{{"iss":"{ISSUER}","sub":"alice","aud":{aud},"exp":1700000300,"nonce":"n-1","name":"Alice"{extra}}}"#
        )))
        .unwrap()
    }

    #[test]
    fn a_token_for_this_sign_in_passes() {
        let c = claims(r#""app""#, "");
        assert_eq!(check_claims(&c, ISSUER, "app", "n-1", NOW_MS), Ok(()));
        assert_eq!(c.sub, "alice");
        assert_eq!(c.name.as_deref(), Some("Alice"));
        let several = claims(r#"["app","api"]"#, r#","azp":"app""#);
        assert_eq!(check_claims(&several, ISSUER, "app", "n-1", NOW_MS), Ok(()));
    }

    #[test]
    fn issuer_audience_nonce_and_expiry_are_checked() {
        let c = claims(r#""app""#, "");
        assert!(matches!(
            check_claims(&c, "http://other", "app", "n-1", NOW_MS),
            Err(OidcError::IssuerMismatch(_))
        ));
        assert!(matches!(
            check_claims(&c, ISSUER, "other-app", "n-1", NOW_MS),
            Err(OidcError::IdToken(_))
        ));
        assert!(matches!(
            check_claims(&c, ISSUER, "app", "n-2", NOW_MS),
            Err(OidcError::IdToken(_))
        ));
        let later = NOW_MS + 400_000.0;
        assert!(matches!(
            check_claims(&c, ISSUER, "app", "n-1", later),
            Err(OidcError::IdToken(_))
        ));
        let no_azp = claims(r#"["app","api"]"#, "");
        assert!(matches!(
            check_claims(&no_azp, ISSUER, "app", "n-1", NOW_MS),
            Err(OidcError::IdToken(_))
        ));
    }

    #[test]
    fn a_token_without_a_nonce_is_refused() {
        let c = decode_claims(&token(&format!(
            r#"{{"iss":"{ISSUER}","sub":"alice","aud":"app","exp":1700000300}}"#
        )))
        .unwrap();
        assert!(check_claims(&c, ISSUER, "app", "n-1", NOW_MS).is_err());
    }

    #[test]
    fn malformed_tokens_are_refused_with_a_reason() {
        for bad in [
            String::new(),
            "a.b".into(),
            "a.b.c.d".into(),
            "a.!!!.c".into(),
            token("not json"),
            token(r#"{"iss":"x"}"#),
        ] {
            assert!(
                matches!(decode_claims(&bad), Err(OidcError::IdToken(_))),
                "{bad}"
            );
        }
    }
}
