//! The tokens a session keeps, sealed at rest: ChaCha20-Poly1305 under a key
//! every instance derives from the client secret, each value bound to its
//! session (the associated data), so a sealed token copied into another
//! session's row does not open.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

use crate::domain::random;

/// Seals and opens the values of the sessions of one BFF deployment.
#[derive(Clone)]
pub struct Sealer(ChaCha20Poly1305);

/// A value that did not open: not sealed by this deployment, or not for
/// this session.
#[derive(Debug, thiserror::Error)]
#[error("a sealed value did not open")]
pub struct Unsealable;

impl Sealer {
    /// The sealer whose key `secret` (the client secret every instance of
    /// the deployment has) gives.
    pub fn new(secret: &str) -> Self {
        let key: [u8; 32] = Sha256::new()
            .chain_update(b"silent-refresh bff session seal\0")
            .chain_update(secret.as_bytes())
            .finalize()
            .into();
        Self(ChaCha20Poly1305::new(Key::from_slice(&key)))
    }

    /// `plain` sealed for the session `context`: a fresh nonce and the
    /// ciphertext, base64url.
    pub fn seal(&self, plain: &str, context: &str) -> Result<String, getrandom::Error> {
        let nonce = random::bytes::<12>()?;
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: context.as_bytes(),
        };
        // Encryption of an in-memory buffer cannot fail for ChaCha20-Poly1305.
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// What [`Sealer::seal`] sealed for `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, Unsealable> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| Unsealable)?;
        if bytes.len() < 12 {
            return Err(Unsealable);
        }
        let (nonce, cipher) = bytes.split_at(12);
        let payload = Payload {
            msg: cipher,
            aad: context.as_bytes(),
        };
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain).map_err(|_| Unsealable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_for_its_session_and_its_deployment() {
        let sealer = Sealer::new("secret");
        let sealed = sealer
            .seal("refresh-token-value", "session-a")
            .expect("random");
        assert!(!sealed.contains("refresh-token-value"));
        assert_eq!(
            sealer.open(&sealed, "session-a").ok().as_deref(),
            Some("refresh-token-value")
        );
        assert!(sealer.open(&sealed, "session-b").is_err());
        assert!(Sealer::new("other").open(&sealed, "session-a").is_err());
        assert!(sealer.open("not base64!", "session-a").is_err());
    }
}
