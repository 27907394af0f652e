//! Extractors whose rejections use our error shape.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::domain::roles;
use crate::domain::sessions::{AuthError, InvalidToken, Principal};
use crate::http::AppError;
use crate::oidc::ResourceServer;
use crate::state::AppState;

/// A JSON request body; malformed, oversized, mistyped or incomplete bodies
/// are refused as [`AppError::BadRequest`].
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

/// The bearer of a valid access token (ours, or the identity provider's with
/// `--oidc-issuer`), with the policies of their roles read from the
/// database for this request. No token: [`AppError::Unauthenticated`]; a bad
/// one: [`AppError::InvalidToken`].
pub struct AuthUser(pub Principal);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(token) = bearer_token(parts)? else {
            return Err(if state.config.login_redirect && !is_script_call(parts) {
                login_redirect(parts)
            } else {
                AppError::Unauthenticated
            });
        };
        Ok(Self(authenticate(state, token).await?))
    }
}

/// Like [`AuthUser`] where signing in is optional: no token gives `None`, but
/// a bad token is still refused.
pub struct MaybeAuthUser(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match bearer_token(parts)? {
            Some(token) => Ok(Self(Some(authenticate(state, token).await?))),
            None => Ok(Self(None)),
        }
    }
}

/// The token of an `Authorization: Bearer …` header; another scheme or no
/// header means no token (RFC 6750 §3).
fn bearer_token(parts: &Parts) -> Result<Option<&str>, AppError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::InvalidToken("unreadable Authorization header".into()))?;
    Ok(match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
        _ => None,
    })
}

/// Whether the call says it comes from a script (`X-Requested-With:
/// XMLHttpRequest`, as ABP's clients send on every call): a
/// cookie-default host answers such a call `401`, any other `302`.
fn is_script_call(parts: &Parts) -> bool {
    parts
        .headers
        .get("x-requested-with")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"))
}

/// The `302` of a cookie-default host: to its login page, coming back here.
fn login_redirect(parts: &Parts) -> AppError {
    let back = parts
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let back = percent_encoding::utf8_percent_encode(back, percent_encoding::NON_ALPHANUMERIC);
    AppError::LoginRedirect(format!("/Account/Login?ReturnUrl={back}"))
}

/// The bearer of an access token, with their roles and policies as they
/// are now: with `--oidc-issuer` the provider's token, else one of this
/// server's (see [`crate::domain::sessions::Sessions::authenticate`]).
async fn authenticate(state: &AppState, token: &str) -> Result<Principal, AuthError> {
    match &state.provider {
        Some(provider) => provider_principal(state, provider, token).await,
        None => state.sessions.authenticate(token),
    }
}

/// The bearer of a provider's token: the user the token describes (user
/// name `preferred_username`, else `sub`; name `name`, else the user name),
/// with the policies the role table grants the token's roles. Refuses the
/// token if the expire test control has cut off its user since it was
/// issued.
async fn provider_principal(
    state: &AppState,
    provider: &ResourceServer,
    token: &str,
) -> Result<Principal, AuthError> {
    let user = provider.verify(token).await.map_err(InvalidToken::Token)?;
    let names = [Some(user.sub.as_str()), user.preferred_username.as_deref()];
    if state
        .controls
        .is_cut_off(names.into_iter().flatten(), user.issued_at)
    {
        return Err(InvalidToken::Revoked.into());
    }
    let policies = state
        .store
        .with(|conn| roles::policies_of(conn, &user.roles))?;
    let user_name = user.preferred_username.unwrap_or_else(|| user.sub.clone());
    Ok(Principal {
        id: user.sub,
        tenant_id: None,
        name: user.name.unwrap_or_else(|| user_name.clone()),
        user_name,
        email: user.email,
        roles: user.roles,
        policies,
    })
}
