//! Access tokens: compact JWS with HS256, hand-written so that the algorithm
//! is pinned exactly (RFC 7519, RFC 8725).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::Key;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The `iss` of every access token this server issues and accepts.
pub const ISSUER: &str = "silent-refresh-server";
/// The `aud` of every access token this server issues and accepts.
pub const AUDIENCE: &str = "silent-refresh";

/// The only header this server issues; anything else is refused.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Expiry, seconds since the Unix epoch; the token is refused from this second on.
    pub exp: u64,
    /// Issue time, seconds since the Unix epoch.
    pub iat: u64,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// Unique token id.
    pub jti: String,
    /// The user's access token serial at issue time; tokens whose serial is
    /// below the user's cut-off are refused (see the expire test control).
    pub ser: u64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of valid JSON with the expected fields.
    #[error("malformed token")]
    Malformed,
    /// The header names another algorithm than HS256, or carries other fields.
    #[error("unsupported algorithm or header")]
    Algorithm,
    /// The signature does not match.
    #[error("bad signature")]
    Signature,
    /// `iss` is not [`ISSUER`].
    #[error("wrong issuer")]
    Issuer,
    /// `aud` is not [`AUDIENCE`].
    #[error("wrong audience")]
    Audience,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
}

/// The HS256 signing key.
#[derive(Clone)]
pub struct JwtKeys {
    mac: Hmac<Sha256>,
}

impl JwtKeys {
    /// Keys from a 512-bit secret (the SHA-256 block size).
    pub fn new(secret: [u8; 64]) -> Self {
        Self {
            mac: Hmac::new(&Key::<Hmac<Sha256>>::from(secret)),
        }
    }

    /// Signs `claims` into a compact JWT.
    pub fn issue(&self, claims: &Claims) -> Result<String, serde_json::Error> {
        let header = URL_SAFE_NO_PAD.encode(HEADER);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?);
        Ok(self.sign(&header, &payload))
    }

    /// Checks the header (HS256 only), the signature (in constant time), the
    /// issuer, the audience and the expiry against `now_ms`.
    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let parsed: Header = serde_json::from_slice(&decode_part(header)?).map_err(|error| {
            // JSON that is not our header names another algorithm or adds
            // fields; anything that is not JSON at all is just malformed.
            if error.is_data() {
                TokenError::Algorithm
            } else {
                TokenError::Malformed
            }
        })?;
        if parsed.alg != "HS256" || parsed.typ.is_some_and(|typ| typ != "JWT") {
            return Err(TokenError::Algorithm);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Signature)?;
        self.mac_of(header, payload)
            .verify_slice(&signature)
            .map_err(|_| TokenError::Signature)?;
        let claims: Claims =
            serde_json::from_slice(&decode_part(payload)?).map_err(|_| TokenError::Malformed)?;
        if claims.iss != ISSUER {
            return Err(TokenError::Issuer);
        }
        if claims.aud != AUDIENCE {
            return Err(TokenError::Audience);
        }
        if now_ms >= claims.exp.saturating_mul(1000) {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    fn mac_of(&self, header: &str, payload: &str) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac
    }

    fn sign(&self, header: &str, payload: &str) -> String {
        let signature = self.mac_of(header, payload).finalize().into_bytes();
        format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

fn decode_part(part: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: u64 = 1_700_000_000_000;

    fn keys() -> JwtKeys {
        JwtKeys::new([7; 64])
    }

    fn claims() -> Claims {
        Claims {
            sub: "user-1".into(),
            exp: NOW_MS / 1000 + 30,
            iat: NOW_MS / 1000,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: "j1".into(),
            ser: 1,
        }
    }

    /// Signs any header and payload with the real key, as a forger who knew
    /// the key but not the rules would.
    fn forge(header: &str, claims: &Claims) -> Result<String, serde_json::Error> {
        let header = URL_SAFE_NO_PAD.encode(header);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?);
        Ok(keys().sign(&header, &payload))
    }

    #[test]
    fn issued_tokens_verify() -> Result<(), Box<dyn std::error::Error>> {
        let token = keys().issue(&claims())?;
        assert_eq!(keys().verify(&token, NOW_MS)?, claims());
        Ok(())
    }

    #[test]
    fn alg_none_is_refused() -> Result<(), serde_json::Error> {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims())?);
        let unsigned = format!("{header}.{payload}.");
        assert_eq!(keys().verify(&unsigned, NOW_MS), Err(TokenError::Algorithm));
        // Even correctly signed, a header naming `none` is refused.
        let signed = forge(r#"{"alg":"none"}"#, &claims())?;
        assert_eq!(keys().verify(&signed, NOW_MS), Err(TokenError::Algorithm));
        Ok(())
    }

    #[test]
    fn other_algorithms_and_extra_header_fields_are_refused() -> Result<(), serde_json::Error> {
        for header in [
            r#"{"alg":"HS512","typ":"JWT"}"#,
            r#"{"alg":"RS256","typ":"JWT"}"#,
            r#"{"alg":"hs256","typ":"JWT"}"#,
            r#"{"typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#,
            r#"{"alg":"HS256","typ":"JWT","jku":"http://evil"}"#,
            r#"{"alg":"HS256","typ":"at+jwt"}"#,
        ] {
            let token = forge(header, &claims())?;
            assert_eq!(
                keys().verify(&token, NOW_MS),
                Err(TokenError::Algorithm),
                "{header}"
            );
        }
        Ok(())
    }

    #[test]
    fn tampering_is_detected() -> Result<(), Box<dyn std::error::Error>> {
        let token = keys().issue(&claims())?;
        let (signed, signature) = token.rsplit_once('.').ok_or("no dot")?;
        let mut sig = URL_SAFE_NO_PAD.decode(signature)?;
        sig[0] ^= 1;
        let flipped = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&sig));
        assert_eq!(keys().verify(&flipped, NOW_MS), Err(TokenError::Signature));

        let mut admin = claims();
        admin.sub = "admin".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&admin)?);
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_payload;
        assert_eq!(
            keys().verify(&parts.join("."), NOW_MS),
            Err(TokenError::Signature)
        );

        let other_key = JwtKeys::new([8; 64]).issue(&claims())?;
        assert_eq!(
            keys().verify(&other_key, NOW_MS),
            Err(TokenError::Signature)
        );
        Ok(())
    }

    #[test]
    fn issuer_audience_and_expiry_are_checked() -> Result<(), Box<dyn std::error::Error>> {
        let mut wrong_iss = claims();
        wrong_iss.iss = "someone-else".into();
        assert_eq!(
            keys().verify(&keys().issue(&wrong_iss)?, NOW_MS),
            Err(TokenError::Issuer)
        );

        let mut wrong_aud = claims();
        wrong_aud.aud = "another-app".into();
        assert_eq!(
            keys().verify(&keys().issue(&wrong_aud)?, NOW_MS),
            Err(TokenError::Audience)
        );

        let token = keys().issue(&claims())?;
        let exp_ms = claims().exp * 1000;
        assert!(keys().verify(&token, exp_ms - 1).is_ok());
        assert_eq!(keys().verify(&token, exp_ms), Err(TokenError::Expired));
        Ok(())
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let header = URL_SAFE_NO_PAD.encode(HEADER);
        let not_json = URL_SAFE_NO_PAD.encode("{not json");
        for garbage in [
            "",
            ".",
            "..",
            "a.b.c",
            "a.b.c.d",
            "ü.ü.ü",
            "eyJhbGciOiJIUzI1NiJ9",
            &format!("{not_json}.e30.AAAA"),
            &format!("{header}.e30"),
        ] {
            assert_eq!(
                keys().verify(garbage, NOW_MS),
                Err(TokenError::Malformed),
                "{garbage:?}"
            );
        }
        // A well-formed header and signature over claims that lack fields.
        let signed = keys().sign(&header, &URL_SAFE_NO_PAD.encode(r#"{"sub":"user-1"}"#));
        assert_eq!(keys().verify(&signed, NOW_MS), Err(TokenError::Malformed));
    }
}
