//! The app's state as Leptos signals, provided through context:
//! [`AccessStore`] (tokens), [`UserStore`] (current user, roles, policies)
//! and [`AuthStore`] (login, logout, application configuration), kept in
//! step across the browser's tabs, and [`SessionLog`] (what they did).

mod access;
mod auth;
mod session_log;
mod tab_follower;
mod user;

pub use access::AccessStore;
pub use auth::{AbpLogin, AbpLoginError, AppApi, AuthStore, RolesState, SessionTokens, use_auth};
pub use session_log::SessionLog;
pub use tab_follower::follow_other_tabs;
pub use user::{UserInfo, UserStore};
