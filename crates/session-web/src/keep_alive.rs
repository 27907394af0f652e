//! Waking up to check the session: on a short tick and whenever the page
//! may have slept, been hidden or been offline. Never one long timer: a
//! machine waking from sleep, or a tab whose timers the browser throttled,
//! checks at once.

use std::{cell::Cell, rc::Rc, time::Duration};

use gloo_events::EventListener;
use gloo_timers::callback::Interval;

/// The window events after which a check is due: the tab came back
/// (`focus`, `pageshow` from the back-forward cache) or the network did
/// (`online`).
const WINDOW_EVENTS: [&str; 3] = ["focus", "pageshow", "online"];

/// The document event after which a check is due: the tab was unfrozen
/// (`resume`, Page Lifecycle). Visibility changes are watched apart, to tell
/// how long the tab was hidden.
const DOCUMENT_EVENTS: [&str; 1] = ["resume"];

/// Why a check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// The regular tick.
    Tick,
    /// The page came back: focused, unfrozen, restored from the
    /// back-forward cache, or online again. A back-off may end early.
    Returned,
    /// The tab became visible after being hidden this long (ms, on the wall
    /// clock); like [`Wake::Returned`] otherwise.
    Shown {
        /// How long the tab was hidden.
        hidden_ms: u64,
    },
}

/// Calls a check every tick and after every wake-up event, until dropped.
pub struct KeepAlive {
    _tick: Interval,
    _listeners: Vec<EventListener>,
}

impl KeepAlive {
    /// Calls `check` every `tick` and on every wake-up event; `None`
    /// outside a window (a worker).
    pub fn start(tick: Duration, check: impl Fn(Wake) + Clone + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let listen = |target: &web_sys::EventTarget, event: &'static str| {
            let check = check.clone();
            EventListener::new(target, event, move |_| check(Wake::Returned))
        };
        let mut listeners: Vec<_> = WINDOW_EVENTS
            .iter()
            .map(|event| listen(&window, event))
            .collect();
        listeners.extend(DOCUMENT_EVENTS.iter().map(|event| listen(&document, event)));
        let hidden_since = Rc::new(Cell::new(document.hidden().then(js_sys::Date::now)));
        let visibility = {
            let (document, check) = (document.clone(), check.clone());
            EventListener::new(&document.clone(), "visibilitychange", move |_| {
                let now = js_sys::Date::now();
                if document.hidden() {
                    hidden_since.set(Some(now));
                } else {
                    let since = hidden_since.take().unwrap_or(now);
                    check(Wake::Shown {
                        hidden_ms: (now - since).max(0.0) as u64,
                    });
                }
            })
        };
        listeners.push(visibility);
        let millis = u32::try_from(tick.as_millis()).unwrap_or(u32::MAX);
        Some(Self {
            _tick: Interval::new(millis, move || check(Wake::Tick)),
            _listeners: listeners,
        })
    }
}
