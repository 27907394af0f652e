//! The app's API: typed calls of the contract's endpoints over the session
//! layer's API client, which adds the bearer token and answers `401` with
//! the one shared refresh.

mod endpoints;

pub use endpoints::Api;
pub use silent_refresh_contract as contract;
pub use silent_refresh_web::{ApiError, percent_encode};
