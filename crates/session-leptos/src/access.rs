//! `AccessStore`: the access and refresh tokens, their generation, and what
//! the refresh core is doing with them, as signals over the shared
//! [`SessionRecord`] (which alone persists them).

use leptos::{prelude::*, task::spawn_local};
use silent_refresh_core::{
    Generation, RefreshAhead, RefreshStatus, SessionId, TokenPair, TokenSnapshot,
};
use silent_refresh_web::{Session, SessionRecord};

use crate::{
    SessionLog,
    timeline::{Event, LogoutReason, RefreshOutcome, Tab, TokenSource},
};

#[derive(Clone, Debug, Default, PartialEq)]
struct Tokens {
    session: Option<Session>,
    session_id: SessionId,
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
            self.session_id = self.session_id.next();
        }
        self.session = session;
        self.generation = self.generation.next();
    }
}

/// The tokens as signals, persisted across reloads through the record.
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
    record: StoredValue<SessionRecord, LocalStorage>,
    /// What happened to the tokens and their refreshes.
    timeline: SessionLog,
    /// This tab's place in the proactive refresh's jitter (0 to 1), drawn
    /// once, so that tabs sharing a session do not all try at once.
    jitter: f64,
}

impl AccessStore {
    /// The store as `record`'s mirror left it; unreadable data means
    /// logged out. What happens from then on is recorded in `timeline`.
    pub fn new(record: SessionRecord, timeline: SessionLog) -> Self {
        let session = record.mirrored();
        if let Some(session) = &session {
            record_token(timeline, session, TokenSource::Restored);
        }
        let tokens = RwSignal::new(Tokens {
            session,
            ..Tokens::default()
        });
        Self {
            tokens,
            // A refresh replaces the tokens but not the fact of being logged
            // in: views that only care about the latter must not re-render.
            logged_in: Memo::new(move |_| tokens.with(|t| t.session.is_some())),
            expired: RwSignal::new(false),
            refresh_status: RwSignal::new(RefreshStatus::default()),
            record: StoredValue::new_local(record),
            timeline,
            jitter: js_sys::Math::random(),
        }
    }

    /// When the access token is refreshed ahead of its expiry, ms since
    /// the epoch (tracked); `None`: only a `401` refreshes it.
    pub fn refresh_deadline_ms(&self) -> Option<f64> {
        self.tokens.with(|t| {
            t.session
                .as_ref()
                .and_then(|s| s.refresh_deadline(&RefreshAhead::default(), self.jitter))
        })
    }

    /// Whether a proactive refresh is due at `now_ms` (untracked).
    pub fn refresh_due(&self, now_ms: f64) -> bool {
        untrack(|| self.refresh_deadline_ms()).is_some_and(|due| now_ms >= due)
    }

    /// The shared record the tokens persist in.
    pub fn record(&self) -> SessionRecord {
        self.record.get_value()
    }

    /// What happened to the session lately.
    pub fn session_log(&self) -> SessionLog {
        self.timeline
    }

    /// When the access token expires, ms since the epoch, if known (tracked).
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.tokens
            .with(|t| t.session.as_ref().and_then(|s| s.expires_at_ms))
    }

    /// When the refresh token's absolute lifetime ends, ms since the epoch,
    /// if the server said (tracked).
    pub fn refresh_expires_at_ms(&self) -> Option<f64> {
        self.tokens
            .with(|t| t.session.as_ref().and_then(|s| s.refresh_expires_at_ms))
    }

    /// Whether there is a session, without tracking.
    pub fn is_logged_in_untracked(&self) -> bool {
        self.logged_in.get_untracked()
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
        self.record().replace(Some(session.clone())).await;
        self.timeline
            .record_at(session.started_at_ms, Event::Login { tab: Tab::This });
        record_token(self.timeline, &session, TokenSource::Login);
        self.tokens.update(|t| t.set(Some(session)));
        self.expired.set(false);
    }

    /// Ends the session in this tab (logout); the record is the caller's to
    /// end, under the refresh lock.
    pub fn clear(&self) {
        self.end(LogoutReason::ThisTab);
    }

    /// Ends the session in this tab for `reason`.
    fn end(&self, reason: LogoutReason) {
        if self.is_logged_in_untracked() {
            self.timeline.record(Event::Logout { reason });
        }
        self.tokens.update(|t| t.set(None));
    }

    /// Ends the session because the refresh token was refused, here and in
    /// the record; the login page then says so, once.
    pub fn expire(&self) {
        let ours = self.session_untracked();
        self.end(LogoutReason::Expired);
        self.expired.set(true);
        if let Some(ours) = ours {
            let record = self.record();
            spawn_local(async move {
                record.end(&ours).await;
            });
        }
    }

    /// Keeps the tokens of a successful refresh in memory (the login stays
    /// the same). The record is not written here: the shared refresher
    /// wrote them under the refresh lock already, where every tab finds them.
    pub fn save_refreshed(&self, pair: TokenPair, now_ms: f64) {
        let Some(session) = self.session_untracked() else {
            return;
        };
        let refreshed = session.refreshed(pair, now_ms);
        record_token(self.timeline, &refreshed, TokenSource::Refresh);
        self.tokens.update(|t| t.set(Some(refreshed)));
    }

    /// Takes over what another tab stored: its refresh, its logout, or its
    /// login (a new session when the login changes).
    pub fn adopt(&self, stored: Option<Session>) {
        let ours = self.session_untracked();
        match (&ours, &stored) {
            (Some(ours), Some(stored)) if ours.has_same_tokens(stored) => return,
            (None, None) => return,
            (Some(ours), Some(stored)) if ours.is_same_login(stored) => {
                self.timeline.record_at(
                    stored.received_at_ms,
                    Event::Refresh {
                        trigger: None,
                        tab: Tab::Other,
                        duration_ms: 0.0,
                        outcome: RefreshOutcome::Refreshed,
                    },
                );
            }
            _ => {
                if ours.is_some() {
                    self.timeline.record(Event::Logout {
                        reason: LogoutReason::OtherTab,
                    });
                }
                if let Some(stored) = &stored {
                    self.timeline
                        .record_at(stored.started_at_ms, Event::Login { tab: Tab::Other });
                }
            }
        }
        if let Some(stored) = &stored {
            record_token(self.timeline, stored, TokenSource::OtherTab);
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

    /// Records what the refresh core is doing (in the timeline too).
    pub(crate) fn set_refresh_status(&self, status: RefreshStatus) {
        self.timeline.observe(status);
        self.refresh_status.set(status);
    }

    /// The tokens, their session and their generation, for the refresh core.
    pub fn snapshot(&self) -> TokenSnapshot {
        self.tokens.with_untracked(|t| TokenSnapshot {
            session: t.session_id,
            access_token: t.session.as_ref().map(|s| s.access_token.clone()),
            expires_at_ms: t
                .session
                .as_ref()
                .and_then(|s| s.expires_at_ms)
                .map(|ms| ms as u64),
            grant: t.session.as_ref().map(Session::grant),
            generation: t.generation,
        })
    }
}

/// Records `session`'s access token in `timeline`, from its receipt.
fn record_token(timeline: SessionLog, session: &Session, source: TokenSource) {
    timeline.record_at(
        session.received_at_ms,
        Event::Token {
            expires_at_ms: session.expires_at_ms,
            source,
        },
    );
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
            refresh_expires_in: None,
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
}
