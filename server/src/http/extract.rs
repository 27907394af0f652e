//! Extractors whose rejections use our error shape.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::auth::{self, Principal};
use crate::http::AppError;
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
        let token = bearer_token(parts)?.ok_or(AppError::Unauthenticated)?;
        Ok(Self(auth::authenticate(state, token).await?))
    }
}

/// Like [`AuthUser`] where signing in is optional: no token gives `None`, but
/// a bad token is still refused.
pub struct MaybeAuthUser(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match bearer_token(parts)? {
            Some(token) => Ok(Self(Some(auth::authenticate(state, token).await?))),
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
