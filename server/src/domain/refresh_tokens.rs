//! Refresh tokens: opaque, stored only as SHA-256 hashes, single use, grouped
//! in families (one per login) with an absolute expiry, and revoked as a
//! family when a used token comes back (RFC 9700 §4.14.2).

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::domain::clock::millis;

/// Why a refresh token was refused; every case is OAuth2's `invalid_grant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No such token was ever issued.
    #[error("The refresh token is invalid.")]
    Unknown,
    /// The token belongs to another user.
    #[error("The refresh token was not issued to this user.")]
    WrongUser,
    /// The token's family was revoked (logout, reuse, or an operator).
    #[error("The refresh token has been revoked.")]
    Revoked,
    /// The family's absolute lifetime has ended.
    #[error("The refresh token has expired.")]
    Expired,
    /// The token was already used; its whole family is now revoked.
    #[error("The refresh token was already used; the session has been revoked.")]
    Reused,
}

/// A failed rotation.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    /// The token was refused.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

struct Presented {
    family_id: i64,
    used_at_ms: Option<u64>,
    user_id: String,
    expires_at_ms: u64,
    revoked: bool,
}

/// A session: the family a refresh token belongs to (its id is the `sid`
/// of the access tokens issued with it) and its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Family {
    /// The family's id.
    pub id: i64,
    /// The user it belongs to.
    pub user_id: String,
    /// When its absolute lifetime ends (ms since the epoch).
    pub expires_at_ms: u64,
}

/// Starts a family for a new login with `token` as its first member and
/// returns it; the family (and every token rotated from it) expires `ttl`
/// after `now_ms`.
pub fn start_family(
    conn: &Connection,
    user_id: &str,
    token: &str,
    now_ms: u64,
    ttl: Duration,
) -> rusqlite::Result<Family> {
    // SQLite integers are signed: keep huge lifetimes representable.
    let expires_at_ms = now_ms.saturating_add(millis(ttl)).min(i64::MAX as u64);
    let family_id: i64 = conn.query_row(
        "INSERT INTO refresh_families (user_id, expires_at_ms) VALUES (?1, ?2) RETURNING id",
        params![user_id, expires_at_ms],
        |row| row.get(0),
    )?;
    add_token(conn, family_id, token)?;
    Ok(Family {
        id: family_id,
        user_id: user_id.to_owned(),
        expires_at_ms,
    })
}

/// Spends `presented` and adds `replacement` to its family; returns the
/// family. When `claimed_user` is given, the token must
/// belong to that user (a mismatch is refused without revoking anything).
///
/// A token already spent is accepted again (with a new `replacement`) only
/// within `grace` of being spent; after that its whole family is revoked.
/// Spending is a conditional write, so of two rotations racing with the same
/// token only one finds it unspent; the other sees a spent token.
/// Run it in a transaction and commit on [`RotationError::Rejected`] too, so
/// that a revocation sticks.
pub fn rotate(
    conn: &Connection,
    presented: &str,
    claimed_user: Option<&str>,
    replacement: &str,
    now_ms: u64,
    grace: Duration,
) -> Result<Family, RotationError> {
    let hash = token_hash(presented);
    let found = conn
        .query_row(
            "SELECT t.family_id, t.used_at_ms, f.user_id, f.expires_at_ms, f.revoked
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.hash = ?1",
            [&hash[..]],
            |row| {
                Ok(Presented {
                    family_id: row.get(0)?,
                    used_at_ms: row.get(1)?,
                    user_id: row.get(2)?,
                    expires_at_ms: row.get(3)?,
                    revoked: row.get(4)?,
                })
            },
        )
        .optional()?;
    let token = found.ok_or(Rejection::Unknown)?;
    if claimed_user.is_some_and(|user| user != token.user_id) {
        return Err(Rejection::WrongUser.into());
    }
    if token.revoked {
        return Err(Rejection::Revoked.into());
    }
    if now_ms >= token.expires_at_ms {
        return Err(Rejection::Expired.into());
    }
    let spent_at = match token.used_at_ms {
        None => spend(conn, &hash, now_ms)?,
        used => used,
    };
    if let Some(used_at) = spent_at
        && now_ms.saturating_sub(used_at) >= millis(grace)
    {
        revoke_family(conn, token.family_id)?;
        return Err(Rejection::Reused.into());
    }
    add_token(conn, token.family_id, replacement)?;
    Ok(Family {
        id: token.family_id,
        user_id: token.user_id,
        expires_at_ms: token.expires_at_ms,
    })
}

/// Revokes the family of `presented`, whoever it was issued to: holding the
/// token is the right to end its session (RFC 7009 §2.1). An unknown token
/// is ignored.
pub fn revoke_family_of(conn: &Connection, presented: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE refresh_families SET revoked = 1
         WHERE id = (SELECT family_id FROM refresh_tokens WHERE hash = ?1)",
        [&token_hash(presented)[..]],
    )?;
    Ok(())
}

/// Whether the session `family_id` of `user_id` is still on: it exists and
/// is not revoked (logout, reuse, the test control, or a newer login that
/// pushed it out). Access tokens of any other session are refused.
pub fn is_live(conn: &Connection, family_id: i64, user_id: &str) -> rusqlite::Result<bool> {
    let revoked: Option<bool> = conn
        .query_row(
            "SELECT revoked FROM refresh_families WHERE id = ?1 AND user_id = ?2",
            params![family_id, user_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(revoked == Some(false))
}

/// Keeps the user's `keep` newest live families and revokes the others
/// (their refresh and access tokens alike): the oldest session goes.
pub fn end_all_but_newest(
    conn: &Connection,
    user_id: &str,
    keep: u32,
    now_ms: u64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE refresh_families SET revoked = 1
         WHERE user_id = ?1 AND revoked = 0 AND id NOT IN (
             SELECT id FROM refresh_families
             WHERE user_id = ?1 AND revoked = 0 AND expires_at_ms > ?2
             ORDER BY id DESC LIMIT ?3)",
        params![user_id, now_ms, keep],
    )?;
    Ok(())
}

/// Revokes every refresh token of the user.
pub fn revoke_all(conn: &Connection, user_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE refresh_families SET revoked = 1 WHERE user_id = ?1",
        [user_id],
    )?;
    Ok(())
}

/// How many families are neither revoked nor expired.
pub fn active_families(conn: &Connection, now_ms: u64) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COUNT(*) FROM refresh_families WHERE revoked = 0 AND expires_at_ms > ?1",
        [now_ms],
        |row| row.get(0),
    )
}

/// Marks the token with `hash` spent at `now_ms` if nobody has yet: `None`
/// when this call spent it, else when it was spent before.
fn spend(conn: &Connection, hash: &[u8; 32], now_ms: u64) -> rusqlite::Result<Option<u64>> {
    let changed = conn.execute(
        "UPDATE refresh_tokens SET used_at_ms = ?2 WHERE hash = ?1 AND used_at_ms IS NULL",
        params![&hash[..], now_ms],
    )?;
    if changed == 1 {
        return Ok(None);
    }
    conn.query_row(
        "SELECT used_at_ms FROM refresh_tokens WHERE hash = ?1",
        [&hash[..]],
        |row| row.get(0),
    )
}

fn revoke_family(conn: &Connection, family_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE refresh_families SET revoked = 1 WHERE id = ?1",
        [family_id],
    )?;
    Ok(())
}

fn add_token(conn: &Connection, family_id: i64, token: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO refresh_tokens (hash, family_id) VALUES (?1, ?2)",
        params![&token_hash(token)[..], family_id],
    )?;
    Ok(())
}

/// The SHA-256 of `token`: all the database keeps of it.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests;
