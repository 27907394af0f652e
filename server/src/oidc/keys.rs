//! The provider's signing keys, read from its JWKS (RFC 7517), each with
//! the one algorithm it may verify: the JWK's `alg` if it names one, else
//! the one its key type implies (RSA → RS256, EC P-256 → ES256).

use std::collections::HashMap;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// A signing key and the algorithm it is for.
#[derive(Clone)]
pub struct Key {
    /// The only algorithm a token signed with this key may name.
    pub algorithm: Algorithm,
    /// The public key.
    pub decoding: DecodingKey,
}

/// The usable keys of a JWKS, by key id.
#[derive(Clone, Default)]
pub struct KeySet(HashMap<String, Key>);

/// A JWKS as sent, each key still unread, so that one key this server
/// cannot read does not spoil the others.
#[derive(Deserialize)]
pub struct Jwks {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// The RS256 and ES256 signing keys of `jwks` that have a key id.
    /// Skipped: keys without `kid`, keys for encryption (`use` other than
    /// `sig`), symmetric and other key types, keys whose `alg` is another
    /// algorithm or does not fit the key type, and a repeated `kid` (the
    /// first one counts).
    pub fn from_jwks(jwks: &Jwks) -> Self {
        let mut keys = HashMap::new();
        for value in &jwks.keys {
            let Ok(jwk) = Jwk::deserialize(value) else {
                tracing::warn!(key = %value, "skipping an unreadable JWK");
                continue;
            };
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let usable = algorithm_of(&jwk).and_then(|algorithm| {
                let decoding = DecodingKey::from_jwk(&jwk).ok()?;
                Some(Key {
                    algorithm,
                    decoding,
                })
            });
            match usable {
                Some(key) => {
                    keys.entry(kid).or_insert(key);
                }
                None => {
                    tracing::debug!(%kid, "skipping a JWK that is not an RS256 or ES256 signing key")
                }
            }
        }
        Self(keys)
    }

    /// The key with id `kid`.
    pub fn get(&self, kid: &str) -> Option<&Key> {
        self.0.get(kid)
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The algorithm `jwk` verifies, if it is a signing key this server accepts.
fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|key_use| *key_use != PublicKeyUse::Signature)
    {
        return None;
    }
    match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Some(Algorithm::RS256),
        (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
            if ec.curve == EllipticCurve::P256 =>
        {
            Some(Algorithm::ES256)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn set(keys: serde_json::Value) -> KeySet {
        KeySet::from_jwks(&serde_json::from_value(json!({ "keys": keys })).expect("jwks"))
    }

    fn algorithm(set: &KeySet, kid: &str) -> Option<Algorithm> {
        set.get(kid).map(|key| key.algorithm)
    }

    #[test]
    fn the_algorithm_comes_from_the_key() {
        let keys = set(json!([
            { "kty": "RSA", "kid": "rsa", "n": N, "e": "AQAB" },
            { "kty": "RSA", "kid": "rsa-alg", "alg": "RS256", "use": "sig", "n": N, "e": "AQAB" },
            { "kty": "EC", "kid": "ec", "crv": "P-256", "x": X, "y": Y },
            { "kty": "EC", "kid": "ec-alg", "alg": "ES256", "crv": "P-256", "x": X, "y": Y },
        ]));
        assert_eq!(keys.len(), 4);
        assert_eq!(algorithm(&keys, "rsa"), Some(Algorithm::RS256));
        assert_eq!(algorithm(&keys, "rsa-alg"), Some(Algorithm::RS256));
        assert_eq!(algorithm(&keys, "ec"), Some(Algorithm::ES256));
        assert_eq!(algorithm(&keys, "ec-alg"), Some(Algorithm::ES256));
    }

    #[test]
    fn keys_that_are_not_rs256_or_es256_signing_keys_with_an_id_are_skipped() {
        let keys = set(json!([
            { "kty": "RSA", "n": N, "e": "AQAB" },
            { "kty": "RSA", "kid": "enc", "use": "enc", "n": N, "e": "AQAB" },
            { "kty": "RSA", "kid": "ps", "alg": "PS256", "n": N, "e": "AQAB" },
            { "kty": "RSA", "kid": "says-es", "alg": "ES256", "n": N, "e": "AQAB" },
            { "kty": "EC", "kid": "says-rs", "alg": "RS256", "crv": "P-256", "x": X, "y": Y },
            { "kty": "EC", "kid": "p384", "crv": "P-384", "x": X, "y": Y },
            { "kty": "oct", "kid": "hmac", "alg": "HS256", "k": "c2VjcmV0" },
            { "kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": X },
            { "kty": "RSA", "kid": "broken", "n": 7 },
            "not a key",
            { "kty": "RSA", "kid": "good", "n": N, "e": "AQAB" },
            { "kty": "EC", "kid": "good", "crv": "P-256", "x": X, "y": Y },
        ]));
        assert_eq!(keys.len(), 1);
        // The first of two keys with one id counts.
        assert_eq!(algorithm(&keys, "good"), Some(Algorithm::RS256));
        assert!(set(json!([])).is_empty());
    }
}
