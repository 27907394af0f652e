//! The app's state as Leptos signals, provided through context:
//! [`AccessStore`] (tokens), [`UserStore`] (current user, roles, policies)
//! and [`AuthStore`] (login, logout, application configuration), kept in
//! step across the browser's tabs.

mod access;
mod auth;
mod cross_tab;
pub(crate) mod persisted;
pub mod shared_session;
mod user;

pub use access::{AccessStore, Session};
pub use auth::{AppClient, AuthStore, RolesState, SessionTokens, use_auth};
pub use cross_tab::SharedRefresher;
pub use user::{UserInfo, UserStore};
