//! What the refresh core needs from the outside world, as traits, and the
//! values that cross that boundary.

use std::{future::Future, pin::Pin, time::Duration};

/// A counter that moves on every time the tokens change: on login, on every
/// successful refresh and on logout (or when the session ends). A request
/// remembers the generation it was sent with, so a `401` for a token that has
/// since been replaced is recognised as stale and costs no refresh.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Generation(pub u64);

impl Generation {
    /// The generation that follows this one.
    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0.wrapping_add(1))
    }
}

/// Which login the tokens belong to. It moves on exactly when a session
/// starts or ends (a login, a logout, the session expiring, another tab
/// logging in as someone else), never on a refresh. A call is never sent or
/// replayed in a session other than the one it was made in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionId(pub u64);

impl SessionId {
    /// The session that follows this one.
    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0.wrapping_add(1))
    }
}

/// The tokens as they are right now, with their generation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenSnapshot {
    /// Which session the tokens belong to.
    pub session: SessionId,
    /// The bearer token requests are sent with; `None` when logged out.
    pub access_token: Option<String>,
    /// When the access token is known to expire, in ms since the epoch on
    /// the [`Runtime::now_ms`] clock (the time it was received plus its
    /// `expires_in`); `None` when the server did not say. A call that starts
    /// after it waits for a refresh instead of leaving with a dead token.
    pub expires_at_ms: Option<u64>,
    /// What buys a new access token; `None` means no refresh is possible.
    pub grant: Option<RefreshGrant>,
    /// The generation of these tokens.
    pub generation: Generation,
}

/// The credentials a refresh is made with, in no particular protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The refresh token (single use on servers that rotate them).
    pub refresh_token: String,
    /// Who the session belongs to (a user id, an OpenID Connect `sub`), when
    /// known. Protocols that bind a refresh token to its user send it (the
    /// seed protocol's `userId`); others ignore it. A shared session record
    /// uses it to tell one user's login from another's.
    pub subject: Option<String>,
    /// The key the refresh is sent with (the IETF `Idempotency-Key`), when
    /// the caller chose one: a retry of a refresh whose answer was lost
    /// after the server rotated goes out with the same key, and a server
    /// that keeps answers gives the same new pair again instead of taking
    /// the retry for a reuse. Protocols that cannot send it ignore it.
    pub idempotency_key: Option<String>,
}

/// A new pair of tokens from a successful refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPair {
    /// The new access token.
    pub access_token: String,
    /// The rotated refresh token (single use: the old one is now spent).
    pub refresh_token: String,
    /// The access token's lifetime in seconds, when the server said.
    pub expires_in: Option<u64>,
    /// What is left of the refresh token's absolute lifetime, in seconds,
    /// when the server said (after it, only a new login helps).
    pub refresh_expires_in: Option<u64>,
}

/// Why a refresh did not produce a new token. Every call waiting on a refresh
/// settles with one of these when the refresh fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    /// The refresh token is no good (refused by the server, missing, or the
    /// session was ended meanwhile): the session is over, log in again.
    #[error("the session has ended")]
    Rejected,
    /// The refresh could not be completed right now (network error, timeout,
    /// 5xx, 429): the session is kept and a later call may succeed.
    #[error("the service is temporarily unavailable: {0}")]
    Unavailable(String),
}

/// Where the tokens live (in a Leptos app: signals over browser storage).
///
/// Who persists refreshed tokens: the [`Refresher`], never this store. The
/// coordinator hands [`save_refreshed`](TokenStore::save_refreshed) exactly
/// what [`Refresher::refresh`] returned; a refresher that shares the session
/// with other tabs (`silent-refresh-web`'s `SharedRefresher`) has already
/// written those tokens to the shared record under its lock, and a second
/// write here, outside the lock, could put back tokens another tab has
/// rotated since. A store over a refresher that does not persist (a
/// single-tab app) persists in `save_refreshed` itself.
pub trait TokenStore {
    /// The current tokens and their generation.
    fn snapshot(&self) -> TokenSnapshot;
    /// Keeps the tokens of a successful refresh in memory and moves the
    /// generation on (same session). See the trait docs on persisting.
    fn save_refreshed(&self, tokens: TokenPair);
    /// Ends the session because the refresh token was refused: clears the
    /// tokens (moving the generation on) and tells the user.
    fn end_session(&self);
}

/// Performs one refresh call. It must not go through the coordinator: the
/// refresh call is never intercepted, so it can never trigger itself. When
/// tokens are persisted, the refresher is their one writer (see
/// [`TokenStore`]).
pub trait Refresher {
    /// Trades `grant` for a new pair, classifying any failure as
    /// [`RefreshError::Rejected`] (definitive) or [`RefreshError::Unavailable`].
    fn refresh(
        &self,
        grant: &RefreshGrant,
    ) -> impl Future<Output = Result<TokenPair, RefreshError>>;
}

/// A boxed future that runs on the current thread.
pub type LocalTask = Pin<Box<dyn Future<Output = ()>>>;

/// The executor the coordinator runs on (in a browser: its event loop).
pub trait Runtime {
    /// Runs `task` to completion in the background.
    fn spawn(&self, task: LocalTask);
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> LocalTask;
    /// The wall clock, in ms since the epoch (in a browser `Date.now()`,
    /// which, unlike `performance.now()`, moves on while a machine sleeps).
    fn now_ms(&self) -> u64;
}

/// Implemented by the error type of the calls the coordinator sends, so it can
/// tell a `401` apart from every other failure.
pub trait Unauthorized {
    /// Whether the server answered `401 Unauthorized`.
    fn is_unauthorized(&self) -> bool;

    /// Whether the server answered `403 Forbidden` (only counted, for the
    /// status; a `403` is never retried). No by default.
    fn is_forbidden(&self) -> bool {
        false
    }
}
