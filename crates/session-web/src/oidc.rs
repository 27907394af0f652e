//! OpenID Connect sign-in for a public client (a single-page app): the
//! authorization code flow with PKCE (RFC 7636), the `refresh_token` grant
//! through [`crate::TokenRefresher::oidc`], and revocation (RFC 7009).
//!
//! The pure parts (PKCE, the callback's checks, the ID token's claims, the
//! token endpoint's answers, discovery) are plain functions tested on the
//! host; [`OidcClient`] is the browser glue around them.

mod callback;
mod client;
mod discovery;
mod error;
mod id_token;
mod pkce;

pub use callback::{CallbackParams, ClientParams, PendingLogin, authorization_url, check_callback};
pub use client::{OidcClient, OidcSettings, SignedIn};
pub use discovery::{ProviderMetadata, discovery_url, parse_metadata};
pub use error::OidcError;
pub use id_token::{IdTokenClaims, check_claims, decode_claims};
pub use pkce::{Pkce, base64url};
