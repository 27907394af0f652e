//! The wire contract of silent-refresh, shared by the app, the reference
//! server and the end-to-end harness: one definition of each JSON document.
//!
//! - [`paths`]: where each endpoint lives;
//! - [`policy`]: the permission names the server grants and the app checks;
//! - the documents themselves, in ABP's shapes (camelCase on the wire):
//!   [`account`] (login, refresh, logout, the RFC 6749 token endpoint),
//!   [`app_config`], [`resources`], [`identity`] (users, roles and
//!   permissions), [`tenants`], [`error`]; read as ABP sends them
//!   ([`nullable`]);
//! - [`test_controls`]: the documents of `/api/_test/…`.
//!
//! Every type derives `Serialize` and `Deserialize`:
//!
//! ```
//! use silent_refresh_contract::{PagedResult, resources::Order};
//!
//! let page: PagedResult<Order> = serde_json::from_str(
//!     r#"{"items":[{"id":"o1","customer":"Dormouse Teas","total":64.2,"status":"shipped"}],"totalCount":1}"#,
//! )
//! .unwrap();
//! assert_eq!(page.items[0].customer, "Dormouse Teas");
//! assert_eq!(serde_json::to_value(&page).unwrap()["totalCount"], 1);
//! ```

pub mod account;
pub mod app_config;
pub mod error;
pub mod identity;
pub mod nullable;
pub mod paths;
pub mod policy;
pub mod resources;
pub mod tenants;
pub mod test_controls;

pub use account::{LoginRequest, LogoutRequest, RefreshRequest, TokenResponse};
pub use app_config::{ApplicationConfiguration, AuthConfiguration, CurrentUser};
pub use error::{ErrorInfo, ErrorResponse, OAuthError, ValidationError};
pub use resources::{ListResult, PagedResult};
