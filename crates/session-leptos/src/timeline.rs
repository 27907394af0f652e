//! The session's recent history, for a timeline and for bug reports: what
//! the session layer did (tokens, refreshes, `401`s and `403`s, calls
//! waiting, back-off and offline periods, role fetches, logins and
//! logouts), kept in a bounded ring ([`EventLog`]) fed by the refresh
//! coordinator's status changes and by the stores.

use std::collections::VecDeque;

use serde::Serialize;
use silent_refresh_core::{RefreshStatus, RefreshTrigger};

/// How many events a default log keeps: the oldest go first. About an hour of a
/// 30 s token's refreshes with their `401`s and waiting calls; a download is
/// then some 200 KB of JSON.
pub const CAPACITY: usize = 2048;

/// Waiting-call counts closer together than this are one sample (its
/// peak): a burst of thousands of calls makes a few samples, not thousands.
const WAITING_SAMPLE_MS: f64 = 100.0;

/// At most this many `401`s or `403`s are recorded from one status change.
const MARKS_PER_CHANGE: u64 = 64;

/// Which tab did something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Tab {
    /// This one.
    This,
    /// Another tab of the same browser, seen through the shared record.
    Other,
}

/// Why a refresh started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// Ahead of the expiry: no call waited on it.
    Proactive,
    /// A call was answered `401`.
    Unauthorized,
    /// A call was about to leave with an expired token.
    Expired,
}

impl From<RefreshTrigger> for Trigger {
    fn from(trigger: RefreshTrigger) -> Self {
        match trigger {
            RefreshTrigger::Proactive => Self::Proactive,
            RefreshTrigger::Unauthorized => Self::Unauthorized,
            RefreshTrigger::Expired => Self::Expired,
        }
    }
}

/// How a refresh ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RefreshOutcome {
    /// New tokens.
    Refreshed,
    /// Failed for a transient reason: the session is kept.
    Failed,
    /// Refused, or abandoned by a logout: the session is over.
    Ended,
}

/// Where an access token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenSource {
    /// A login in this tab.
    Login,
    /// A refresh in this tab.
    Refresh,
    /// Another tab's refresh or login.
    OtherTab,
    /// Kept from before this page was loaded.
    Restored,
}

/// How a role fetch ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RolesOutcome {
    /// The roles are as the server says.
    Current,
    /// Failed for a transient reason: the stored roles are kept.
    Stale,
    /// The session ended, or a newer fetch replaced this one.
    Dropped,
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LogoutReason {
    /// The user logged out in this tab.
    ThisTab,
    /// Another tab logged out (or logged in as someone else).
    OtherTab,
    /// The refresh token was refused.
    Expired,
}

/// One thing the session layer did. Spans (a token's life, a refresh) are
/// recorded with their start as the entry's time.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// An access token, from its receipt to `expires_at_ms` (when known).
    Token {
        /// When it expires, ms since the epoch.
        expires_at_ms: Option<f64>,
        /// Where it came from.
        source: TokenSource,
    },
    /// A refresh, from its start for `duration_ms`.
    Refresh {
        /// Why it started (`None`: another tab's, whose reason is its own).
        trigger: Option<Trigger>,
        /// Which tab refreshed.
        tab: Tab,
        /// How long it took, waiting for the lock included.
        duration_ms: f64,
        /// How it ended.
        outcome: RefreshOutcome,
    },
    /// A call answered `401`.
    Unauthorized,
    /// A call answered `403`.
    Forbidden,
    /// The number of calls waiting for a refresh changed to `calls` (the
    /// peak of the counts within 100 ms).
    Waiting {
        /// Calls waiting.
        calls: usize,
    },
    /// Refreshes failed for a transient reason: proactive ones wait until
    /// `until_ms`.
    Backoff {
        /// Until when, ms since the epoch.
        until_ms: f64,
        /// Failed refreshes in a row.
        failures: u32,
    },
    /// The browser went offline.
    Offline,
    /// The browser came back online.
    Online,
    /// The roles and permissions were fetched, from the start for
    /// `duration_ms`.
    Roles {
        /// How long it took.
        duration_ms: f64,
        /// How it ended.
        outcome: RolesOutcome,
    },
    /// A session started.
    Login {
        /// In which tab.
        tab: Tab,
    },
    /// A session ended.
    Logout {
        /// Why.
        reason: LogoutReason,
    },
}

/// An event and when it happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Its number: one more than the entry recorded before it.
    pub seq: u64,
    /// When it happened (a span: when it started), ms since the epoch.
    pub at_ms: f64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// The last [`CAPACITY`] session events, and what it takes to turn the
/// coordinator's status changes into events.
#[derive(Debug)]
pub struct EventLog {
    entries: VecDeque<Entry>,
    capacity: usize,
    next_seq: u64,
    /// The coordinator's last status.
    status: RefreshStatus,
    /// When the refresh in flight started, and why.
    in_flight: Option<(f64, Option<Trigger>)>,
}

impl Default for EventLog {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl EventLog {
    /// An empty log keeping the last `capacity` events (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: VecDeque::with_capacity(capacity.max(1)),
            capacity: capacity.max(1),
            next_seq: 1,
            status: RefreshStatus::default(),
            in_flight: None,
        }
    }

    /// The events kept, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter()
    }

    /// When the refresh in flight started and why, if one is.
    pub fn refresh_in_flight(&self) -> Option<(f64, Option<Trigger>)> {
        self.in_flight
    }

    /// Records `event` at `at_ms`, dropping the oldest event when full.
    pub fn push(&mut self, at_ms: f64, event: Event) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            seq: self.next_seq,
            at_ms,
            event,
        });
        self.next_seq += 1;
    }

    /// Records what changed between the coordinator's last status and
    /// `status`, seen at `now_ms`.
    pub fn observe(&mut self, status: RefreshStatus, now_ms: f64) {
        let before = std::mem::replace(&mut self.status, status);
        let new_401s = status.unauthorized.saturating_sub(before.unauthorized);
        for _ in 0..new_401s.min(MARKS_PER_CHANGE) {
            self.push(now_ms, Event::Unauthorized);
        }
        let new_403s = status.forbidden.saturating_sub(before.forbidden);
        for _ in 0..new_403s.min(MARKS_PER_CHANGE) {
            self.push(now_ms, Event::Forbidden);
        }
        if !status.refreshing
            && let Some((started, trigger)) = self.in_flight.take()
        {
            let outcome = if status.refreshes > before.refreshes {
                RefreshOutcome::Refreshed
            } else if status.failures > before.failures {
                RefreshOutcome::Failed
            } else {
                RefreshOutcome::Ended
            };
            self.push(
                started,
                Event::Refresh {
                    trigger,
                    tab: Tab::This,
                    duration_ms: now_ms - started,
                    outcome,
                },
            );
        }
        if status.refreshing && self.in_flight.is_none() {
            self.in_flight = Some((now_ms, status.trigger.map(Trigger::from)));
        }
        if status.failures > before.failures
            && let Some(until) = status.retry_at_ms
        {
            self.push(
                now_ms,
                Event::Backoff {
                    until_ms: until as f64,
                    failures: status.failures,
                },
            );
        }
        if status.waiting != before.waiting {
            self.record_waiting(status.waiting, now_ms);
        }
    }

    /// A new count of waiting calls: folded into the last sample while
    /// calls keep arriving within [`WAITING_SAMPLE_MS`], a sample of its own
    /// otherwise (and always once none wait any more).
    fn record_waiting(&mut self, calls: usize, now_ms: f64) {
        let last = self.entries.iter_mut().rev().find_map(|entry| match entry {
            Entry {
                at_ms,
                event: Event::Waiting { calls },
                ..
            } => Some((*at_ms, calls)),
            _ => None,
        });
        match last {
            Some((_, last_calls)) if *last_calls == calls => {}
            Some((at, last_calls))
                if calls > 0 && *last_calls > 0 && now_ms - at < WAITING_SAMPLE_MS =>
            {
                *last_calls = (*last_calls).max(calls);
            }
            None if calls == 0 => {}
            _ => self.push(now_ms, Event::Waiting { calls }),
        }
    }

    /// The log as JSON, for a bug report: `{"capacity", "events": [...]}`
    /// with the events oldest first.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            capacity: usize,
            events: Vec<&'a Entry>,
        }
        let report = Report {
            capacity: self.capacity,
            events: self.entries.iter().collect(),
        };
        // Plain data (strings, numbers, enums): serialising cannot fail.
        serde_json::to_string(&report).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
