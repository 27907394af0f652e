//! Fakes for testing code built on the refresh core, and the core itself:
//! a server that knows which access tokens are valid, a token store in
//! memory, a refresher that counts its calls and follows a script, a
//! runtime over a single-threaded executor, and a gate that holds futures
//! until it is opened. Enabled by the `testing` feature.
//!
//! Everything here is deterministic: nothing sleeps, and a test decides
//! when held calls and refreshes go on.

use std::{
    cell::{Cell, RefCell},
    collections::{HashSet, VecDeque},
    rc::Rc,
    time::Duration,
};

use futures_channel::oneshot;
pub use futures_executor::{LocalPool, LocalSpawner};
use futures_util::{
    FutureExt,
    future::{self, Shared},
    task::LocalSpawnExt,
};

use crate::{
    Generation, LocalTask, RefreshError, RefreshGrant, Refresher, Runtime, SessionId, TokenPair,
    TokenSnapshot, TokenStore, Unauthorized,
};

/// The error type of fake calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The fake server refused the token.
    Unauthorized,
    /// The fake server refused the call (`403`): the token is fine.
    Forbidden,
    /// The refresh the call waited for failed.
    Refresh(RefreshError),
}

impl Unauthorized for CallError {
    fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Unauthorized)
    }

    fn is_forbidden(&self) -> bool {
        matches!(self, Self::Forbidden)
    }
}

impl From<RefreshError> for CallError {
    fn from(error: RefreshError) -> Self {
        Self::Refresh(error)
    }
}

/// Lets whoever passes through at once, or, once closed, when released.
#[derive(Default)]
pub struct Gate(RefCell<Option<Shared<oneshot::Receiver<()>>>>);

impl Gate {
    /// Holds everyone who passes until the returned sender fires or is dropped.
    pub fn close(&self) -> oneshot::Sender<()> {
        let (release, gate) = oneshot::channel();
        *self.0.borrow_mut() = Some(gate.shared());
        release
    }

    /// Waits until the gate is open.
    pub async fn pass(&self) {
        let gate = self.0.borrow().clone();
        if let Some(gate) = gate {
            // Released or dropped: both open the gate.
            let _ = gate.await;
        }
    }
}

/// The server side: which access tokens are valid, and how many calls came.
#[derive(Default)]
pub struct FakeServer {
    /// The access tokens it accepts.
    pub valid: RefCell<HashSet<String>>,
    /// Calls answered.
    pub calls: Cell<usize>,
    /// Calls that reached the server, answered or still held.
    pub arrived: Cell<usize>,
    gate: Gate,
}

impl FakeServer {
    /// A call with `token`: `Ok("data")` if the token is valid, else
    /// `Unauthorized`. Answers once the gate (if closed) opens, so calls
    /// can be in flight together.
    pub async fn answer(&self, token: Option<String>) -> Result<&'static str, CallError> {
        self.arrived.set(self.arrived.get() + 1);
        self.gate.pass().await;
        self.calls.set(self.calls.get() + 1);
        match token {
            Some(token) if self.valid.borrow().contains(&token) => Ok("data"),
            _ => Err(CallError::Unauthorized),
        }
    }

    /// Holds every answer until the returned sender fires or is dropped.
    pub fn hold(&self) -> oneshot::Sender<()> {
        self.gate.close()
    }

    /// From now on no access token issued so far is accepted.
    pub fn expire_all(&self) {
        self.valid.borrow_mut().clear();
    }
}

/// Tokens in memory. Cheap to clone; clones share the tokens.
#[derive(Clone, Default)]
pub struct FakeStore {
    tokens: Rc<RefCell<TokenSnapshot>>,
    sessions_ended: Rc<Cell<usize>>,
}

impl FakeStore {
    /// Logged in as `user-1` with `access` (and `refresh`, if any), in
    /// session 1, generation 1, with no known expiry.
    pub fn logged_in(access: &str, refresh: Option<&str>) -> Self {
        let store = Self::default();
        *store.tokens.borrow_mut() = TokenSnapshot {
            session: SessionId(1),
            access_token: Some(access.into()),
            expires_at_ms: None,
            grant: refresh.map(|token| RefreshGrant {
                refresh_token: token.into(),
                subject: Some("user-1".into()),
                idempotency_key: None,
            }),
            generation: Generation(1),
        };
        store
    }

    /// The access token is known to expire at `at_ms` (runtime clock).
    pub fn expires_at(&self, at_ms: u64) {
        self.tokens.borrow_mut().expires_at_ms = Some(at_ms);
    }

    /// How often [`TokenStore::end_session`] was called.
    pub fn sessions_ended(&self) -> usize {
        self.sessions_ended.get()
    }

    /// Logs out (as a user would): a new session without tokens.
    pub fn log_out(&self) {
        let mut tokens = self.tokens.borrow_mut();
        *tokens = TokenSnapshot {
            session: tokens.session.next(),
            generation: tokens.generation.next(),
            ..TokenSnapshot::default()
        };
    }

    /// Tokens another tab refreshed: same session, next generation, and
    /// `access` valid at `server`.
    pub fn adopt_refreshed(&self, server: &FakeServer, access: &str) {
        server.valid.borrow_mut().insert(access.into());
        let mut tokens = self.tokens.borrow_mut();
        tokens.access_token = Some(access.into());
        tokens.generation = tokens.generation.next();
    }

    /// A new session (another login, as `user-2`) whose access token the
    /// server does not accept.
    pub fn log_in(&self, access: &str, refresh: &str) {
        let mut tokens = self.tokens.borrow_mut();
        *tokens = TokenSnapshot {
            session: tokens.session.next(),
            access_token: Some(access.into()),
            expires_at_ms: None,
            grant: Some(RefreshGrant {
                refresh_token: refresh.into(),
                subject: Some("user-2".into()),
                idempotency_key: None,
            }),
            generation: tokens.generation.next(),
        };
    }
}

impl TokenStore for FakeStore {
    fn snapshot(&self) -> TokenSnapshot {
        self.tokens.borrow().clone()
    }

    fn save_refreshed(&self, pair: TokenPair) {
        let mut tokens = self.tokens.borrow_mut();
        let subject = tokens.grant.as_ref().and_then(|g| g.subject.clone());
        tokens.access_token = Some(pair.access_token);
        // A refreshed token's expiry is the fake clock's business: unknown.
        tokens.expires_at_ms = None;
        tokens.grant = Some(RefreshGrant {
            refresh_token: pair.refresh_token,
            subject,
            idempotency_key: None,
        });
        tokens.generation = tokens.generation.next();
    }

    fn end_session(&self) {
        self.sessions_ended.set(self.sessions_ended.get() + 1);
        self.log_out();
    }
}

/// A refresher that counts its calls, answers from a script (a fresh pair,
/// `access-N`/`refresh-N` valid at the server, once the script is empty)
/// and can be held open until released.
#[derive(Clone)]
pub struct FakeRefresher {
    server: Rc<FakeServer>,
    calls: Rc<Cell<usize>>,
    script: Rc<RefCell<VecDeque<Result<(), RefreshError>>>>,
    gate: Rc<Gate>,
}

impl FakeRefresher {
    /// A refresher whose tokens `server` accepts.
    pub fn new(server: &Rc<FakeServer>) -> Self {
        Self {
            server: Rc::clone(server),
            calls: Rc::default(),
            script: Rc::default(),
            gate: Rc::default(),
        }
    }

    /// The next refreshes fail (or succeed, for `Ok(())`) in this order.
    pub fn answer_next(&self, answers: impl IntoIterator<Item = Result<(), RefreshError>>) {
        self.script.borrow_mut().extend(answers);
    }

    /// Holds every refresh until the returned sender is dropped or fired.
    pub fn hold(&self) -> oneshot::Sender<()> {
        self.gate.close()
    }

    /// Refreshes started so far.
    pub fn calls(&self) -> usize {
        self.calls.get()
    }
}

impl Refresher for FakeRefresher {
    async fn refresh(&self, _grant: &RefreshGrant) -> Result<TokenPair, RefreshError> {
        let call = self.calls.get() + 1;
        self.calls.set(call);
        self.gate.pass().await;
        self.script.borrow_mut().pop_front().unwrap_or(Ok(()))?;
        let access_token = format!("access-{call}");
        self.server.valid.borrow_mut().insert(access_token.clone());
        Ok(TokenPair {
            access_token,
            refresh_token: format!("refresh-{call}"),
            expires_in: Some(30),
            refresh_expires_in: None,
        })
    }
}

/// Spawns on a [`LocalPool`]; sleeping is instant but recorded; the clock
/// moves only when the test moves it.
#[derive(Clone)]
pub struct ManualRuntime {
    spawner: LocalSpawner,
    slept: Rc<RefCell<Vec<Duration>>>,
    now_ms: Rc<Cell<u64>>,
}

impl ManualRuntime {
    /// A runtime spawning on `pool` (which the test runs), its clock at
    /// 1 000 000 ms.
    pub fn new(pool: &LocalPool) -> Self {
        Self {
            spawner: pool.spawner(),
            slept: Rc::default(),
            now_ms: Rc::new(Cell::new(1_000_000)),
        }
    }

    /// Moves the clock on by `ms` (a sleeping machine wakes, say).
    pub fn advance(&self, ms: u64) {
        self.now_ms.set(self.now_ms.get() + ms);
    }

    /// Every sleep asked for, in order.
    pub fn slept(&self) -> Vec<Duration> {
        self.slept.borrow().clone()
    }
}

impl Runtime for ManualRuntime {
    fn spawn(&self, task: LocalTask) {
        // Spawning fails only once the pool is gone, and with it the test.
        let _ = self.spawner.spawn_local(task);
    }

    fn sleep(&self, duration: Duration) -> LocalTask {
        self.slept.borrow_mut().push(duration);
        Box::pin(future::ready(()))
    }

    fn now_ms(&self) -> u64 {
        self.now_ms.get()
    }
}
