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

/// The tokens as they are right now, with their generation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenSnapshot {
    /// Which session the tokens belong to: moves on when a session starts or
    /// ends (login, logout, expiry), never on a refresh. A call is never
    /// replayed in a session other than the one it was sent in.
    pub session: u64,
    /// The bearer token requests are sent with; `None` when logged out.
    pub access_token: Option<String>,
    /// What buys a new access token; `None` means no refresh is possible.
    pub grant: Option<RefreshGrant>,
    /// The generation of these tokens.
    pub generation: Generation,
}

/// The credentials a refresh is made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The single-use refresh token.
    pub refresh_token: String,
    /// The user the token was issued to, for servers that bind the two.
    pub user_id: Option<String>,
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

/// Where the tokens live (in the app: the `AccessStore` signals and storage).
pub trait TokenStore {
    /// The current tokens and their generation.
    fn snapshot(&self) -> TokenSnapshot;
    /// Keeps the tokens of a successful refresh and moves the generation on.
    fn save_refreshed(&self, tokens: TokenPair);
    /// Ends the session because the refresh token was refused: clears the
    /// tokens (moving the generation on) and tells the user.
    fn end_session(&self);
}

/// Performs one refresh call. It must not go through the coordinator: the
/// refresh call is never intercepted, so it can never trigger itself.
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

/// The executor the coordinator runs on (in the app: the browser's event loop).
pub trait Runtime {
    /// Runs `task` to completion in the background.
    fn spawn(&self, task: LocalTask);
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> LocalTask;
}

/// Implemented by the error type of the calls the coordinator sends, so it can
/// tell a `401` apart from every other failure.
pub trait Unauthorized {
    /// Whether the server answered `401 Unauthorized`.
    fn is_unauthorized(&self) -> bool;
}
