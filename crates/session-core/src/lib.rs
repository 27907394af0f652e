//! Single-flight token refresh with a pending-request queue: pure Rust, no
//! browser APIs, no UI framework.
//!
//! Every API call goes through [`RefreshCoordinator::send`]. When a call
//! comes back `401`, the coordinator refreshes the access token *once*,
//! however many calls failed at the same time, holds the other failed calls
//! in a pending queue and replays each of them with the new token. It is
//! generic over the three things it needs from the outside world:
//!
//! - [`TokenStore`]: where the tokens live (signals, memory, storage);
//! - [`Refresher`]: how one refresh is performed (an HTTP call; in a browser,
//!   under a lock shared by every tab);
//! - [`Runtime`]: how to spawn and sleep (a browser's event loop, a test's
//!   executor).
//!
//! The coordinator is single-threaded (`Rc`/`RefCell` inside): one per tab
//! or per thread. `silent-refresh-web` provides the browser side: a
//! gloo-net transport, the refreshers, the Web Lock and the shared session
//! record.
//!
//! With the fakes of the `testing` feature, a burst of calls after an
//! expiry costs one refresh:
//!
//! ```
//! use std::rc::Rc;
//!
//! use silent_refresh_core::{
//!     CoordinatorOptions, RefreshCoordinator, TokenStore,
//!     testing::{FakeRefresher, FakeServer, FakeStore, LocalPool, ManualRuntime},
//! };
//!
//! let mut pool = LocalPool::new();
//! let server = Rc::new(FakeServer::default()); // accepts no token yet
//! let store = FakeStore::logged_in("expired-access", Some("refresh-0"));
//! let refresher = FakeRefresher::new(&server);
//! let coordinator = RefreshCoordinator::new(
//!     store.clone(),
//!     refresher.clone(),
//!     ManualRuntime::new(&pool),
//!     CoordinatorOptions::default(),
//!     |_status| {},
//! );
//!
//! let calls = (0..5).map(|_| coordinator.send(|token| server.answer(token)));
//! let answers = pool.run_until(futures_util::future::join_all(calls));
//!
//! assert!(answers.iter().all(|answer| *answer == Ok("data")));
//! assert_eq!(refresher.calls(), 1);
//! assert_eq!(store.snapshot().access_token.as_deref(), Some("access-1"));
//! ```

mod coordinator;
mod ports;
mod recheck;
mod schedule;
mod slots;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use coordinator::{
    CoordinatorOptions, KeepAliveCheck, RefreshCoordinator, RefreshStatus, RefreshTrigger,
    RetryPolicy,
};
pub use ports::{
    Generation, LocalTask, RefreshError, RefreshGrant, Refresher, Runtime, SessionId, TokenPair,
    TokenSnapshot, TokenStore, Unauthorized,
};
pub use recheck::RecheckGate;
pub use schedule::{Backoff, RefreshAhead};
