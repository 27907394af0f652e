//! The wire contract of silent-refresh, shared by the app, the reference
//! server and the end-to-end harness: one definition of each JSON document.
//!
//! - [`paths`]: where each endpoint lives;
//! - [`policy`]: the permission names the server grants and the app checks;
//! - the documents themselves, in ABP's shapes (camelCase on the wire): the
//!   session layer's protocol, re-exported from `silent-refresh-protocol`
//!   ([`account`], [`app_config`], [`tenants`], [`error`], [`nullable`]),
//!   and the app's own: [`resources`], [`identity`] (users, roles and
//!   permissions), read as ABP sends them;
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

pub mod identity;
pub mod paths;
pub mod policy;
pub mod resources;
pub mod test_controls;

pub use resources::{ListResult, PagedResult};
pub use silent_refresh_protocol::{
    ApplicationConfiguration, AuthConfiguration, BffLogout, BffUser, CurrentUser, ErrorInfo,
    ErrorResponse, LoginRequest, LogoutRequest, OAuthError, RefreshRequest, TokenResponse,
    ValidationError, account, app_config, bff, error, nullable, tenants,
};
