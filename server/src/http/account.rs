//! Login, refresh and logout (the ABP-style JSON endpoints).

use std::net::SocketAddr;

use axum::extract::rejection::ExtensionRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::{Json, Router};
use silent_refresh_contract::account::{
    LoginRequest, LogoutRequest, RefreshRequest, TokenResponse,
};
use silent_refresh_contract::paths;
use silent_refresh_contract::test_controls::Endpoint;

use crate::domain::refresh_tokens;
use crate::domain::sessions::{IssuedTokens, SignIn};
use crate::http::client::client_address;
use crate::http::extract::AppJson;
use crate::http::idempotency::{counted_rotation, idempotency_key};
use crate::http::{AppError, own_tokens_only, token_endpoint, tracking::track};
use crate::state::AppState;

/// `POST` [`paths::LOGIN`], [`paths::REFRESH`] and [`paths::LOGOUT`]; with
/// `--oidc-issuer` each answers [`AppError::ManagedByProvider`].
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            paths::LOGIN,
            token_endpoint(post(login), state, Endpoint::Login),
        )
        .route(
            paths::REFRESH,
            token_endpoint(post(refresh), state, Endpoint::Refresh),
        )
        .route(
            paths::LOGOUT,
            post(logout)
                .route_layer(from_fn_with_state(state.clone(), own_tokens_only))
                .route_layer(from_fn_with_state((state.clone(), Endpoint::Logout), track)),
        )
}

/// The answer to a login (`with_user_id`) or a refresh (without).
fn token_response(pair: IssuedTokens, with_user_id: bool) -> TokenResponse {
    TokenResponse {
        success: true,
        token: pair.access_token,
        refresh_token: pair.refresh_token,
        user_id: with_user_id.then_some(pair.user_id),
        expires_in: Some(pair.expires_in),
        refresh_expires_in: Some(pair.refresh_expires_in),
    }
}

async fn login(
    State(state): State<AppState>,
    peer: Result<ConnectInfo<SocketAddr>, ExtensionRejection>,
    headers: HeaderMap,
    AppJson(request): AppJson<LoginRequest>,
) -> Result<Json<TokenResponse>, AppError> {
    // Without a peer (a router driven in-process) only the user name is limited.
    let client = peer.ok().map(|ConnectInfo(addr)| {
        client_address(addr.ip(), &headers, &state.config.trusted_proxies)
    });
    let sign_in = SignIn {
        tenant: None,
        user_name: &request.user_name,
        password: request.password,
        second_factor: None,
    };
    let pair = state.sessions.login(sign_in, client).await?;
    Ok(Json(token_response(pair, true)))
}

async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppJson(request): AppJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, AppError> {
    let refreshed = state.sessions.refresh(
        &request.refresh_token,
        Some(&request.user_id),
        idempotency_key(&headers),
    );
    let pair = counted_rotation(&state, refreshed)?;
    Ok(Json(token_response(pair, false)))
}

/// Revokes the session of the refresh token presented (RFC 7009 style): the
/// token alone is enough, so a session can end after its access token has
/// expired. A bearer sent along, valid, expired or garbage, is ignored. The
/// session's access tokens are refused from then on.
async fn logout(
    State(state): State<AppState>,
    AppJson(request): AppJson<LogoutRequest>,
) -> Result<StatusCode, AppError> {
    state
        .store
        .with(|conn| refresh_tokens::revoke_family_of(conn, &request.refresh_token))?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests;
