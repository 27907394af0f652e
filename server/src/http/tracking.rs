//! Counting calls and injecting faults (the test controls' effects), and
//! the marker that has the connection loop drop a connection unanswered.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use silent_refresh_contract::test_controls::Endpoint;

use crate::http::AppError;
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
    let Some(fault) = state.controls.record_call(endpoint) else {
        return next.run(request).await;
    };
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    if fault.drop {
        // Seen only where the connection loop of `serve` is not in use.
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(DropConnection);
        return response;
    }
    match fault.status {
        Some(status) => AppError::InjectedFault(status).into_response(),
        None => next.run(request).await,
    }
}
