//! `AccessStore`: the access and refresh tokens, their generation, and what
//! the refresh core is doing with them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::persisted;
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
}

impl Session {
    /// A session from a token answer, its expiry counted from `now_ms`.
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
        }
    }

    /// Whether the stored value can be used (foreign data might parse but be empty).
    fn is_usable(&self) -> bool {
        !self.access_token.is_empty() && !self.refresh_token.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Tokens {
    session: Option<Session>,
    generation: Generation,
}

/// The tokens as signals, persisted across reloads.
///
/// The generation moves on exactly when the tokens change: [`start`]
/// (login), [`save_refreshed`] (a refresh), [`clear`] (logout) and
/// [`expire`] (the refresh token was refused).
///
/// [`start`]: AccessStore::start
/// [`save_refreshed`]: AccessStore::save_refreshed
/// [`clear`]: AccessStore::clear
/// [`expire`]: AccessStore::expire
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
        let session = persisted::load(SESSION_KEY, Session::is_usable);
        let tokens = RwSignal::new(Tokens {
            session,
            generation: Generation::default(),
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

    /// Starts a new session (login).
    pub fn start(&self, session: Session) {
        self.replace(Some(session));
        self.expired.set(false);
    }

    /// Ends the session on the user's wish (logout).
    pub fn clear(&self) {
        self.replace(None);
    }

    /// Ends the session because the refresh token was refused; the login
    /// page then says so, once.
    pub fn expire(&self) {
        self.replace(None);
        self.expired.set(true);
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

    /// The tokens and their generation, for the refresh core.
    pub fn snapshot(&self) -> TokenSnapshot {
        self.tokens.with_untracked(|t| TokenSnapshot {
            access_token: t.session.as_ref().map(|s| s.access_token.clone()),
            grant: t.session.as_ref().map(|s| RefreshGrant {
                refresh_token: s.refresh_token.clone(),
                user_id: Some(s.user_id.clone()),
            }),
            generation: t.generation,
        })
    }

    /// Keeps the tokens of a successful refresh (the user stays the same).
    pub fn save_refreshed(&self, pair: TokenPair, now_ms: f64) {
        let Some(user_id) = self.session_untracked().map(|s| s.user_id) else {
            return;
        };
        self.replace(Some(Session::new(
            pair.access_token,
            pair.refresh_token,
            user_id,
            pair.expires_in,
            now_ms,
        )));
    }

    fn replace(&self, session: Option<Session>) {
        match &session {
            Some(session) => persisted::save(SESSION_KEY, session),
            None => persisted::remove(SESSION_KEY),
        }
        self.tokens.update(|t| {
            t.session = session;
            t.generation = t.generation.next();
        });
    }
}
