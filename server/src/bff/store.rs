//! Where sessions live: the SQLite file (one instance, or several on one
//! machine sharing the file) or Redis (several instances anywhere). Both
//! keep, per session, its document, the fence of its last writer, and the
//! refresh lease: at most one holder at a time, renewed while its refresh
//! runs, and a write is taken only from the holder whose lease is still
//! live and whose fence is not older than the stored one. So a holder whose
//! lease lapsed (a paused or dead instance) can never overwrite a newer
//! token.

mod redis;
mod sqlite;
#[cfg(test)]
pub(crate) mod tests;

use std::time::Duration;

pub use redis::RedisSessions;
pub use sqlite::SqliteSessions;

/// A session's document and the fence of its last writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The session, serialised (its tokens sealed).
    pub doc: String,
    /// The fence of the lease its last refresh was written under (0: none).
    pub fence: u64,
}

/// A refresh lease held on a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The holder's random value.
    pub owner: String,
    /// Larger than every earlier lease's of the session.
    pub fence: u64,
}

/// How a lease request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acquired {
    /// Held by the caller.
    Held(Lease),
    /// Another holder has it for about this much longer.
    Busy(Duration),
    /// The session is gone.
    Gone,
}

/// How a fenced write ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The document is the caller's.
    Kept,
    /// The caller's lease lapsed (or was never held): nothing was written.
    LeaseLost,
    /// A newer fence wrote already: nothing was written.
    Stale,
    /// The session is gone (logged out meanwhile): nothing was written.
    Gone,
}

/// The store could not be reached or answered nonsense: the call fails as
/// "temporarily unavailable", and no session is lost.
#[derive(Debug, thiserror::Error)]
#[error("the session store is unavailable: {0}")]
pub struct Unavailable(pub String);

/// The session store of this deployment.
pub enum SessionStore {
    /// The SQLite file (`--session-store sqlite`).
    Sqlite(SqliteSessions),
    /// Redis (`--session-store redis://…`).
    Redis(RedisSessions),
}

impl SessionStore {
    /// The session under `key`, if there is a live one.
    pub async fn get(&self, key: &str) -> Result<Option<Record>, Unavailable> {
        match self {
            Self::Sqlite(store) => store.get(key),
            Self::Redis(store) => store.get(key).await,
        }
    }

    /// Keeps a new session under `key` for `ttl`.
    pub async fn create(&self, key: &str, doc: &str, ttl: Duration) -> Result<(), Unavailable> {
        match self {
            Self::Sqlite(store) => store.create(key, doc, ttl),
            Self::Redis(store) => store.create(key, doc, ttl).await,
        }
    }

    /// Forgets the session under `key` (and its lease).
    pub async fn delete(&self, key: &str) -> Result<(), Unavailable> {
        match self {
            Self::Sqlite(store) => store.delete(key),
            Self::Redis(store) => store.delete(key).await,
        }
    }

    /// Takes the refresh lease of the session under `key` for `ttl`,
    /// unless another holder has it.
    pub async fn acquire(&self, key: &str, ttl: Duration) -> Result<Acquired, Unavailable> {
        match self {
            Self::Sqlite(store) => store.acquire(key, ttl),
            Self::Redis(store) => store.acquire(key, ttl).await,
        }
    }

    /// Extends `lease` by `ttl` from now, if it is still held; whether it was.
    pub async fn renew(
        &self,
        key: &str,
        lease: &Lease,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        match self {
            Self::Sqlite(store) => store.renew(key, lease, ttl),
            Self::Redis(store) => store.renew(key, lease, ttl).await,
        }
    }

    /// Gives `lease` up, if it is still held.
    pub async fn release(&self, key: &str, lease: &Lease) -> Result<(), Unavailable> {
        match self {
            Self::Sqlite(store) => store.release(key, lease),
            Self::Redis(store) => store.release(key, lease).await,
        }
    }

    /// Writes `doc` as the session under `key` (keeping it for `ttl`), if
    /// `lease` is still held and no newer fence wrote.
    pub async fn write(
        &self,
        key: &str,
        lease: &Lease,
        doc: &str,
        ttl: Duration,
    ) -> Result<Written, Unavailable> {
        match self {
            Self::Sqlite(store) => store.write(key, lease, doc, ttl),
            Self::Redis(store) => store.write(key, lease, doc, ttl).await,
        }
    }
}

/// A fresh lease owner value.
fn owner() -> Result<String, Unavailable> {
    crate::domain::random::token().map_err(|e| Unavailable(format!("no randomness: {e}")))
}
