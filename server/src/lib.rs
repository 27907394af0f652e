//! Reference API server for the silent-refresh app: logs users in, issues
//! and rotates tokens, serves roles, sample resources and the built SPA, and
//! (on request) test controls for end-to-end tests.
//!
//! The binary only parses flags and calls [`run`]; tests build an
//! [`AppState`] and drive [`app`] directly or through [`serve`].
//!
//! # Layout
//!
//! Three layers, each depending only on the ones below it:
//!
//! - start-up: `config` (the command line), `schema` (opening and
//!   migrating the SQLite file), `seed` (the demo data), `state` (what
//!   every handler shares, built from the command line), `serve` (the
//!   connection loop, [`run`]) and `startup_error` (why a start failed);
//! - the HTTP edge: `http` (the router, one module per area, the error
//!   type, extractors, static files), `oidc` (the resource-server mode:
//!   the provider's keys and tokens) and `controls` (what the test
//!   controls count and inject);
//! - the domain: `domain` (users, roles, policies, passwords, tokens,
//!   sessions, the login limiter, the store), which knows nothing of HTTP
//!   or of start-up.

mod bff;
mod config;
mod controls;
mod domain;
mod http;
mod oidc;
mod schema;
mod seed;
mod serve;
mod startup_error;
mod state;

pub use config::Config;
pub use domain::clock::Clock;
pub use http::app;
pub use serve::{HEADER_READ_TIMEOUT, run, serve};
pub use startup_error::StartupError;
pub use state::AppState;
