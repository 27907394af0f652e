//! The HTTP client: every call of the app goes through [`ApiClient`], which
//! adds the bearer token, answers `401` through the refresh core, aborts
//! calls that take too long and turns every failure into one [`ApiError`].

mod client;
mod endpoints;
mod error;
mod http;
mod refresher;
mod runtime;
pub mod types;

pub use client::ApiClient;
pub use error::ApiError;
pub use http::{BodyTransform, Transport, percent_encode};
pub use refresher::TokenRefresher;
pub use runtime::BrowserRuntime;
