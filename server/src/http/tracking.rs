//! Counting calls and injecting faults (the test controls' effects), and
//! the marker that has the connection loop drop a connection unanswered.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use silent_refresh_contract::test_controls::Endpoint;

use crate::http::{AppError, BODY_LIMIT};
use crate::state::AppState;

/// Marker in a response's extensions: the connection loop
/// ([`crate::serve::serve`]) closes the connection instead of sending the
/// response.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

/// Middleware: counts the call, then applies a pending fault: the delay,
/// then a dropped connection, an error status, or normal handling.
pub async fn track(
    State((state, endpoint)): State<(AppState, Endpoint)>,
    request: Request,
    next: Next,
) -> Response {
    counted(&state, endpoint, request, next).await
}

/// Middleware for the token endpoint, whose grant decides what the call
/// is: a password grant counts as [`Endpoint::Login`], any other as
/// [`Endpoint::Refresh`]. The form is read (it is small: the body limit
/// holds) and handed on unchanged.
pub async fn track_token_grant(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return AppError::BadRequest {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "payload_too_large",
                message: format!("The request body is larger than {BODY_LIMIT} bytes."),
            }
            .into_response();
        }
    };
    let password = form_urlencoded::parse(&bytes)
        .any(|(name, value)| name == "grant_type" && value == "password");
    let endpoint = if password {
        Endpoint::Login
    } else {
        Endpoint::Refresh
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    counted(&state, endpoint, request, next).await
}

/// Counts a call of `endpoint`, then applies its pending fault: before the
/// handler (a delay, then a dropped connection or an error status), and
/// after it, once its work is committed (a delayed answer, or none at all).
async fn counted(state: &AppState, endpoint: Endpoint, request: Request, next: Next) -> Response {
    let Some(fault) = state.controls.record_call(endpoint) else {
        return next.run(request).await;
    };
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    if fault.drop {
        return dropped();
    }
    let response = match fault.status {
        Some(status) => AppError::InjectedFault(status).into_response(),
        None => next.run(request).await,
    };
    if !fault.answer_delay.is_zero() {
        tokio::time::sleep(fault.answer_delay).await;
    }
    if fault.drop_answer {
        return dropped();
    }
    response
}

/// A response the connection loop does not send: it closes the connection
/// instead. (Seen only where the connection loop of `serve` is not in
/// use.)
fn dropped() -> Response {
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(DropConnection);
    response
}
