//! Idempotent rotation: a refresh whose answer was lost in transit (a
//! dropped connection, a closed laptop, a tab closed mid-flight) is sent
//! again with the same refresh token and the same `Idempotency-Key`, and
//! gets the *same* new pair back instead of tripping reuse detection.
//!
//! The answer of a rotation made with a key is kept beside the spent
//! token, sealed (ChaCha20-Poly1305) under a key derived from the presented
//! refresh token itself, which the server stores only as a hash: nothing
//! usable rests in the database, and only the token's holder can open the
//! answer again. It opens only for the same key, within the window, while
//! the new refresh token is unspent and its family live. Any other second
//! presentation of the token (another key, no key, later) is a reuse, as
//! before.

use std::time::Duration;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::clock::millis;
use super::random;
use super::refresh_tokens::token_hash;

/// The longest `Idempotency-Key` accepted, in bytes; a longer one is not
/// remembered (the refresh then works as without a key).
pub const MAX_KEY_BYTES: usize = 255;

/// The answer a rotation gave, as it is sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The access token issued.
    pub access_token: String,
    /// The refresh token issued (the successor).
    pub refresh_token: String,
    /// When the access token expires (ms since the epoch).
    pub access_expires_at_ms: u64,
}

/// An answer given again, with the session it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    /// The answer as it was first given.
    pub answer: Answer,
    /// The user the session belongs to.
    pub user_id: String,
    /// When the session's absolute lifetime ends (ms since the epoch).
    pub session_expires_at_ms: u64,
}

/// Why an answer could not be kept or opened.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
    /// The operating system gave no randomness for a nonce.
    #[error("no randomness for a nonce: {0}")]
    Random(#[from] getrandom::Error),
    /// The answer could not be sealed (it always can; a bug otherwise).
    #[error("the answer could not be sealed")]
    Seal,
}

/// The cipher whose key only `presented` gives.
fn cipher(presented: &str) -> ChaCha20Poly1305 {
    let key: [u8; 32] = Sha256::new()
        .chain_update(b"silent-refresh idempotent rotation\0")
        .chain_update(presented.as_bytes())
        .finalize()
        .into();
    ChaCha20Poly1305::new(Key::from_slice(&key))
}

fn key_hash(idempotency_key: &str) -> [u8; 32] {
    Sha256::digest(idempotency_key.as_bytes()).into()
}

/// Keeps `answer`, the rotation of `presented` made with `idempotency_key`
/// at `now_ms`, sealed; forgets the answers older than `window`. Run it in
/// the rotation's transaction.
pub fn keep(
    conn: &Connection,
    presented: &str,
    idempotency_key: &str,
    answer: &Answer,
    now_ms: u64,
    window: Duration,
) -> Result<(), ReplayError> {
    conn.execute(
        "DELETE FROM refresh_replays WHERE issued_at_ms <= ?1",
        [now_ms.saturating_sub(millis(window))],
    )?;
    let nonce = random::bytes::<12>()?;
    let plain = serde_json::to_vec(answer).map_err(|_| ReplayError::Seal)?;
    let key = key_hash(idempotency_key);
    let sealed = cipher(presented)
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &key,
            },
        )
        .map_err(|_| ReplayError::Seal)?;
    conn.execute(
        "INSERT OR REPLACE INTO refresh_replays
         (token_hash, key_hash, successor_hash, nonce, sealed, issued_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            &token_hash(presented)[..],
            &key[..],
            &token_hash(&answer.refresh_token)[..],
            &nonce[..],
            sealed,
            now_ms
        ],
    )?;
    Ok(())
}

/// The answer the rotation of `presented` with `idempotency_key` gave, if
/// it may be given again at `now_ms`: made with that key, within `window`,
/// its refresh token still unspent and its family live.
pub fn answer_again(
    conn: &Connection,
    presented: &str,
    idempotency_key: &str,
    now_ms: u64,
    window: Duration,
) -> Result<Option<Replay>, ReplayError> {
    let kept = conn
        .query_row(
            "SELECT r.key_hash, r.nonce, r.sealed, r.issued_at_ms, f.user_id, f.expires_at_ms
             FROM refresh_replays r
             JOIN refresh_tokens s ON s.hash = r.successor_hash
             JOIN refresh_families f ON f.id = s.family_id
             WHERE r.token_hash = ?1 AND s.used_at_ms IS NULL AND f.revoked = 0
               AND f.expires_at_ms > ?2",
            params![&token_hash(presented)[..], now_ms],
            |row| {
                Ok(Kept {
                    key_hash: row.get(0)?,
                    nonce: row.get(1)?,
                    sealed: row.get(2)?,
                    issued_at_ms: row.get(3)?,
                    user_id: row.get(4)?,
                    session_expires_at_ms: row.get(5)?,
                })
            },
        )
        .optional()?;
    let Some(Kept {
        key_hash: stored_key,
        nonce,
        sealed,
        issued_at_ms,
        user_id,
        session_expires_at_ms,
    }) = kept
    else {
        return Ok(None);
    };
    let key = key_hash(idempotency_key);
    let fresh = now_ms.saturating_sub(issued_at_ms) < millis(window);
    if stored_key != key || !fresh || nonce.len() != 12 {
        return Ok(None);
    }
    let plain = cipher(presented).decrypt(
        Nonce::from_slice(&nonce),
        Payload {
            msg: &sealed,
            aad: &key,
        },
    );
    Ok(plain
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .map(|answer| Replay {
            answer,
            user_id,
            session_expires_at_ms,
        }))
}

/// A kept answer's row.
struct Kept {
    key_hash: Vec<u8>,
    nonce: Vec<u8>,
    sealed: Vec<u8>,
    issued_at_ms: u64,
    user_id: String,
    session_expires_at_ms: u64,
}

#[cfg(test)]
mod tests;
