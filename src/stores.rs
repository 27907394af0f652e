//! The app's state as Leptos signals, provided through context:
//! [`AccessStore`] (tokens), [`UserStore`] (current user, roles, policies)
//! and [`AuthStore`] (login, logout, application configuration).

mod access;
mod auth;
pub(crate) mod persisted;
mod user;

pub use access::{AccessStore, Session};
pub use auth::{AppClient, AuthStore, RolesState, SessionTokens, use_auth};
pub use user::{UserInfo, UserStore};
