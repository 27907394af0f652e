//! A session's access token, fresh: refreshed ahead of its expiry (at four
//! fifths of its life) or when the upstream refused it, once per session
//! however many calls and instances ask. Within an instance the calls of a
//! session queue on one lock; across instances the refresh runs under the
//! store's lease, renewed while the provider answers, and its tokens are
//! kept only if the lease is still the writer's (fenced), so an instance
//! that stalled past its lease cannot put back an older token. The others
//! wait and then read the new tokens; a holder that dies stops renewing,
//! its lease lapses, and the next caller takes over.

use std::sync::Arc;
use std::time::Duration;

use silent_refresh_contract::test_controls::Endpoint;
use tokio::time::Instant;

use super::provider::{GrantError, TokenAnswer};
use super::session::{Holder, SessionDoc, Tokens};
use super::store::{Acquired, Lease, Written};
use super::{Bff, BffError};

/// How long a refresh lease lasts unless renewed: well above the provider
/// call's own time limit, so a live holder never loses it mid-call.
pub const LEASE_TTL: Duration = Duration::from_secs(10);
/// How often a running refresh renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_millis(3_000);
/// How often a call waiting for another instance's refresh looks again.
pub const POLL_EVERY: Duration = Duration::from_millis(50);
/// The longest a call waits for a refresh before failing as unavailable:
/// a dead holder's lease lapsing, and the next refresh.
pub const WAIT_LIMIT: Duration = Duration::from_secs(25);

/// A session fit to call upstream with.
pub struct Fresh {
    /// The session.
    pub doc: SessionDoc,
    /// Its tokens, open.
    pub tokens: Tokens,
}

/// When a token that lives `expires_in` seconds from `now_ms` is refreshed:
/// at four fifths of its life.
pub fn refresh_at(now_ms: u64, expires_in: u64) -> u64 {
    now_ms + expires_in * 800
}

impl Bff {
    /// The session under `key` and its tokens, opened; `SignedOut` when
    /// there is none (or its tokens do not open: not this deployment's).
    pub async fn load(&self, key: &str) -> Result<Fresh, BffError> {
        let record = self.store.get(key).await?.ok_or(BffError::SignedOut)?;
        let doc: SessionDoc = serde_json::from_str(&record.doc).map_err(|_| BffError::SignedOut)?;
        let tokens = doc
            .tokens(&self.sealer, key)
            .map_err(|_| BffError::SignedOut)?;
        Ok(Fresh { doc, tokens })
    }

    /// Whether `session`'s access token must be refreshed before use:
    /// it is due, or it is the one the upstream `refused`.
    fn due(&self, session: &Fresh, refused: Option<&str>) -> bool {
        self.clock.now_ms() >= session.doc.holder.refresh_at_ms
            || refused == Some(session.tokens.access_token.as_str())
    }

    /// The session under `key` with an access token fit to send: refreshed
    /// first when due or when it is the one the upstream `refused`.
    pub async fn fresh(&self, key: &str, refused: Option<&str>) -> Result<Fresh, BffError> {
        let deadline = Instant::now() + WAIT_LIMIT;
        let mut turn = None;
        loop {
            let session = self.load(key).await?;
            if !self.due(&session, refused) {
                return Ok(session);
            }
            if turn.is_none() {
                // Queue behind this instance's refresh of the session, then
                // look again: it may have done the work.
                turn = Some(self.flight(key).lock_owned().await);
                continue;
            }
            match self.store.acquire(key, LEASE_TTL).await? {
                Acquired::Gone => return Err(BffError::SignedOut),
                Acquired::Held(lease) => return self.refresh_under(key, lease, refused).await,
                Acquired::Busy(left) => {
                    if Instant::now() >= deadline {
                        return Err(BffError::Unavailable(
                            "another instance's refresh of the session did not finish".into(),
                        ));
                    }
                    tokio::time::sleep(left.min(POLL_EVERY)).await;
                }
            }
        }
    }

    /// Refreshes the session under `key` holding `lease`, and gives the
    /// lease up.
    async fn refresh_under(
        &self,
        key: &str,
        lease: Lease,
        refused: Option<&str>,
    ) -> Result<Fresh, BffError> {
        let renewing = self.keep(key, &lease);
        let outcome = self.refresh_holding(key, &lease, refused).await;
        renewing.abort();
        if let Err(error) = self.store.release(key, &lease).await {
            // It lapses by itself within LEASE_TTL.
            tracing::warn!(%error, "a refresh lease was not released");
        }
        outcome
    }

    /// Renews `lease` every [`RENEW_EVERY`] until aborted or lost.
    fn keep(&self, key: &str, lease: &Lease) -> tokio::task::JoinHandle<()> {
        let (key, lease) = (key.to_owned(), lease.clone());
        let store = Arc::clone(&self.store);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                match store.renew(&key, &lease, LEASE_TTL).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(error) => tracing::warn!(%error, "a refresh lease was not renewed"),
                }
            }
        })
    }

    async fn refresh_holding(
        &self,
        key: &str,
        lease: &Lease,
        refused: Option<&str>,
    ) -> Result<Fresh, BffError> {
        // The newest tokens, now that no other refresh can run: another
        // instance may have refreshed just before the lease was ours.
        let session = self.load(key).await?;
        if !self.due(&session, refused) {
            return Ok(session);
        }
        if let Some(fault) = self.controls.record_call(Endpoint::BffRefresh) {
            tokio::time::sleep(fault.delay).await;
        }
        let idempotency_key = match session.doc.refresh_key.clone() {
            // A refresh sent before whose answer never came: the same again.
            Some(sent) => sent,
            None => self.write_ahead(key, lease, &session.doc).await?,
        };
        match self
            .provider
            .refresh(&session.tokens.refresh_token, &idempotency_key)
            .await
        {
            Ok(answer) => self.keep_refreshed(key, lease, session, answer).await,
            Err(GrantError::Refused(reason)) => {
                tracing::info!(reason, "the provider refused the refresh: the session ends");
                self.store.delete(key).await?;
                Err(BffError::SignedOut)
            }
            Err(GrantError::Unavailable(error)) => Err(BffError::Unavailable(error.to_string())),
        }
    }

    /// Writes a new refresh's `Idempotency-Key` into the session under
    /// `lease` before the refresh leaves; the key.
    async fn write_ahead(
        &self,
        key: &str,
        lease: &Lease,
        doc: &SessionDoc,
    ) -> Result<String, BffError> {
        let idempotency_key = crate::domain::random::token()
            .map_err(|e| BffError::Unavailable(format!("no randomness: {e}")))?;
        let doc = doc.clone().with_refresh_key(&idempotency_key);
        self.write(key, lease, &doc).await?;
        Ok(idempotency_key)
    }

    /// Writes `doc` as the session's under `lease`, kept until the session
    /// ends; a lease lost meanwhile keeps nothing.
    async fn write(&self, key: &str, lease: &Lease, doc: &SessionDoc) -> Result<(), BffError> {
        let json = serde_json::to_string(doc)
            .map_err(|e| BffError::Unavailable(format!("unserialisable session: {e}")))?;
        let now = self.clock.now_ms();
        let ttl = Duration::from_millis(doc.holder.expires_at_ms.saturating_sub(now).max(1));
        match self.store.write(key, lease, &json, ttl).await? {
            Written::Kept => Ok(()),
            Written::Gone => Err(BffError::SignedOut),
            outcome @ (Written::LeaseLost | Written::Stale) => {
                tracing::error!(
                    ?outcome,
                    "a refresh outlived its lease: nothing of it was written"
                );
                Err(BffError::Unavailable(
                    "the refresh took longer than its lease".into(),
                ))
            }
        }
    }

    /// Writes the tokens of `answer` as the session's, under `lease`.
    async fn keep_refreshed(
        &self,
        key: &str,
        lease: &Lease,
        session: Fresh,
        answer: TokenAnswer,
    ) -> Result<Fresh, BffError> {
        let now = self.clock.now_ms();
        let tokens = Tokens {
            access_token: answer.access_token,
            refresh_token: answer.refresh_token.unwrap_or(session.tokens.refresh_token),
            id_token: answer.id_token.or(session.tokens.id_token),
        };
        let expires_in = answer.expires_in.unwrap_or(60);
        let roles = match self.tokens.verify(&tokens.access_token).await {
            Ok(user) => user.roles,
            Err(_) => session.doc.holder.roles.clone(),
        };
        let holder = Holder {
            roles,
            access_expires_at_ms: now + expires_in * 1000,
            refresh_at_ms: refresh_at(now, expires_in),
            ..session.doc.holder.clone()
        };
        let doc = SessionDoc::seal(holder, &tokens, &self.sealer, key)
            .map_err(|e| BffError::Unavailable(format!("no randomness: {e}")))?;
        self.write(key, lease, &doc).await?;
        Ok(Fresh { doc, tokens })
    }
}
