//! The OAuth 2.0 endpoints at OpenIddict's paths, answering as ABP's
//! OpenIddict does, so a client of a stock ABP server can be tested here:
//!
//! - `POST /connect/token`: the password grant (RFC 6749 §4.3: `username`,
//!   `password`, `client_id`, `scope`; the tenant in `__tenant`; ABP's
//!   second step `TwoFactorProvider` + `TwoFactorCode`) and the
//!   `refresh_token` grant (§6);
//! - `POST /connect/revocat`: revocation (RFC 7009);
//! - `GET /.well-known/openid-configuration`: where those are.
//!
//! Errors are RFC 6749 §5.2's `{error, error_description}` with OpenIddict's
//! `error_uri` and ABP's descriptions: `invalid_grant` "Invalid username or
//! password!" (in Chinese for a client that asks), `RequiresTwoFactor` with
//! `userId` and `twoFactorToken`, OpenIddict's texts for a spent, revoked
//! or unknown refresh token, and `invalid_client` (`401`) for a client id
//! this server does not know (`--client-id`).

use std::net::SocketAddr;

use axum::extract::rejection::{ExtensionRejection, FormRejection};
use axum::extract::{ConnectInfo, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use silent_refresh_contract::OAuthError;
use silent_refresh_contract::account::OAuth2TokenResponse;
use silent_refresh_contract::paths;
use silent_refresh_contract::test_controls::Endpoint;

use crate::domain::refresh_tokens::{self, Rejection};
use crate::domain::sessions::{AuthError, IssuedTokens, SecondFactor, SignIn};
use crate::domain::{random, tenants};
use crate::http::client::client_address;
use crate::http::idempotency::{counted_rotation, idempotency_key};
use crate::http::tracking::{track, track_token_grant};
use crate::http::{AppError, no_store, own_tokens_only};
use crate::state::AppState;

/// The header ABP's clients name the tenant in (its id or its name).
pub const TENANT_HEADER: &str = "__tenant";

/// `POST` [`paths::OAUTH2_TOKEN`] and [`paths::OAUTH2_REVOCATION`], `GET`
/// [`paths::DISCOVERY`].
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            paths::OAUTH2_TOKEN,
            // As every token endpoint (see `token_endpoint`), but counted by
            // its grant.
            post(token)
                .route_layer(from_fn_with_state(state.clone(), own_tokens_only))
                .route_layer(from_fn_with_state(state.clone(), track_token_grant))
                .route_layer(from_fn(no_store)),
        )
        .route(
            paths::OAUTH2_REVOCATION,
            post(revoke)
                .route_layer(from_fn_with_state(state.clone(), own_tokens_only))
                .route_layer(from_fn_with_state((state.clone(), Endpoint::Logout), track)),
        )
        .route(paths::DISCOVERY, get(discovery))
}

/// The form, read leniently so that a missing field gets OAuth2's own
/// error rather than a rejection; other fields are accepted and ignored.
#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    refresh_token: Option<String>,
    username: Option<String>,
    password: Option<String>,
    client_id: Option<String>,
    scope: Option<String>,
    #[serde(rename = "TwoFactorProvider")]
    two_factor_provider: Option<String>,
    #[serde(rename = "TwoFactorCode")]
    two_factor_code: Option<String>,
}

async fn token(
    State(state): State<AppState>,
    peer: Result<ConnectInfo<SocketAddr>, ExtensionRejection>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Json<OAuth2TokenResponse>, AppError> {
    let Form(request) = form.map_err(form_rejection)?;
    if let Some(client_id) = &request.client_id
        && !state.config.client_ids.contains(client_id)
    {
        return Err(AppError::InvalidClient);
    }
    let offline = request
        .scope
        .as_deref()
        .is_none_or(|scope| scope.split(' ').any(|s| s == "offline_access"));
    let chinese = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|languages| {
            languages
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("zh")
        });
    let issued = match request.grant_type.as_deref() {
        Some("refresh_token") => {
            let presented = request.refresh_token.as_deref().ok_or_else(|| {
                invalid_request("The mandatory 'refresh_token' parameter is missing.")
            })?;
            let refreshed = state
                .sessions
                .refresh(presented, None, idempotency_key(&headers));
            counted_rotation(&state, refreshed).map_err(refresh_refused)?
        }
        Some("password") => {
            let (Some(user_name), Some(password)) = (request.username, request.password) else {
                return Err(invalid_request(
                    "The mandatory 'username' and/or 'password' parameters are missing.",
                ));
            };
            let tenant = tenant_of(&state, &headers)?;
            let client = peer.ok().map(|ConnectInfo(addr)| {
                client_address(addr.ip(), &headers, &state.config.trusted_proxies)
            });
            let second_factor = request
                .two_factor_provider
                .as_deref()
                .zip(request.two_factor_code.as_deref())
                .map(|(provider, code)| SecondFactor { provider, code });
            let sign_in = SignIn {
                tenant: tenant.as_deref(),
                user_name: &user_name,
                password,
                second_factor,
            };
            state
                .sessions
                .login(sign_in, client)
                .await
                .map_err(|error| password_refused(error, chinese))?
        }
        Some(_) => {
            return Err(AppError::OAuth(OAuthError::new(
                "unsupported_grant_type",
                "The specified 'grant_type' is not supported.",
            )));
        }
        None => {
            return Err(invalid_request(
                "The mandatory 'grant_type' parameter is missing.",
            ));
        }
    };
    Ok(Json(token_answer(issued, offline)))
}

/// The answer of a successful grant; the refresh token only with the
/// `offline_access` scope (or no scope at all), as OpenIddict does.
fn token_answer(issued: IssuedTokens, offline: bool) -> OAuth2TokenResponse {
    OAuth2TokenResponse {
        access_token: issued.access_token,
        refresh_token: offline.then_some(issued.refresh_token),
        token_type: "Bearer".into(),
        expires_in: Some(issued.expires_in),
        refresh_expires_in: offline.then_some(issued.refresh_expires_in),
        id_token: None,
        scope: None,
    }
}

/// The tenant a password grant is for: `__tenant`, an id or a name, as
/// ABP's resolver reads it; none: the host.
fn tenant_of(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(key) = headers
        .get(TENANT_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|key| !key.is_empty())
    else {
        return Ok(None);
    };
    let tenant = state.store.with(|conn| tenants::by_id_or_name(conn, key))?;
    match tenant {
        Some(tenant) if tenant.is_active => Ok(Some(tenant.id)),
        Some(_) => Err(invalid_request(format!(
            "The tenant '{key}' is not active."
        ))),
        None => Err(invalid_request(format!(
            "There is no tenant with the tenant id or name: {key}"
        ))),
    }
}

/// OpenIddict's page for the errors its token endpoint's controller raises.
const ERROR_URI: &str = "https://documentation.openiddict.com/errors/ID2024";

/// A refused password grant, in ABP's words.
fn password_refused(error: AuthError, chinese: bool) -> AppError {
    let grant = |description: String| {
        AppError::OAuth(OAuthError {
            error_uri: Some(ERROR_URI.into()),
            ..OAuthError::new("invalid_grant", description)
        })
    };
    match error {
        AuthError::InvalidCredentials if chinese => grant("用户名或密码无效！".into()),
        AuthError::InvalidCredentials => grant("Invalid username or password!".into()),
        AuthError::InvalidTwoFactorCode => grant("Invalid authenticator code!".into()),
        AuthError::RequiresTwoFactor { user_id } => AppError::OAuth(OAuthError {
            error_uri: Some(ERROR_URI.into()),
            // ABP's `Guid.ToString("N")`: 32 hex digits, no dashes.
            user_id: Some(user_id.replace('-', "")),
            two_factor_token: random::token().ok(),
            ..OAuthError::new("invalid_grant", "RequiresTwoFactor")
        }),
        AuthError::TooManyAttempts { .. } => grant(
            "The user account has been locked out due to invalid login attempts. \
             Please wait a while and try again."
                .into(),
        ),
        AuthError::TooManyLogins { retry_after } => grant(format!(
            "Too many sign-ins. Try again in {retry_after} seconds."
        )),
        other => AppError::from(other),
    }
}

/// A refused refresh grant, in OpenIddict's words.
fn refresh_refused(error: AuthError) -> AppError {
    let description = match &error {
        AuthError::Rejected(Rejection::Unknown | Rejection::WrongUser) => {
            "The specified refresh token is invalid."
        }
        AuthError::Rejected(Rejection::Revoked | Rejection::Expired) => {
            "The specified refresh token is no longer valid."
        }
        AuthError::Rejected(Rejection::Reused) => {
            "The specified refresh token has already been redeemed."
        }
        _ => return AppError::from(error),
    };
    AppError::OAuth(OAuthError::new("invalid_grant", description))
}

fn invalid_request(description: impl Into<String>) -> AppError {
    AppError::OAuth(OAuthError::new("invalid_request", description))
}

/// A form that cannot be read: too large is the protocol's own `413`, any
/// other `invalid_request`.
fn form_rejection(rejection: FormRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BadRequest {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: rejection.body_text(),
        }
    } else {
        invalid_request(rejection.body_text())
    }
}

/// The revocation form (RFC 7009 §2.1).
#[derive(Deserialize)]
struct RevocationRequest {
    token: Option<String>,
}

/// Revokes the session of the refresh token presented; an unknown token is
/// no error (RFC 7009 §2.2), a missing one is.
async fn revoke(
    State(state): State<AppState>,
    form: Result<Form<RevocationRequest>, FormRejection>,
) -> Result<StatusCode, AppError> {
    let Form(request) = form.map_err(form_rejection)?;
    let token = request
        .token
        .ok_or_else(|| invalid_request("The mandatory 'token' parameter is missing."))?;
    state
        .store
        .with(|conn| refresh_tokens::revoke_family_of(conn, &token))?;
    Ok(StatusCode::OK)
}

/// The part of an OpenID Connect discovery document a client of these
/// endpoints reads.
#[derive(Serialize)]
struct Discovery {
    issuer: String,
    token_endpoint: String,
    revocation_endpoint: String,
    grant_types_supported: [&'static str; 2],
    token_endpoint_auth_methods_supported: [&'static str; 1],
}

/// Where the token and revocation endpoints are, below the origin the
/// client called (its `Host`), as OpenIddict names its own.
async fn discovery(headers: HeaderMap) -> Json<Discovery> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let origin = format!("http://{host}");
    Json(Discovery {
        issuer: format!("{origin}/"),
        token_endpoint: format!("{origin}{}", paths::OAUTH2_TOKEN),
        revocation_endpoint: format!("{origin}{}", paths::OAUTH2_REVOCATION),
        grant_types_supported: ["password", "refresh_token"],
        token_endpoint_auth_methods_supported: ["none"],
    })
}

#[cfg(test)]
mod tests;
