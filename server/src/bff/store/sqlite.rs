//! Sessions in the server's SQLite file (table `bff_sessions`).

use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use super::{Acquired, Lease, Record, Unavailable, Written, owner};
use crate::domain::clock::{Clock, millis};
use crate::domain::store::Store;

/// The SQLite session store.
pub struct SqliteSessions {
    store: Arc<Store>,
    clock: Clock,
}

fn unavailable(error: rusqlite::Error) -> Unavailable {
    Unavailable(error.to_string())
}

impl SqliteSessions {
    /// Sessions in `store`'s file.
    pub fn new(store: Arc<Store>, clock: Clock) -> Self {
        Self { store, clock }
    }

    pub(super) fn get(&self, key: &str) -> Result<Option<Record>, Unavailable> {
        let now = self.clock.now_ms();
        self.store
            .with(|conn| {
                conn.query_row(
                    "SELECT doc, fence FROM bff_sessions WHERE key = ?1 AND expires_at_ms > ?2",
                    params![key, now],
                    |row| {
                        Ok(Record {
                            doc: row.get(0)?,
                            fence: row.get(1)?,
                        })
                    },
                )
                .optional()
            })
            .map_err(unavailable)
    }

    pub(super) fn create(&self, key: &str, doc: &str, ttl: Duration) -> Result<(), Unavailable> {
        let now = self.clock.now_ms();
        self.store
            .with(|conn| {
                // Expired sessions go as new ones come.
                conn.execute(
                    "DELETE FROM bff_sessions WHERE expires_at_ms <= ?1",
                    [now],
                )?;
                conn.execute(
                    "INSERT INTO bff_sessions (key, doc, fence, expires_at_ms) VALUES (?1, ?2, 0, ?3)",
                    params![key, doc, now + millis(ttl)],
                )
            })
            .map(drop)
            .map_err(unavailable)
    }

    pub(super) fn delete(&self, key: &str) -> Result<(), Unavailable> {
        self.store
            .with(|conn| conn.execute("DELETE FROM bff_sessions WHERE key = ?1", [key]))
            .map(drop)
            .map_err(unavailable)
    }

    pub(super) fn acquire(&self, key: &str, ttl: Duration) -> Result<Acquired, Unavailable> {
        let now = self.clock.now_ms();
        let owner = owner()?;
        self.store
            .with(|conn| {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let current: Option<(Option<u64>, u64)> = tx
                    .query_row(
                        "SELECT lease_until_ms, lease_fence FROM bff_sessions
                         WHERE key = ?1 AND expires_at_ms > ?2",
                        params![key, now],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                let acquired = match current {
                    None => Acquired::Gone,
                    Some((Some(until), _)) if until > now => {
                        Acquired::Busy(Duration::from_millis(until - now))
                    }
                    Some((_, last_fence)) => {
                        let fence = last_fence + 1;
                        tx.execute(
                            "UPDATE bff_sessions
                             SET lease_owner = ?2, lease_fence = ?3, lease_until_ms = ?4
                             WHERE key = ?1",
                            params![key, owner, fence, now + millis(ttl)],
                        )?;
                        Acquired::Held(Lease {
                            owner: owner.clone(),
                            fence,
                        })
                    }
                };
                tx.commit()?;
                Ok(acquired)
            })
            .map_err(unavailable)
    }

    pub(super) fn renew(
        &self,
        key: &str,
        lease: &Lease,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let now = self.clock.now_ms();
        self.store
            .with(|conn| {
                conn.execute(
                    "UPDATE bff_sessions SET lease_until_ms = ?3
                     WHERE key = ?1 AND lease_owner = ?2 AND lease_until_ms > ?4",
                    params![key, lease.owner, now + millis(ttl), now],
                )
            })
            .map(|changed| changed == 1)
            .map_err(unavailable)
    }

    pub(super) fn release(&self, key: &str, lease: &Lease) -> Result<(), Unavailable> {
        self.store
            .with(|conn| {
                conn.execute(
                    "UPDATE bff_sessions SET lease_owner = NULL, lease_until_ms = NULL
                     WHERE key = ?1 AND lease_owner = ?2",
                    params![key, lease.owner],
                )
            })
            .map(drop)
            .map_err(unavailable)
    }

    pub(super) fn write(
        &self,
        key: &str,
        lease: &Lease,
        doc: &str,
        ttl: Duration,
    ) -> Result<Written, Unavailable> {
        let now = self.clock.now_ms();
        self.store
            .with(|conn| {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let current: Option<(Option<String>, Option<u64>, u64)> = tx
                    .query_row(
                        "SELECT lease_owner, lease_until_ms, fence FROM bff_sessions
                         WHERE key = ?1 AND expires_at_ms > ?2",
                        params![key, now],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )
                    .optional()?;
                let written = match current {
                    None => Written::Gone,
                    Some((owner, until, _))
                        if owner.as_deref() != Some(&lease.owner)
                            || until.is_none_or(|until| until <= now) =>
                    {
                        Written::LeaseLost
                    }
                    Some((_, _, fence)) if fence > lease.fence => Written::Stale,
                    Some(_) => {
                        tx.execute(
                            "UPDATE bff_sessions SET doc = ?2, fence = ?3, expires_at_ms = ?4
                             WHERE key = ?1",
                            params![key, doc, lease.fence, now + millis(ttl)],
                        )?;
                        Written::Kept
                    }
                };
                tx.commit()?;
                Ok(written)
            })
            .map_err(unavailable)
    }
}
