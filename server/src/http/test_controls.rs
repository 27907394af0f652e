//! `/api/_test/…`: call counts, injected faults and forced token expiry,
//! mounted only with `--test-controls`.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use silent_refresh_contract::ValidationError;
use silent_refresh_contract::paths::test_controls as paths;
use silent_refresh_contract::test_controls::{
    FaultRequest, LoggedRequest, RequestLog, Stats, TwoFactorCode, UserRequest,
};

use crate::controls::Fault;
use crate::domain::{refresh_tokens, two_factor, users};
use crate::http::AppError;
use crate::http::TENANT_HEADER;
use crate::http::extract::AppJson;
use crate::state::AppState;

/// The test control routes, at [`paths`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STATS, get(stats))
        .route(paths::STATS_RESET, post(reset_stats))
        .route(paths::FAULTS, post(set_fault).delete(clear_faults))
        .route(paths::EXPIRE_ACCESS_TOKENS, post(expire_access_tokens))
        .route(paths::REVOKE_REFRESH_TOKENS, post(revoke_refresh_tokens))
        .route(paths::TWO_FACTOR_CODE, post(two_factor_code))
        .route(paths::REQUESTS, get(requests))
}

/// Middleware: logs every call but the test controls' own, with the
/// headers ABP's clients send, so a test can check that every call of the
/// app carried them.
pub async fn log_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/_test") {
        let headers = request.headers();
        state.controls.log_request(LoggedRequest {
            method: request.method().to_string(),
            path: path.to_owned(),
            tenant: header(headers, TENANT_HEADER),
            accept_language: header(headers, ACCEPT_LANGUAGE.as_str()),
            requested_with: header(headers, "x-requested-with"),
            bearer: header(headers, AUTHORIZATION.as_str())
                .is_some_and(|value| value.starts_with("Bearer ")),
        });
    }
    next.run(request).await
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

async fn requests(State(state): State<AppState>) -> Json<RequestLog> {
    Json(RequestLog {
        requests: state.controls.requests(),
    })
}

/// The code the authenticator app of a user with two factors shows now.
async fn two_factor_code(
    State(state): State<AppState>,
    AppJson(request): AppJson<UserRequest>,
) -> Result<Json<TwoFactorCode>, AppError> {
    let key = state
        .store
        .with(|conn| users::two_factor_key(conn, &request.user_name))?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no user named '{}' who signs in with two factors.",
                request.user_name
            ))
        })?;
    Ok(Json(TwoFactorCode {
        code: two_factor::code_at(&key, state.clock.now_ms()),
    }))
}

async fn stats(State(state): State<AppState>) -> Json<Stats> {
    Json(state.controls.stats())
}

async fn reset_stats(State(state): State<AppState>) -> StatusCode {
    state.controls.reset_calls();
    StatusCode::NO_CONTENT
}

/// The longest delay a fault may ask for: the end-to-end tests hold calls
/// for up to 2 s; without a bound one request could hang the next call for
/// good.
pub const MAX_FAULT_DELAY_MS: u64 = 10_000;
/// The most calls one fault may cover (the end-to-end tests use up to 100).
pub const MAX_FAULT_COUNT: u32 = 1_000;

async fn set_fault(
    State(state): State<AppState>,
    AppJson(request): AppJson<FaultRequest>,
) -> Result<StatusCode, AppError> {
    let mut out_of_bounds = Vec::new();
    for (delay, name) in [
        (request.delay_ms, "delayMs"),
        (request.delay_answer_ms, "delayAnswerMs"),
    ] {
        if delay > MAX_FAULT_DELAY_MS {
            out_of_bounds.push(ValidationError {
                message: format!("{name} can be at most {MAX_FAULT_DELAY_MS}."),
                members: vec![name.into()],
            });
        }
    }
    if request.count > MAX_FAULT_COUNT {
        out_of_bounds.push(ValidationError {
            message: format!("count can be at most {MAX_FAULT_COUNT}."),
            members: vec!["count".into()],
        });
    }
    if !out_of_bounds.is_empty() {
        return Err(AppError::Validation(out_of_bounds));
    }
    let status = request
        .status
        .map(|code| {
            StatusCode::from_u16(code)
                .ok()
                .filter(|status| status.is_client_error() || status.is_server_error())
                .ok_or_else(|| {
                    AppError::Validation(vec![ValidationError {
                        message: format!("{code} is not a 4xx or 5xx status."),
                        members: vec!["status".into()],
                    }])
                })
        })
        .transpose()?;
    let fault = Fault {
        delay: Duration::from_millis(request.delay_ms),
        drop: request.drop,
        status,
        answer_delay: Duration::from_millis(request.delay_answer_ms),
        drop_answer: request.drop_answer,
    };
    state
        .controls
        .set_fault(request.endpoint, request.count, fault);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.controls.clear_faults();
    StatusCode::NO_CONTENT
}

/// Our tokens: the user's serial cut-off. With `--oidc-issuer`: a cut-off
/// at this second for the name, matched against the tokens'
/// `preferred_username` or `sub` (see [`crate::controls::Controls::cut_off`]);
/// the provider's users are not known here, so any name is accepted.
async fn expire_access_tokens(
    State(state): State<AppState>,
    AppJson(request): AppJson<UserRequest>,
) -> Result<StatusCode, AppError> {
    if state.provider.is_some() {
        state
            .controls
            .cut_off(&request.user_name, state.clock.now_ms());
        return Ok(StatusCode::NO_CONTENT);
    }
    for_user(&state, &request.user_name, users::expire_access_tokens)
}

/// With `--oidc-issuer` the refresh tokens are the provider's:
/// [`AppError::ManagedByProvider`].
async fn revoke_refresh_tokens(
    State(state): State<AppState>,
    AppJson(request): AppJson<UserRequest>,
) -> Result<StatusCode, AppError> {
    if let Some(provider) = &state.provider {
        return Err(AppError::ManagedByProvider(provider.issuer().to_owned()));
    }
    for_user(&state, &request.user_name, refresh_tokens::revoke_all)
}

/// Runs `action` with the id of the user called `user_name`; `404` if none.
fn for_user(
    state: &AppState,
    user_name: &str,
    action: fn(&rusqlite::Connection, &str) -> rusqlite::Result<()>,
) -> Result<StatusCode, AppError> {
    state.store.with(|conn| {
        let id = users::id_by_name(conn, user_name)?
            .ok_or_else(|| AppError::NotFound(format!("There is no user named '{user_name}'.")))?;
        action(conn, &id)?;
        Ok(StatusCode::NO_CONTENT)
    })
}

#[cfg(test)]
mod tests;
