//! Where each endpoint the session layer speaks to lives, below the API's
//! origin: the seed protocol's, OpenIddict's (in ABP) and ABP's own.

/// `POST`: log in with a user name and password.
pub const LOGIN: &str = "/api/account/login";
/// `POST`: trade a refresh token for a new pair (the seed protocol).
pub const REFRESH: &str = "/api/app/account/refresh-token";
/// `POST`: revoke a refresh token's whole family.
pub const LOGOUT: &str = "/api/account/logout";
/// `POST`: the OAuth 2.0 token endpoint, OpenIddict's path in ABP
/// (`grant_type=password` and `grant_type=refresh_token`).
pub const OAUTH2_TOKEN: &str = "/connect/token";
/// `POST`: the RFC 7009 revocation endpoint, OpenIddict's path in ABP.
pub const OAUTH2_REVOCATION: &str = "/connect/revocat";
/// `GET`: the OpenID Connect discovery document (token and revocation
/// endpoints, grants).
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
/// `GET` + the name: ABP's tenant lookup by name.
pub const TENANT_BY_NAME: &str = "/api/abp/multi-tenancy/tenants/by-name";
/// `GET` + the id: ABP's tenant lookup by id.
pub const TENANT_BY_ID: &str = "/api/abp/multi-tenancy/tenants/by-id";
/// `GET`: the current user, roles and granted policies.
pub const APP_CONFIG: &str = "/api/abp/application-configuration";
/// `GET` (a navigation): start a sign-in at a BFF (`?returnUrl=` a path).
pub const BFF_LOGIN: &str = "/bff/login";
/// `GET`: who is signed in at a BFF.
pub const BFF_USER: &str = "/bff/user";
/// `POST`: end the BFF session (and revoke at the provider).
pub const BFF_LOGOUT: &str = "/bff/logout";
