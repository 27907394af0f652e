//! Several tabs, one session. Refresh tokens are single use and a reused one
//! revokes the whole family, so two tabs must never refresh with the same
//! token: a refresh runs under a Web Lock shared by every tab of the origin,
//! and first looks in the shared [`SessionRecord`] whether another tab
//! already rotated the tokens. Changes a tab makes (a refresh, a logout, a
//! login) reach the others through [`SessionRecord::on_change`].
//!
//! Before a refresh is sent, its intent (an idempotency key and the token it
//! spends) is written to the record, under the lock: an answer lost after
//! the server rotated (a dropped connection, a tab closed mid-flight) is
//! recovered by whoever refreshes next, who resends with the same key, and a
//! server that keeps answers (`Idempotency-Key`) gives the same pair again.
//! `model.rs` checks this protocol, every interleaving of it, with
//! stateright.

use std::future::Future;

use silent_refresh_core::{RefreshError, RefreshGrant, Refresher, TokenPair};

use crate::{
    RefreshIntent, Session,
    lock::with_lock,
    record::{Change, SessionRecord},
};

/// What a tab holding the refresh lock does, given what the record holds.
#[derive(Clone, Debug, PartialEq)]
pub enum SharedStep {
    /// The record still holds the token to refresh (in this session): refresh it.
    Refresh(Session),
    /// Another tab already refreshed: take its tokens, no network call.
    Adopt(Session),
    /// Another tab logged out or logged in as someone else: this session is over.
    Ended,
}

/// Decides a refresh of `grant` against the session in the record.
pub fn shared_step(stored: Option<Session>, grant: &RefreshGrant) -> SharedStep {
    match stored {
        Some(stored) if grant.subject.as_deref() != Some(stored.subject.as_str()) => {
            SharedStep::Ended
        }
        Some(stored) if stored.refresh_token != grant.refresh_token => SharedStep::Adopt(stored),
        Some(stored) => SharedStep::Refresh(stored),
        None => SharedStep::Ended,
    }
}

/// Writes the refresh about to be sent (its key and the token it spends) to
/// the record, under the refresh lock the caller holds, unless it is there
/// already (an earlier try of this tab or another that got no answer:
/// then its key is reused); returns `grant` with that key.
async fn write_ahead(
    record: &SessionRecord,
    stored: Session,
    grant: &RefreshGrant,
) -> Result<RefreshGrant, RefreshError> {
    let intent = match stored.intent {
        Some(intent) if intent.refresh_token == stored.refresh_token => intent,
        _ => RefreshIntent {
            key: crate::random::idempotency_key().map_err(RefreshError::Unavailable)?,
            refresh_token: stored.refresh_token.clone(),
        },
    };
    let written = {
        let (intent, grant) = (intent.clone(), grant.clone());
        record
            .update(move |current| match shared_step(current.clone(), &grant) {
                SharedStep::Refresh(stored) if stored.intent.as_ref() != Some(&intent) => {
                    Change::Replace(Some(stored.with_intent(Some(intent.clone()))))
                }
                _ => Change::Keep,
            })
            .await
    };
    match written {
        Some(written) if written.intent.as_ref() == Some(&intent) => Ok(RefreshGrant {
            idempotency_key: Some(intent.key),
            ..grant.clone()
        }),
        // Logins and logouts take no lock: one came between.
        _ => Err(RefreshError::Rejected),
    }
}

/// How long a tab waits for another tab's refresh before giving up (the
/// calls then fail as temporarily unavailable; the session is kept).
const LOCK_WAIT_MS: u32 = 20_000;

/// A [`Refresher`] that refreshes at most once across all tabs, wrapping the
/// one (`R`) that makes the actual call, and the one writer of refreshed
/// tokens to the [`SessionRecord`]. So a `TokenStore` paired with it keeps
/// refreshed tokens in memory only (see `silent_refresh_core::TokenStore`).
#[derive(Clone)]
pub struct SharedRefresher<R> {
    inner: R,
    record: SessionRecord,
    lock: String,
}

impl<R: Refresher + Clone + 'static> SharedRefresher<R> {
    /// Refreshes with `inner` under the Web Lock named `lock`, writing the
    /// result to `record`.
    pub fn new(inner: R, record: SessionRecord, lock: &str) -> Self {
        Self {
            inner,
            record,
            lock: lock.to_owned(),
        }
    }

    /// The record this refresher writes.
    pub fn record(&self) -> &SessionRecord {
        &self.record
    }

    /// Ends `ours` for every tab, under the refresh lock: the record is
    /// marked logged out if it still holds this login (another login is not
    /// ours to end), and `revoke` then runs, still under the lock, with the
    /// login's latest tokens (another tab may have rotated them). No tab can
    /// refresh the login meanwhile, so nothing it rotates goes unrevoked.
    pub async fn end_login<Fut>(
        &self,
        ours: Session,
        revoke: impl FnOnce(Session) -> Fut + 'static,
    ) -> Result<(), RefreshError>
    where
        Fut: Future<Output = ()> + 'static,
    {
        let record = self.record.clone();
        with_lock(&self.lock, LOCK_WAIT_MS, async move {
            if let Some(latest) = record.end(&ours).await {
                revoke(latest).await;
            }
        })
        .await
        .map_err(|error| RefreshError::Unavailable(error.to_string()))
    }
}

impl<R: Refresher + Clone + 'static> Refresher for SharedRefresher<R> {
    async fn refresh(&self, grant: &RefreshGrant) -> Result<TokenPair, RefreshError> {
        let (inner, record, grant) = (self.inner.clone(), self.record.clone(), grant.clone());
        with_lock(&self.lock, LOCK_WAIT_MS, async move {
            match shared_step(record.current().await, &grant) {
                SharedStep::Adopt(stored) => Ok(stored.as_pair(js_sys::Date::now())),
                SharedStep::Ended => Err(RefreshError::Rejected),
                SharedStep::Refresh(stored) => {
                    let keyed = write_ahead(&record, stored, &grant).await?;
                    // Failing without an answer, the intent stays: the next
                    // try (this tab's, or another's after this one closed)
                    // resends with the same key.
                    let pair = inner.refresh(&keyed).await?;
                    // Logins and logouts take no lock: the write happens
                    // only if the record still holds the token refreshed,
                    // never over another login's session.
                    let now = js_sys::Date::now();
                    let fresh = pair.clone();
                    let after = record
                        .update(move |current| match shared_step(current.clone(), &grant) {
                            SharedStep::Refresh(stored) => {
                                Change::Replace(Some(stored.refreshed(fresh.clone(), now)))
                            }
                            SharedStep::Adopt(_) | SharedStep::Ended => Change::Keep,
                        })
                        .await;
                    match after {
                        Some(stored) if stored.refresh_token == pair.refresh_token => Ok(pair),
                        _ => Err(RefreshError::Rejected),
                    }
                }
            }
        })
        .await
        .unwrap_or_else(|error| Err(RefreshError::Unavailable(error.to_string())))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod model;
#[cfg(test)]
mod tests {
    use super::*;

    fn stored(user: &str, refresh: &str) -> Session {
        Session::new("a".into(), refresh.into(), user.into(), Some(30), 0.0)
    }

    fn grant(user: &str, refresh: &str) -> RefreshGrant {
        RefreshGrant {
            refresh_token: refresh.into(),
            subject: Some(user.into()),
            idempotency_key: None,
        }
    }

    #[test]
    fn the_first_tab_in_line_refreshes() {
        assert_eq!(
            shared_step(Some(stored("u1", "r1")), &grant("u1", "r1")),
            SharedStep::Refresh(stored("u1", "r1"))
        );
    }

    #[test]
    fn a_tab_whose_token_was_rotated_by_another_adopts_instead_of_reusing_it() {
        assert_eq!(
            shared_step(Some(stored("u1", "r2")), &grant("u1", "r1")),
            SharedStep::Adopt(stored("u1", "r2"))
        );
    }

    #[test]
    fn a_logout_or_another_user_elsewhere_ends_this_session() {
        assert_eq!(shared_step(None, &grant("u1", "r1")), SharedStep::Ended);
        assert_eq!(
            shared_step(Some(stored("u2", "r9")), &grant("u1", "r1")),
            SharedStep::Ended
        );
    }
}
