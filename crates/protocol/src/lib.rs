//! The documents of the protocols the silent-refresh session layer speaks
//! with servers, read as servers really send them:
//!
//! - [`account`]: the seed protocol's login and refresh, and the OAuth 2.0
//!   token endpoint's answer;
//! - [`error`]: ABP's error shape, and OAuth 2.0's (with OpenIddict's and
//!   ABP's additions);
//! - [`app_config`]: ABP's application configuration (who is calling, what
//!   they may do, the culture, the tenancy);
//! - [`tenants`]: ABP's tenant lookup;
//! - [`bff`]: a Backend-for-Frontend's user and logout documents;
//! - [`paths`]: where each endpoint lives;
//! - [`nullable`]: reading `null` as the default.
//!
//! ```
//! use silent_refresh_protocol::ApplicationConfiguration;
//!
//! let config: ApplicationConfiguration = serde_json::from_str(
//!     r#"{"currentUser":{"isAuthenticated":true,"id":"u1","roles":null},
//!         "auth":{"grantedPolicies":{"Dashboard.View":true,"Reports.View":false}},
//!         "localization":null}"#,
//! )
//! .unwrap();
//! assert!(config.current_user.roles.is_empty());
//! assert_eq!(config.granted_policies().collect::<Vec<_>>(), ["Dashboard.View"]);
//! ```

pub mod account;
pub mod app_config;
pub mod bff;
pub mod error;
pub mod nullable;
pub mod paths;
pub mod tenants;

pub use account::{
    LoginRequest, LogoutRequest, OAuth2TokenResponse, RefreshRequest, TokenResponse,
};
pub use app_config::{ApplicationConfiguration, AuthConfiguration, CurrentUser};
pub use bff::{BffLogout, BffUser};
pub use error::{ErrorInfo, ErrorResponse, OAuthError, ValidationError};
pub use tenants::FindTenantResult;
