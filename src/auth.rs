//! The refresh coordination core: pure Rust, no browser APIs, no Leptos.
//!
//! Every API call of the app goes through [`RefreshCoordinator::send`]. When a
//! call comes back `401`, the coordinator refreshes the access token *once*,
//! however many calls failed at the same time, holds the other failed calls in
//! a pending queue and replays each of them with the new token. It is generic
//! over the three things it needs from the outside world (where the tokens
//! live, how a refresh is performed, how to spawn and sleep), so the host
//! tests drive it with counting fakes and the app with signals and gloo-net.

mod coordinator;
mod ports;
mod slots;

pub use coordinator::{CoordinatorOptions, RefreshCoordinator, RefreshStatus, RetryPolicy};
pub use ports::{
    Generation, LocalTask, RefreshError, RefreshGrant, Refresher, Runtime, TokenPair,
    TokenSnapshot, TokenStore, Unauthorized,
};
