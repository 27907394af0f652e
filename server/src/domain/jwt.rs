//! Access tokens: JWTs signed with HS256 by `jsonwebtoken`, the algorithm
//! pinned (RFC 7519, RFC 8725): a token whose header is not exactly the one
//! this server issues (`{"typ":"JWT","alg":"HS256"}`), `none` and every other
//! algorithm included, is refused before its signature is looked at.

use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The `iss` of every access token this server issues and accepts.
pub const ISSUER: &str = "silent-refresh-server";
/// The `aud` of every access token this server issues and accepts.
pub const AUDIENCE: &str = "silent-refresh";

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
    /// The session (refresh token family) the token was issued to; once the
    /// session is revoked (logout, reuse), the token is refused.
    pub sid: i64,
}

/// Why a token was refused: one of ours, or (with `--oidc-issuer`) one of
/// the identity provider's (see [`crate::oidc`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of valid JSON with the expected fields.
    #[error("malformed token")]
    Malformed,
    /// The header names another algorithm than the key's (HS256 for ours),
    /// or is not exactly ours.
    #[error("unsupported algorithm or header")]
    Algorithm,
    /// The header names no key (`kid`), or one the provider does not publish.
    #[error("unknown signing key")]
    UnknownKey,
    /// The signature does not match.
    #[error("bad signature")]
    Signature,
    /// `iss` is not the expected issuer.
    #[error("wrong issuer")]
    Issuer,
    /// `aud` does not name the expected audience.
    #[error("wrong audience")]
    Audience,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
}

impl From<Error> for TokenError {
    fn from(error: Error) -> Self {
        match error.kind() {
            ErrorKind::InvalidAlgorithm
            | ErrorKind::InvalidAlgorithmName
            | ErrorKind::MissingAlgorithm
            | ErrorKind::UnsupportedAlgorithm => TokenError::Algorithm,
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::InvalidIssuer => TokenError::Issuer,
            ErrorKind::InvalidAudience => TokenError::Audience,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Malformed,
        }
    }
}

/// The HS256 keys and the rules a token must pass.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    /// Keys from a 512-bit secret (the SHA-256 block size).
    pub fn new(secret: [u8; 64]) -> Result<Self, Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is checked in `verify` against the server's clock, which
        // tests move by hand; the library would read the system clock.
        validation.validate_exp = false;
        Ok(Self {
            encoding: EncodingKey::from_secret(&secret)?,
            decoding: DecodingKey::from_secret(&secret)?,
            validation,
        })
    }

    /// Signs `claims` into a compact JWT.
    pub fn issue(&self, claims: &Claims) -> Result<String, Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Checks the header (exactly ours: HS256), the signature, the issuer,
    /// the audience and the expiry against `now_ms`.
    pub fn verify(&self, token: &str, now_ms: u64) -> Result<Claims, TokenError> {
        if header(token)? != Header::new(Algorithm::HS256) {
            return Err(TokenError::Algorithm);
        }
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        if now_ms >= claims.exp.saturating_mul(1000) {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// The header of `token`, read before its signature is checked: an
/// algorithm the library does not know (`none`) or none at all is
/// [`TokenError::Algorithm`], anything else unreadable
/// [`TokenError::Malformed`].
pub fn header(token: &str) -> Result<Header, TokenError> {
    jsonwebtoken::decode_header(token).map_err(|error| match error.kind() {
        // JSON that is not a header we know names an unknown algorithm
        // (`none`) or none at all; anything else is just malformed.
        ErrorKind::Json(cause) if cause.is_data() => TokenError::Algorithm,
        _ => TokenError::Malformed,
    })
}

#[cfg(test)]
mod tests;
