//! The session's recent history, for the timeline on the diagnostics page
//! and for bug reports: what the session layer did (tokens, refreshes,
//! `401`s and `403`s, calls waiting, back-off and offline periods, role
//! fetches, logins and logouts), kept in a bounded ring in memory.
//!
//! The ring itself ([`EventLog`]) is the session layer's
//! (`silent_refresh_leptos::timeline`), fed by the refresh coordinator's
//! status changes and by the stores; the picture is the app's:
//! [`geometry`] turns a window of it into marks to draw and read,
//! [`markup`] into a lane's SVG.

pub mod geometry;
pub mod markup;

pub use silent_refresh_leptos::timeline::{
    CAPACITY, Entry, Event, EventLog, LogoutReason, RefreshOutcome, RolesOutcome, Tab, TokenSource,
    Trigger,
};
