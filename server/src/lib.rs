//! Reference API server for the silent-refresh app: logs users in, issues
//! and rotates tokens, serves roles, sample resources and the built SPA, and
//! (on request) test controls for end-to-end tests.
//!
//! The binary only parses flags and calls [`run`]; tests build an
//! [`AppState`] and drive [`app`] directly or through [`serve`].

mod auth;
mod clock;
mod config;
mod controls;
mod db;
mod http;
mod jwt;
mod oidc;
mod password;
mod policy;
mod random;
mod rate_limit;
mod refresh_tokens;
mod roles;
mod seed;
mod serve;
mod state;
mod users;

pub use clock::Clock;
pub use config::Config;
pub use http::app;
pub use serve::{HEADER_READ_TIMEOUT, run, serve};
pub use state::{AppState, StartupError};
