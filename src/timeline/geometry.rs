//! A window of the event log as marks on lanes: where each one is drawn
//! (in the units of a `0 0 1000 H` view box), and what it says in words.

use super::{
    Entry, Event, EventLog, LogoutReason, RefreshOutcome, RolesOutcome, Tab, TokenSource, Trigger,
};
use crate::{
    format::{fixed, span},
    i18n::{Locale, Msg},
};

/// The width of a lane, in view-box units.
pub const WIDTH: f64 = 1000.0;

/// The narrowest a mark is drawn, so that an instant can be seen and pointed at.
const MIN_WIDTH: f64 = 4.0;

/// The lanes, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Each access token's life.
    Tokens,
    /// Refreshes, proactive or after a `401`, in this tab or another.
    Refreshes,
    /// `401` and `403` answers.
    Answers,
    /// How many calls waited for a refresh.
    Waiting,
    /// Offline and back-off periods.
    Connection,
    /// Logins, logouts and role fetches.
    Session,
}

impl Lane {
    /// Every lane, top to bottom.
    pub const ALL: [Lane; 6] = [
        Lane::Tokens,
        Lane::Refreshes,
        Lane::Answers,
        Lane::Waiting,
        Lane::Connection,
        Lane::Session,
    ];

    /// The lane's name.
    pub fn title(self) -> Msg {
        match self {
            Lane::Tokens => Msg::LaneTokens,
            Lane::Refreshes => Msg::LaneRefreshes,
            Lane::Answers => Msg::LaneAnswers,
            Lane::Waiting => Msg::LaneWaiting,
            Lane::Connection => Msg::Connection,
            Lane::Session => Msg::Session,
        }
    }
}

/// The time the timeline shows: the `span_ms` before `end_ms`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// The right edge, ms since the epoch (now, unless the picture is held).
    pub end_ms: f64,
    /// How much time it shows, in ms.
    pub span_ms: f64,
}

impl Window {
    /// The left edge.
    pub fn start_ms(&self) -> f64 {
        self.end_ms - self.span_ms
    }

    /// Where `at_ms` is drawn, clamped to the lane.
    pub fn x(&self, at_ms: f64) -> f64 {
        ((at_ms - self.start_ms()) / self.span_ms * WIDTH).clamp(0.0, WIDTH)
    }
}

/// One event as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// The event's number ([`IN_FLIGHT`] for the refresh under way).
    pub seq: u64,
    /// Where it is drawn.
    pub lane: Lane,
    /// From when to when it lasts (the same for an instant), ms since the epoch.
    pub start_ms: f64,
    /// See `start_ms`.
    pub end_ms: f64,
    /// Its left edge in the lane.
    pub x: f64,
    /// Its width (an instant too is wide enough to see and point at).
    pub width: f64,
    /// How much of the lane's height it fills (0 to 1): waiting calls are
    /// drawn against the window's peak.
    pub level: f64,
    /// Which of a lane's two rows it sits in (overlapping tokens alternate).
    pub row: u8,
    /// What happened.
    pub event: Event,
}

/// The number of the mark of the refresh under way.
pub const IN_FLIGHT: u64 = u64::MAX;

impl Mark {
    /// Whether it is the refresh still under way.
    pub fn is_in_flight(&self) -> bool {
        self.seq == IN_FLIGHT
    }

    /// What kind of mark it is, for `data-kind` and its style.
    pub fn kind(&self) -> &'static str {
        match self.event {
            Event::Token { .. } => "token",
            Event::Refresh { .. } => "refresh",
            Event::Unauthorized => "unauthorized",
            Event::Forbidden => "forbidden",
            Event::Waiting { .. } => "waiting",
            Event::Backoff { .. } => "backoff",
            Event::Offline | Event::Online => "offline",
            Event::Roles { .. } => "roles",
            Event::Login { .. } => "login",
            Event::Logout { .. } => "logout",
        }
    }

    /// The style variant within its kind: a token's source, a refresh's
    /// trigger and tab, whether a refresh or role fetch failed.
    pub fn variant(&self) -> &'static str {
        match &self.event {
            Event::Token { source, .. } => match source {
                TokenSource::OtherTab => "other",
                _ => "this",
            },
            Event::Refresh {
                tab: Tab::Other, ..
            } => "other",
            Event::Refresh {
                outcome: RefreshOutcome::Failed | RefreshOutcome::Ended,
                ..
            } if !self.is_in_flight() => "failed",
            Event::Refresh { trigger, .. } => match trigger {
                Some(Trigger::Proactive) | None => "proactive",
                Some(Trigger::Unauthorized | Trigger::Expired) => "reactive",
            },
            Event::Roles {
                outcome: RolesOutcome::Stale,
                ..
            } => "failed",
            _ => "plain",
        }
    }
}

/// The marks of `log` that fall in `window`, in time order; the refresh
/// under way, if any, drawn up to the window's end.
pub fn marks(log: &EventLog, window: Window) -> Vec<Mark> {
    let entries: Vec<&Entry> = log.entries().collect();
    // One pass from the back: what follows each entry, for its end.
    let mut following = vec![Following::default(); entries.len()];
    let mut next = Following::default();
    for (entry, following) in entries.iter().zip(&mut following).rev() {
        *following = next;
        next = next.taking_in(entry);
    }
    let mut marks: Vec<Mark> = Vec::new();
    for (entry, following) in entries.iter().zip(following) {
        let Some(end_ms) = end_of(entry, following, window.end_ms) else {
            continue;
        };
        if end_ms >= window.start_ms() && entry.at_ms <= window.end_ms {
            insert_in_time_order(
                &mut marks,
                mark(window, entry.seq, entry.at_ms, end_ms, entry.event.clone()),
            );
        }
    }
    if let Some((started, trigger)) = log.refresh_in_flight() {
        // Its outcome is not known yet: the mark says it is in flight.
        let event = Event::Refresh {
            trigger,
            tab: Tab::This,
            duration_ms: window.end_ms - started,
            outcome: RefreshOutcome::Refreshed,
        };
        let in_flight = mark(window, IN_FLIGHT, started, window.end_ms, event);
        insert_in_time_order(&mut marks, in_flight);
    }
    let peak = marks
        .iter()
        .filter_map(|m| match m.event {
            Event::Waiting { calls } => Some(calls),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut tokens = 0;
    for mark in &mut marks {
        match mark.event {
            Event::Waiting { calls } => mark.level = calls as f64 / peak,
            Event::Token { .. } => {
                mark.row = tokens % 2;
                tokens += 1;
            }
            _ => {}
        }
    }
    marks
}

/// Puts `mark` after the last of `marks` that starts no later. Entries are
/// in time order but for spans, recorded when they end, so it goes in at or
/// near the end: cheaper here than a sort, in far less code.
fn insert_in_time_order(marks: &mut Vec<Mark>, mark: Mark) {
    let at = marks
        .iter()
        .rposition(|m| m.start_ms <= mark.start_ms)
        .map_or(0, |i| i + 1);
    marks.insert(at, mark);
}

fn mark(window: Window, seq: u64, start_ms: f64, end_ms: f64, event: Event) -> Mark {
    let lane = match event {
        Event::Token { .. } => Lane::Tokens,
        Event::Refresh { .. } => Lane::Refreshes,
        Event::Unauthorized | Event::Forbidden => Lane::Answers,
        Event::Waiting { .. } => Lane::Waiting,
        Event::Backoff { .. } | Event::Offline | Event::Online => Lane::Connection,
        Event::Roles { .. } | Event::Login { .. } | Event::Logout { .. } => Lane::Session,
    };
    let x = window.x(start_ms).min(WIDTH - MIN_WIDTH);
    Mark {
        seq,
        lane,
        start_ms,
        end_ms,
        x,
        width: (window.x(end_ms) - x).max(MIN_WIDTH),
        level: 1.0,
        row: 0,
        event,
    }
}

/// When the next events that end another come, after an entry: a login
/// or logout (ends its tokens), a waiting-calls sample (ends the one
/// before), coming online (ends being offline), a refresh that worked
/// (ends a back-off).
#[derive(Clone, Copy, Debug, Default)]
struct Following {
    session_change: Option<f64>,
    waiting: Option<f64>,
    online: Option<f64>,
    refreshed: Option<f64>,
}

impl Following {
    /// What follows the entry before `entry`.
    fn taking_in(self, entry: &Entry) -> Self {
        let at = Some(entry.at_ms);
        match entry.event {
            Event::Login { .. } | Event::Logout { .. } => Self {
                session_change: at,
                ..self
            },
            Event::Waiting { .. } => Self {
                waiting: at,
                ..self
            },
            Event::Online => Self { online: at, ..self },
            Event::Refresh {
                outcome: RefreshOutcome::Refreshed,
                ..
            } => Self {
                refreshed: at,
                ..self
            },
            _ => self,
        }
    }
}

/// When the event that starts at `entry` ends, given what `follows` it;
/// `None` for what is not drawn on its own (coming back online, no calls
/// waiting any more). `now_ms` ends what is still going on.
fn end_of(entry: &Entry, follows: Following, now_ms: f64) -> Option<f64> {
    match &entry.event {
        // A token is good until it expires, or until its session ends.
        Event::Token { expires_at_ms, .. } => {
            Some(match (*expires_at_ms, follows.session_change) {
                (Some(expiry), Some(ended)) => expiry.min(ended),
                (expiry, ended) => expiry.or(ended).unwrap_or(now_ms),
            })
        }
        Event::Refresh { duration_ms, .. } | Event::Roles { duration_ms, .. } => {
            Some(entry.at_ms + duration_ms)
        }
        Event::Waiting { calls: 0 } | Event::Online => None,
        Event::Waiting { .. } => Some(follows.waiting.unwrap_or(now_ms)),
        Event::Offline => Some(follows.online.unwrap_or(now_ms)),
        // A back-off ends at its time, or with the next refresh that works.
        Event::Backoff { until_ms, .. } => Some(until_ms.min(follows.refreshed.unwrap_or(now_ms))),
        Event::Unauthorized | Event::Forbidden | Event::Login { .. } | Event::Logout { .. } => {
            Some(entry.at_ms)
        }
    }
}

/// `at_ms` as a wall-clock time `HH:MM:SS`, in a time zone `utc_offset_ms`
/// ahead of UTC.
pub fn clock_time(at_ms: f64, utc_offset_ms: f64) -> String {
    let secs = ((at_ms + utc_offset_ms) / 1000.0).floor() as i64;
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3_600, day / 60 % 60, day % 60)
}

/// The axis's ticks in `window`: every `step_ms` of local time, with where
/// they are drawn and their label (`HH:MM`, or `HH:MM:SS` below a minute).
pub fn ticks(window: Window, step_ms: f64, utc_offset_ms: f64) -> Vec<(f64, String)> {
    let local_start = window.start_ms() + utc_offset_ms;
    let first = (local_start / step_ms).ceil() * step_ms - utc_offset_ms;
    (0..)
        .map(|i| first + f64::from(i) * step_ms)
        .take_while(|at| *at <= window.end_ms)
        .map(|at| {
            let label = clock_time(at, utc_offset_ms);
            let label = if step_ms < 60_000.0 {
                label
            } else {
                label[..5].to_owned()
            };
            (window.x(at), label)
        })
        .collect()
}

/// What `mark` says in words, in `locale`, times in a zone `utc_offset_ms`
/// ahead of UTC.
pub fn describe(mark: &Mark, locale: Locale, utc_offset_ms: f64) -> String {
    let t = |msg: Msg| msg.text(locale);
    let at = clock_time(mark.start_ms, utc_offset_ms);
    let until = || {
        format!(
            "{at} → {} ({})",
            clock_time(mark.end_ms, utc_offset_ms),
            span(((mark.end_ms - mark.start_ms) / 1000.0).round() as i64)
        )
    };
    let parts: Vec<String> = match &mark.event {
        Event::Token { source, .. } => {
            let source = match source {
                TokenSource::Login => Msg::SrcLogin,
                TokenSource::Refresh => Msg::SrcRefresh,
                TokenSource::OtherTab => Msg::SrcOtherTab,
                TokenSource::Restored => Msg::SrcRestored,
            };
            vec![t(Msg::EvToken).into(), t(source).into(), until()]
        }
        Event::Refresh {
            trigger,
            tab,
            duration_ms,
            outcome,
        } => {
            let mut parts = vec![t(Msg::EvRefresh).to_owned()];
            parts.extend(trigger.map(|trigger| {
                t(match trigger {
                    Trigger::Proactive => Msg::TrigProactive,
                    Trigger::Unauthorized => Msg::TrigUnauthorized,
                    Trigger::Expired => Msg::TrigExpired,
                })
                .to_owned()
            }));
            parts.push(
                t(if *tab == Tab::This {
                    Msg::TabThis
                } else {
                    Msg::TabOther
                })
                .into(),
            );
            parts.push(at);
            if *tab == Tab::This {
                parts.push(format!("{} ms", fixed(*duration_ms, 0)));
            }
            let outcome = match outcome {
                _ if mark.is_in_flight() => Msg::OutInFlight,
                RefreshOutcome::Refreshed => Msg::OutRefreshed,
                RefreshOutcome::Failed => Msg::OutFailed,
                RefreshOutcome::Ended => Msg::OutEnded,
            };
            parts.push(t(outcome).into());
            parts
        }
        Event::Unauthorized => vec![t(Msg::Ev401).into(), at],
        Event::Forbidden => vec![t(Msg::Ev403).into(), at],
        Event::Waiting { calls } => vec![format!("{}: {calls}", t(Msg::LaneWaiting)), until()],
        Event::Backoff { failures, .. } => {
            vec![t(Msg::EvBackoff).into(), format!("× {failures}"), until()]
        }
        Event::Offline | Event::Online => vec![t(Msg::EvOffline).into(), until()],
        Event::Roles {
            duration_ms,
            outcome,
        } => {
            let outcome = match outcome {
                RolesOutcome::Current => Msg::RolesCurrent,
                RolesOutcome::Stale => Msg::RolesKept,
                RolesOutcome::Dropped => Msg::RolesDropped,
            };
            vec![
                t(Msg::EvRoles).into(),
                at,
                format!("{} ms", fixed(*duration_ms, 0)),
                t(outcome).into(),
            ]
        }
        Event::Login { tab } => vec![
            t(Msg::EvLogin).into(),
            t(if *tab == Tab::This {
                Msg::ReasonThisTab
            } else {
                Msg::ReasonOtherTab
            })
            .into(),
            at,
        ],
        Event::Logout { reason } => {
            let reason = match reason {
                LogoutReason::ThisTab => Msg::ReasonThisTab,
                LogoutReason::OtherTab => Msg::ReasonOtherTab,
                LogoutReason::Expired => Msg::ReasonExpired,
            };
            vec![t(Msg::EvLogout).into(), t(reason).into(), at]
        }
    };
    parts.join(" · ")
}

#[cfg(test)]
mod tests;
