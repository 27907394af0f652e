//! `AccessStore`: the access and refresh tokens, their generation, and what
//! the refresh core is doing with them.

use std::future::Future;

use leptos::{prelude::*, task::spawn_local};
use serde::{Deserialize, Serialize};

use super::{
    persisted,
    shared_session::{self, Change},
};
use crate::auth::{Generation, RefreshGrant, RefreshStatus, TokenPair, TokenSnapshot};

/// The storage key of the session.
pub const SESSION_KEY: &str = "silent-refresh.session";

/// A logged-in session's tokens, as persisted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The bearer token.
    pub access_token: String,
    /// The single-use refresh token.
    pub refresh_token: String,
    /// The user the tokens belong to.
    pub user_id: String,
    /// When the access token expires (ms since the epoch), when known.
    pub expires_at_ms: Option<f64>,
    /// When the user logged in (ms since the epoch): with the user id, what
    /// tells one login from another. Kept across refreshes.
    #[serde(default)]
    pub started_at_ms: f64,
}

impl Session {
    /// A session from a login's answer at `now_ms`.
    pub fn new(
        access_token: String,
        refresh_token: String,
        user_id: String,
        expires_in: Option<u64>,
        now_ms: f64,
    ) -> Self {
        Self {
            access_token,
            refresh_token,
            user_id,
            expires_at_ms: expires_in.map(|secs| now_ms + secs as f64 * 1000.0),
            started_at_ms: now_ms,
        }
    }

    /// The same login after a refresh returned `pair` at `now_ms`.
    pub fn refreshed(&self, pair: TokenPair, now_ms: f64) -> Self {
        Self {
            started_at_ms: self.started_at_ms,
            ..Self::new(
                pair.access_token,
                pair.refresh_token,
                self.user_id.clone(),
                pair.expires_in,
                now_ms,
            )
        }
    }

    /// What refreshing this session's tokens takes.
    pub fn grant(&self) -> RefreshGrant {
        RefreshGrant {
            refresh_token: self.refresh_token.clone(),
            user_id: Some(self.user_id.clone()),
        }
    }

    /// Whether both come from the same login (refreshes aside).
    pub fn is_same_login(&self, other: &Session) -> bool {
        self.user_id == other.user_id && self.started_at_ms == other.started_at_ms
    }

    /// Whether both hold the same tokens of the same login (the expiry
    /// aside, which tabs compute each on their own clock).
    fn has_same_tokens(&self, other: &Session) -> bool {
        self.is_same_login(other)
            && self.access_token == other.access_token
            && self.refresh_token == other.refresh_token
    }

    /// These tokens as a refresh's result (for a tab adopting what another
    /// tab's refresh stored).
    pub fn as_pair(&self, now_ms: f64) -> TokenPair {
        TokenPair {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_in: self
                .expires_at_ms
                .map(|at| ((at - now_ms) / 1000.0).max(0.0) as u64),
        }
    }

    /// Whether a stored value can be used (foreign data might parse but be empty).
    pub fn is_usable(&self) -> bool {
        !self.access_token.is_empty() && !self.refresh_token.is_empty()
    }
}

/// The session in `localStorage`: the mirror of the shared record.
pub fn stored_session() -> Option<Session> {
    persisted::load(SESSION_KEY, Session::is_usable)
}

/// Ends `ours` in the shared record if it is still there: another login
/// that has replaced it since is not ours to end.
async fn forget_shared_session(ours: Option<Session>) {
    let Some(ours) = ours else { return };
    shared_session::update(move |current| match current {
        Some(stored) if stored.is_same_login(&ours) => Change::Replace(None),
        _ => Change::Keep,
    })
    .await;
}

/// Writes `session` to `localStorage` (or removes it).
pub fn store_session(session: Option<&Session>) {
    match session {
        Some(session) => persisted::save(SESSION_KEY, session),
        None => persisted::remove(SESSION_KEY),
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Tokens {
    session: Option<Session>,
    /// Moves on when a session starts or ends, never on a refresh.
    session_id: u64,
    generation: Generation,
}

impl Tokens {
    /// Takes `session` as the current one: a new session unless it comes
    /// from the same login as the current one (a refresh).
    fn set(&mut self, session: Option<Session>) {
        let same_login = matches!(
            (&self.session, &session),
            (Some(old), Some(new)) if old.is_same_login(new)
        );
        if !same_login {
            self.session_id += 1;
        }
        self.session = session;
        self.generation = self.generation.next();
    }
}

/// The tokens as signals, persisted across reloads.
///
/// The generation moves on exactly when the tokens change: [`start`]
/// (login), [`save_refreshed`] (a refresh), [`clear`] (logout), [`expire`]
/// (the refresh token was refused) and [`adopt`] (another tab changed them).
///
/// [`start`]: AccessStore::start
/// [`save_refreshed`]: AccessStore::save_refreshed
/// [`clear`]: AccessStore::clear
/// [`expire`]: AccessStore::expire
/// [`adopt`]: AccessStore::adopt
#[derive(Clone, Copy, Debug)]
pub struct AccessStore {
    tokens: RwSignal<Tokens>,
    logged_in: Memo<bool>,
    expired: RwSignal<bool>,
    refresh_status: RwSignal<RefreshStatus>,
}

impl AccessStore {
    /// The store as it was left in `localStorage`; unreadable data means
    /// logged out.
    pub fn from_storage() -> Self {
        let tokens = RwSignal::new(Tokens {
            session: stored_session(),
            ..Tokens::default()
        });
        Self {
            tokens,
            // A refresh replaces the tokens but not the fact of being logged
            // in: views that only care about the latter must not re-render.
            logged_in: Memo::new(move |_| tokens.with(|t| t.session.is_some())),
            expired: RwSignal::new(false),
            refresh_status: RwSignal::new(RefreshStatus::default()),
        }
    }

    /// When the access token expires, ms since the epoch, if known (tracked).
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.tokens
            .with(|t| t.session.as_ref().and_then(|s| s.expires_at_ms))
    }

    /// Whether there is a session (tracked; unchanged by a refresh).
    pub fn is_logged_in(&self) -> bool {
        self.logged_in.get()
    }

    /// The session, without tracking.
    pub fn session_untracked(&self) -> Option<Session> {
        self.tokens.with_untracked(|t| t.session.clone())
    }

    /// Starts a new session (login), for every tab.
    pub async fn start(&self, session: Session) {
        shared_session::replace(Some(session.clone())).await;
        self.tokens.update(|t| t.set(Some(session)));
        self.expired.set(false);
    }

    /// Ends the session on the user's wish (logout): in this tab at once,
    /// and for the other tabs when the returned future has run.
    pub fn clear(&self) -> impl Future<Output = ()> + 'static {
        let ours = self.session_untracked();
        self.tokens.update(|t| t.set(None));
        forget_shared_session(ours)
    }

    /// Ends the session because the refresh token was refused; the login
    /// page then says so, once.
    pub fn expire(&self) {
        spawn_local(self.clear());
        self.expired.set(true);
    }

    /// Keeps the tokens of a successful refresh (the login stays the same).
    /// Storage is not written here: the shared refresher stored them under
    /// the refresh lock already, where every tab finds them.
    pub fn save_refreshed(&self, pair: TokenPair, now_ms: f64) {
        let Some(session) = self.session_untracked() else {
            return;
        };
        let refreshed = session.refreshed(pair, now_ms);
        self.tokens.update(|t| t.set(Some(refreshed)));
    }

    /// Takes over what another tab stored: its refresh, its logout, or its
    /// login (a new session when the login changes).
    pub fn adopt(&self, stored: Option<Session>) {
        let unchanged = self.tokens.with_untracked(|t| match (&t.session, &stored) {
            (Some(ours), Some(stored)) => ours.has_same_tokens(stored),
            (None, None) => true,
            _ => false,
        });
        if unchanged {
            return;
        }
        self.tokens.update(|t| t.set(stored));
    }

    /// Whether the last session ended by expiring (tracked).
    pub fn session_expired(&self) -> bool {
        self.expired.get()
    }

    /// What the refresh core is doing (tracked).
    pub fn refresh_status(&self) -> RefreshStatus {
        self.refresh_status.get()
    }

    /// Records what the refresh core is doing.
    pub fn set_refresh_status(&self, status: RefreshStatus) {
        self.refresh_status.set(status);
    }

    /// The tokens, their session and their generation, for the refresh core.
    pub fn snapshot(&self) -> TokenSnapshot {
        self.tokens.with_untracked(|t| TokenSnapshot {
            session: t.session_id,
            access_token: t.session.as_ref().map(|s| s.access_token.clone()),
            grant: t.session.as_ref().map(Session::grant),
            generation: t.generation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(user: &str, access: &str) -> Session {
        Session::new(
            access.into(),
            format!("r-{access}"),
            user.into(),
            Some(30),
            0.0,
        )
    }

    #[test]
    fn a_refresh_keeps_the_session_and_another_login_starts_a_new_one() {
        let mut tokens = Tokens::default();
        let login = session("alice", "a1");
        tokens.set(Some(login.clone()));
        let (id, generation) = (tokens.session_id, tokens.generation);

        let pair = TokenPair {
            access_token: "a2".into(),
            refresh_token: "r-a2".into(),
            expires_in: Some(30),
        };
        tokens.set(Some(login.refreshed(pair, 5_000.0)));
        assert_eq!(tokens.session_id, id, "a refresh is the same session");
        assert_ne!(tokens.generation, generation);

        let relogin = Session::new("a3".into(), "r3".into(), "alice".into(), None, 9_000.0);
        tokens.set(Some(relogin));
        assert_ne!(
            tokens.session_id, id,
            "a new login of the same user is a new session"
        );
        let id = tokens.session_id;

        tokens.set(Some(session("bob", "b1")));
        assert_ne!(tokens.session_id, id, "another user is another session");
        let id = tokens.session_id;
        tokens.set(None);
        assert_ne!(tokens.session_id, id, "a logout ends the session");
    }

    #[test]
    fn adopted_pairs_count_their_lifetime_from_now() {
        let stored = Session::new("a".into(), "r".into(), "u".into(), Some(30), 1_000.0);
        assert_eq!(stored.as_pair(11_000.0).expires_in, Some(20));
        assert_eq!(stored.as_pair(99_000.0).expires_in, Some(0));
    }
}
