//! `SessionLog`: the session's recent events, kept in memory for a
//! timeline and its download (see [`SessionOptions::timeline`]).
//!
//! [`SessionOptions::timeline`]: crate::SessionOptions::timeline

use leptos::{ev, prelude::*};
use silent_refresh_core::RefreshStatus;

use crate::timeline::{Event, EventLog};

/// The [`EventLog`] of this tab, when the options ask for one. `Copy`; the
/// stores and the refresh coordinator's status listener feed it, and views
/// read it when they redraw (it is no signal: a burst of thousands of calls
/// must not redraw anything thousands of times).
#[derive(Clone, Copy, Debug)]
pub struct SessionLog {
    log: StoredValue<Option<EventLog>, LocalStorage>,
}

impl SessionLog {
    /// A log of the last `capacity` events; `0`: one that keeps nothing.
    pub fn new(capacity: usize) -> Self {
        let log = (capacity > 0).then(|| EventLog::with_capacity(capacity));
        Self {
            log: StoredValue::new_local(log),
        }
    }

    /// Whether events are kept.
    pub fn is_kept(&self) -> bool {
        self.log.with_value(Option::is_some)
    }

    /// Records `event` now.
    pub fn record(&self, event: Event) {
        self.record_at(js_sys::Date::now(), event);
    }

    /// Records `event` at `at_ms` (a span: when it started).
    pub fn record_at(&self, at_ms: f64, event: Event) {
        self.log.update_value(|log| {
            if let Some(log) = log {
                log.push(at_ms, event);
            }
        });
    }

    /// Records what changed in the refresh coordinator's status.
    pub fn observe(&self, status: RefreshStatus) {
        let now = js_sys::Date::now();
        self.log.update_value(|log| {
            if let Some(log) = log {
                log.observe(status, now);
            }
        });
    }

    /// Reads the log, if one is kept.
    pub fn with<R>(&self, read: impl FnOnce(&EventLog) -> R) -> Option<R> {
        self.log.with_value(|log| log.as_ref().map(read))
    }

    /// Records the browser going offline and coming back, for as long as
    /// the current reactive owner lives.
    pub fn follow_connection(self) {
        if !self.is_kept() {
            return;
        }
        if silent_refresh_web::is_offline() {
            self.record(Event::Offline);
        }
        let online = window_event_listener(ev::online, move |_| self.record(Event::Online));
        let offline = window_event_listener(ev::offline, move |_| self.record(Event::Offline));
        on_cleanup(move || {
            online.remove();
            offline.remove();
        });
    }
}
