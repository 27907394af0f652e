//! The silent-refresh session layer for Leptos 0.8 (client-side rendered):
//! one call wires it, one hook reads it.
//!
//! - [`provide_session`] wires the shared session record (IndexedDB,
//!   mirrored to `localStorage`, so a reload and every tab see the same
//!   session), the stores over it as signals, the API client whose every
//!   `401` waits for one shared refresh (one at a time across all tabs,
//!   under a Web Lock) and is sent again with the new token, a proactive
//!   refresh ahead of each expiry that survives sleep and throttled
//!   timers, and the role refresh on reload;
//! - [`use_session`] returns [`UseSession`]: `status`, `user`,
//!   `expires_in`, `refreshing`, `waiting`, … as signals, with
//!   [`UseSession::log_in`], [`UseSession::log_out`],
//!   [`UseSession::client`] and [`UseSession::allows`], the condition of a
//!   leptos_router `ProtectedRoute` that waits while the roles are fetched;
//! - [`Backend`] names what it talks to: the seed protocol, RFC 6749 §6
//!   refresh, an OpenID Connect provider, a stock ABP server, a
//!   Backend-for-Frontend that keeps the tokens out of the browser, or a
//!   backend of your own through [`RefreshCall`].
//!
//! ```no_run
//! use leptos::prelude::*;
//! use silent_refresh_leptos::{Backend, SessionOptions, provide_session, use_session};
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     provide_session(SessionOptions::new("my-app", Backend::seed()).refresh_roles_on_reload(true));
//!     view! { <Greeting/> }
//! }
//!
//! #[component]
//! fn Greeting() -> impl IntoView {
//!     let session = use_session();
//!     move || match session.user.get() {
//!         Some(user) => format!("Hello, {}", user.display_name()),
//!         None => "Logged out".to_owned(),
//!     }
//! }
//! ```
//!
//! `docs/getting-started.md` in the repository walks through an app.

mod access;
mod auth;
mod bff;
mod client;
mod guard;
mod options;
mod provide;
mod reload;
mod session_log;
mod tabs;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timeline;
mod user;

pub use access::AccessStore;
pub use auth::{AbpLogin, AbpLoginError, AuthStore, RolesState, SessionTokens, use_auth};
pub use bff::BffCheck;
pub use client::{SessionClient, SessionCoordinator};
pub use guard::{Access, decide_access};
pub use options::{Backend, SessionOptions};
pub use provide::{SessionStatus, UseSession, provide_session, use_session};
pub use reload::{NavigationKind, StoredSession, navigation_kind, should_refresh_roles};
pub use session_log::SessionLog;
pub use user::{UserInfo, UserStore, user_key};

pub use silent_refresh_core::{RefreshError, RefreshGrant, TokenPair};
pub use silent_refresh_web::{
    ApiError, Body, Method, RefreshCall, Request, Response, Session, read_refresh_answer,
};
