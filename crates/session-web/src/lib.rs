//! Browser adapters for [`silent_refresh_core`], with no UI framework:
//!
//! - [`Transport`]: one HTTP exchange over gloo-net, with a timeout, abort
//!   on drop, and one body transform (where an encrypted body would be
//!   decrypted); every failure is an [`ApiError`];
//! - [`ApiClient`]: the transport behind the refresh coordinator, so every
//!   call answers its `401` with the one shared refresh;
//! - [`TokenRefresher`]: one refresh in the seed protocol, RFC 6749 §6,
//!   a backend's own ([`RefreshCall`]),
//!   at an OpenID Connect provider or at an ABP server;
//! - [`abp`]: signing in to an ABP server (its password grant, tenants,
//!   two factors) and revoking there;
//! - [`oauth2`]: an OAuth 2.0 token endpoint's answers and the
//!   `refresh_token` grant;
//! - [`oidc`]: OpenID Connect sign-in (code + PKCE), refresh at the
//!   provider's token endpoint, revocation;
//! - [`SessionRecord`]: the session every tab reads alike (one IndexedDB
//!   record, mirrored to `localStorage` for synchronous start-up reads and
//!   for the `storage` events that tell other tabs to look again);
//! - [`SharedRefresher`]: a refresh at most once across all tabs, under a
//!   Web Lock ([`lock::with_lock`]), written to the record;
//! - [`BrowserRuntime`]: the event loop, gloo-timers sleeps, the wall clock;
//! - [`KeepAlive`]: a check on a short tick and on every wake-up event
//!   (visibility, focus, `pageshow`, `resume`, `online`), for proactive
//!   refresh that survives sleep and throttled timers;
//! - [`storage`]: JSON values in `localStorage` that survive bad data;
//! - `testing` (feature `testing`): a scripted `fetch` for browser tests.
//!
//! Wiring them up (what an app does once at start):
//!
//! ```no_run
//! use silent_refresh_core::{CoordinatorOptions, TokenStore};
//! use silent_refresh_web::{ApiClient, SessionRecord, SharedRefresher, TokenRefresher, Transport};
//!
//! # fn wire<S: TokenStore + 'static>(store: S) {
//! let record = SessionRecord::new("my-app");
//! let transport = Transport::new("https://api.example.com", 10_000);
//! let refresher = SharedRefresher::new(TokenRefresher::seed(transport.clone()), record, "my-app");
//! let client = ApiClient::new(store, transport, refresher, CoordinatorOptions::default(), |_status| {});
//! # let _ = client;
//! # }
//! ```
//!
//! Logging goes to the browser console (`console.warn`); nothing here
//! panics on data from outside.

pub mod abp;
mod client;
mod error;
mod keep_alive;
pub mod lock;
mod log;
pub mod oauth2;
pub mod oidc;
mod random;
mod record;
mod refresher;
mod runtime;
mod session;
mod shared_refresher;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;

pub use client::{ApiClient, Coordinator};
pub use error::ApiError;
pub use keep_alive::{KeepAlive, Wake};
pub use oauth2::parse_oauth2_refresh;
pub use record::{Change, SessionRecord};
pub use refresher::{RefreshCall, TokenRefresher, parse_seed_refresh, read_refresh_answer};
pub use runtime::BrowserRuntime;
pub use session::{RefreshIntent, Session};
pub use shared_refresher::{SharedRefresher, SharedStep, shared_step};
pub use transport::{
    Body, BodyTransform, Method, Request, RequestHeaders, Response, Transport, form_encode,
    is_offline, percent_encode,
};
