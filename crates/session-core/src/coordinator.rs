//! Single-flight refresh with a pending-request queue.

use std::{cell::RefCell, future::Future, rc::Rc, time::Duration};

use futures_channel::oneshot;

use super::ports::{
    RefreshError, RefreshGrant, Refresher, Runtime, SessionId, TokenPair, TokenSnapshot,
    TokenStore, Unauthorized,
};
use super::schedule::Backoff;
use super::slots::Slots;

/// How often a refresh that fails for a transient reason is tried again
/// before the waiting calls are failed with [`RefreshError::Unavailable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Refresh attempts per refresh (at least one). The budget is per refresh:
    /// it starts full for every refresh, so a session survives any number of
    /// expiries (the original design never reset its counter).
    pub max_attempts: u32,
    /// Pause before the second attempt; it doubles for each further one.
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            first_backoff: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    /// The pause after failed attempt number `attempt` (1-based).
    fn backoff_after(&self, attempt: u32) -> Duration {
        self.first_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
    }
}

/// How the coordinator sends calls and retries refreshes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoordinatorOptions {
    /// The retry budget of a refresh.
    pub retry: RetryPolicy,
    /// At most this many calls are out at once (`None`: no limit); the rest
    /// wait their turn here rather than in the browser's connection queue.
    /// A call whose turn comes while a refresh is under way waits for the
    /// new token instead of leaving with one known to be refused, so a
    /// burst after an expiry costs at most this many `401`s. The default, 6,
    /// is what a browser opens to one HTTP/1.1 origin anyway.
    pub max_in_flight: Option<usize>,
    /// After a refresh failed for a transient reason, how long a proactive
    /// refresh waits before trying again (a call's `401` does not wait).
    pub backoff: Backoff,
}

impl Default for CoordinatorOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            max_in_flight: Some(6),
            backoff: Backoff::default(),
        }
    }
}

/// What one keep-alive check (a timer tick or a wake-up event) knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeepAliveCheck {
    /// The access token is due for a proactive refresh.
    pub refresh_due: bool,
    /// The page came back (visible, focused, unfrozen, online): a back-off
    /// ends early.
    pub came_back: bool,
    /// The page is hidden now.
    pub hidden: bool,
}

/// Why a refresh started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefreshTrigger {
    /// Ahead of the access token's expiry ([`RefreshCoordinator::refresh_ahead`],
    /// a keep-alive check): no call waited for it.
    Proactive,
    /// A call was answered `401`.
    Unauthorized,
    /// A call was about to leave with a token known to have expired.
    Expired,
}

/// What the coordinator is doing, for a session panel to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshStatus {
    /// Whether a refresh is in flight.
    pub refreshing: bool,
    /// Why the refresh in flight started; `None` when there is none.
    pub trigger: Option<RefreshTrigger>,
    /// Calls waiting for the refresh in flight.
    pub waiting: usize,
    /// Successful refreshes since the coordinator was created.
    pub refreshes: u64,
    /// Calls answered `401` (each costs a round trip; proactive refresh
    /// keeps this at zero while the server's clock agrees).
    pub unauthorized: u64,
    /// Calls answered `403` (see [`Unauthorized::is_forbidden`]); each one
    /// is reported as it comes.
    pub forbidden: u64,
    /// Refreshes that failed for a transient reason since the last success.
    pub failures: u32,
    /// Until when a proactive refresh waits after those failures (ms since
    /// the epoch); `None` after a success.
    pub retry_at_ms: Option<u64>,
}

/// A call waiting for the refresh in flight: told whether it worked.
type Waiter = oneshot::Sender<Result<(), RefreshError>>;

/// The refresh in flight and the calls waiting for it.
struct InFlight {
    id: u64,
    trigger: RefreshTrigger,
    /// The session the refresh is for; its result is dropped if that ends.
    session: SessionId,
    waiters: Vec<Waiter>,
}

#[derive(Default)]
struct State {
    in_flight: Option<InFlight>,
    last_refresh_id: u64,
    refreshes: u64,
    unauthorized: u64,
    forbidden: u64,
    failures: u32,
    retry_at_ms: Option<u64>,
}

impl State {
    fn status(&self) -> RefreshStatus {
        RefreshStatus {
            refreshing: self.in_flight.is_some(),
            trigger: self.in_flight.as_ref().map(|f| f.trigger),
            waiting: self.in_flight.as_ref().map_or(0, |f| f.waiters.len()),
            refreshes: self.refreshes,
            unauthorized: self.unauthorized,
            forbidden: self.forbidden,
            failures: self.failures,
            retry_at_ms: self.retry_at_ms,
        }
    }

    /// Records a refresh for `session`, started by `trigger`, as in
    /// flight, with its first waiters; returns its id.
    fn start(&mut self, session: SessionId, trigger: RefreshTrigger, waiters: Vec<Waiter>) -> u64 {
        self.last_refresh_id += 1;
        self.in_flight = Some(InFlight {
            id: self.last_refresh_id,
            trigger,
            session,
            waiters,
        });
        self.last_refresh_id
    }
}

type StatusListener = Box<dyn Fn(RefreshStatus)>;

struct Inner<S, R, T> {
    store: S,
    refresher: R,
    runtime: T,
    retry: RetryPolicy,
    backoff: Backoff,
    slots: Rc<Slots>,
    on_status: StatusListener,
    state: RefCell<State>,
}

/// Sends calls with the current bearer token and answers their `401`s with a
/// single shared refresh. Cheap to clone; clones share the queue.
///
/// Single-threaded by design: the state sits in an `Rc<RefCell<…>>`, so the
/// coordinator is neither `Send` nor `Sync` and runs on one thread's
/// executor (a browser tab's event loop, a `LocalPool`, a `LocalSet`). One
/// coordinator per tab; tabs share a refresh through the refresher.
///
/// Guarantees:
/// - at most one refresh is in flight; every `401` that arrives meanwhile
///   waits for it, and so does every call about to leave;
/// - a `401` for a request sent with an older token generation is replayed
///   with the current token and starts no refresh;
/// - each call is replayed at most once;
/// - every waiter settles: once the tokens are refreshed, or with a
///   [`RefreshError`];
/// - no refresh token means the session is over, without any network call.
pub struct RefreshCoordinator<S, R, T> {
    inner: Rc<Inner<S, R, T>>,
}

impl<S, R, T> Clone for RefreshCoordinator<S, R, T> {
    fn clone(&self) -> Self {
        Self {
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<S, R, T> RefreshCoordinator<S, R, T>
where
    S: TokenStore + 'static,
    R: Refresher + 'static,
    T: Runtime + 'static,
{
    /// A coordinator over `store`, refreshing with `refresher`, spawning and
    /// sleeping on `runtime`; `on_status` hears of every change of the
    /// refresh state or of the number of waiting calls.
    pub fn new(
        store: S,
        refresher: R,
        runtime: T,
        options: CoordinatorOptions,
        on_status: impl Fn(RefreshStatus) + 'static,
    ) -> Self {
        Self {
            inner: Rc::new(Inner {
                store,
                refresher,
                runtime,
                retry: options.retry,
                backoff: options.backoff,
                slots: Slots::new(options.max_in_flight),
                on_status: Box::new(on_status),
                state: RefCell::default(),
            }),
        }
    }

    /// What the coordinator is doing right now.
    pub fn status(&self) -> RefreshStatus {
        self.inner.state.borrow().status()
    }

    /// Sends a call with the current access token (`None` when logged out),
    /// waiting first for its turn and for a refresh under way. If it fails
    /// with `401` and it carried a token, waits for a fresh token (sharing
    /// the refresh with every other failed call) and replays it once. A
    /// failed refresh fails the call with `E::from(RefreshError)`.
    pub async fn send<V, E, F, Fut>(&self, send: F) -> Result<V, E>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: Future<Output = Result<V, E>>,
        E: Unauthorized + From<RefreshError>,
    {
        // The call belongs to the session it was made in, however long it waits.
        let session = self.inner.store.snapshot().session;
        let (sent, outcome) = {
            let _turn = self.inner.slots.acquire().await;
            let sent = self.ready_to_send(session).await?;
            let outcome = send(sent.access_token.clone()).await;
            (sent, outcome)
        };
        match outcome {
            Err(error) if error.is_unauthorized() && sent.access_token.is_some() => {
                // Reported with the next change of the refresh state.
                self.inner.state.borrow_mut().unauthorized += 1;
                self.newer_tokens_than(&sent, RefreshTrigger::Unauthorized)
                    .await?;
                let _turn = self.inner.slots.acquire().await;
                let current = self.ready_to_send(session).await?;
                self.note(send(current.access_token).await)
            }
            outcome => self.note(outcome),
        }
    }

    /// A call that got an answer shows the service is back: the back-off
    /// after failed refreshes ends (the token may still be refreshed). A
    /// `403` is counted and reported.
    fn note<V, E: Unauthorized>(&self, outcome: Result<V, E>) -> Result<V, E> {
        if outcome.as_ref().is_err_and(Unauthorized::is_forbidden) {
            self.inner.state.borrow_mut().forbidden += 1;
            self.notify();
        }
        let reached = outcome.as_ref().is_ok();
        if reached {
            let recovered = {
                let mut state = self.inner.state.borrow_mut();
                let failing = state.failures > 0;
                (state.failures, state.retry_at_ms) = (0, None);
                failing
            };
            if recovered {
                self.notify();
            }
        }
        outcome
    }

    /// The tokens to send with now, in `session` only: after a refresh if
    /// one is under way or the current token is known to have expired, since
    /// the current token would be refused.
    async fn ready_to_send(&self, session: SessionId) -> Result<TokenSnapshot, RefreshError> {
        let current = self.inner.store.snapshot();
        if current.session != session {
            return Err(RefreshError::Rejected);
        }
        let expired = current
            .expires_at_ms
            .is_some_and(|at| self.inner.runtime.now_ms() >= at);
        let refreshing = self.in_flight_is(|f| f.session == session);
        if current.access_token.is_some() && (expired || refreshing) {
            // Joins the refresh under way, if any; else the expiry starts one.
            self.newer_tokens_than(&current, RefreshTrigger::Expired)
                .await?;
            let refreshed = self.inner.store.snapshot();
            if refreshed.session != session {
                return Err(RefreshError::Rejected);
            }
            return Ok(refreshed);
        }
        Ok(current)
    }

    /// Whether a refresh is in flight and `matches` it.
    fn in_flight_is(&self, matches: impl FnOnce(&InFlight) -> bool) -> bool {
        self.inner
            .state
            .borrow()
            .in_flight
            .as_ref()
            .is_some_and(matches)
    }

    /// Waits until the store holds tokens newer than `sent`: at once if they
    /// have moved on since, otherwise through the refresh in flight
    /// (starting one if there is none). Fails if the session is not the
    /// same any more; a refresh still running for an earlier session is
    /// abandoned. A refresh this starts is recorded as started by `trigger`.
    async fn newer_tokens_than(
        &self,
        sent: &TokenSnapshot,
        trigger: RefreshTrigger,
    ) -> Result<(), RefreshError> {
        let current = self.inner.store.snapshot();
        if current.session != sent.session || current.access_token.is_none() {
            return Err(RefreshError::Rejected);
        }
        if current.generation != sent.generation {
            self.notify();
            return Ok(());
        }
        if self.in_flight_is(|f| f.session != sent.session) {
            self.abandon();
        }
        let (waiter, answer) = oneshot::channel();
        let start = {
            let mut state = self.inner.state.borrow_mut();
            match state.in_flight.as_mut() {
                Some(in_flight) => {
                    in_flight.waiters.push(waiter);
                    None
                }
                None => match current.grant {
                    Some(grant) => Some((state.start(sent.session, trigger, vec![waiter]), grant)),
                    None => {
                        drop(state);
                        self.inner.store.end_session();
                        return Err(RefreshError::Rejected);
                    }
                },
            }
        };
        if let Some((id, grant)) = start {
            self.spawn_refresh(id, grant);
        }
        self.notify();
        answer.await.unwrap_or_else(|_| {
            Err(RefreshError::Unavailable(
                "the refresh was dropped before it finished".into(),
            ))
        })
    }

    /// Starts a refresh now, ahead of the access token's expiry (a proactive
    /// refresh), unless one is in flight, the back-off after failed ones has
    /// not run out, or there is nothing to refresh. Calls that start
    /// meanwhile wait for it, as for any refresh.
    pub fn refresh_ahead(&self) {
        let current = self.inner.store.snapshot();
        let (Some(_), Some(grant)) = (&current.access_token, current.grant) else {
            return;
        };
        let now = self.inner.runtime.now_ms();
        let id = {
            let mut state = self.inner.state.borrow_mut();
            let backing_off = state.retry_at_ms.is_some_and(|at| now < at);
            if state.in_flight.is_some() || backing_off {
                return;
            }
            state.start(current.session, RefreshTrigger::Proactive, Vec::new())
        };
        self.spawn_refresh(id, grant);
        self.notify();
    }

    /// Lets the next proactive refresh go at once, back-off or not (the
    /// browser says it is online again, the tab became visible).
    pub fn retry_now(&self) {
        self.inner.state.borrow_mut().retry_at_ms = None;
    }

    /// One keep-alive check: refreshes ahead when the token is due, and
    /// tries again after failed refreshes (backing off, at once when the
    /// page came back). A hidden tab whose refreshes fail does not try
    /// again until it is shown, so nothing is retried forever unseen.
    pub fn keep_alive(&self, check: KeepAliveCheck) {
        let failing = self.inner.state.borrow().failures > 0;
        if failing && check.hidden {
            return;
        }
        if check.came_back {
            self.retry_now();
        }
        if failing || check.refresh_due {
            self.refresh_ahead();
        }
    }

    fn spawn_refresh(&self, id: u64, grant: RefreshGrant) {
        let this = self.clone();
        self.inner
            .runtime
            .spawn(Box::pin(this.run_refresh(id, grant)));
    }

    /// Fails every call waiting on the refresh in flight with
    /// [`RefreshError::Rejected`] and makes that refresh's result be discarded.
    /// Called on logout.
    pub fn abandon(&self) {
        let abandoned = self.inner.state.borrow_mut().in_flight.take();
        if let Some(in_flight) = abandoned {
            settle(in_flight.waiters, &Err(RefreshError::Rejected));
            self.notify();
        }
    }

    async fn run_refresh(self, id: u64, grant: RefreshGrant) {
        let outcome = self.refresh_with_retries(id, &grant).await;
        let finished = {
            let mut state = self.inner.state.borrow_mut();
            match state.in_flight.take() {
                Some(in_flight) if in_flight.id == id => Some(in_flight),
                other => {
                    // Abandoned (logout) and perhaps replaced: not ours to settle.
                    state.in_flight = other;
                    None
                }
            }
        };
        let Some(in_flight) = finished else { return };
        // Tokens that moved on within the session (another tab refreshed)
        // are no reason to drop the result; a session that ended is.
        let session_ended = self.inner.store.snapshot().session != in_flight.session;
        let result = match outcome {
            _ if session_ended => Err(RefreshError::Rejected),
            Ok(tokens) => {
                self.inner.store.save_refreshed(tokens);
                let mut state = self.inner.state.borrow_mut();
                state.refreshes += 1;
                (state.failures, state.retry_at_ms) = (0, None);
                Ok(())
            }
            Err(RefreshError::Rejected) => {
                self.inner.store.end_session();
                Err(RefreshError::Rejected)
            }
            Err(unavailable) => {
                let now = self.inner.runtime.now_ms();
                let mut state = self.inner.state.borrow_mut();
                state.failures = state.failures.saturating_add(1);
                // The jitter comes from the clock: spread enough across tabs.
                let jitter = (now % 1_000) as f64 / 1_000.0;
                state.retry_at_ms = Some(now + self.inner.backoff.delay_ms(state.failures, jitter));
                Err(unavailable)
            }
        };
        settle(in_flight.waiters, &result);
        self.notify();
    }

    async fn refresh_with_retries(
        &self,
        id: u64,
        grant: &RefreshGrant,
    ) -> Result<TokenPair, RefreshError> {
        let retry = self.inner.retry;
        let mut attempt = 1;
        loop {
            match self.inner.refresher.refresh(grant).await {
                // Abandoned (logout): no further attempt may rotate the token.
                Err(RefreshError::Unavailable(_)) if !self.in_flight_is(|f| f.id == id) => {
                    return Err(RefreshError::Rejected);
                }
                Err(RefreshError::Unavailable(_)) if attempt < retry.max_attempts => {
                    self.inner.runtime.sleep(retry.backoff_after(attempt)).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    fn notify(&self) {
        (self.inner.on_status)(self.status());
    }
}

fn settle(waiters: Vec<Waiter>, result: &Result<(), RefreshError>) {
    for waiter in waiters {
        // A waiter whose call was cancelled has dropped its receiver: nothing to do.
        let _ = waiter.send(result.clone());
    }
}

#[cfg(test)]
mod tests;
