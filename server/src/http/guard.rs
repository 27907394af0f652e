//! Routes that need a policy: the guard runs before the handler, so handlers
//! behind it need not check anything.

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::domain::policy::Policy;
use crate::http::AppError;
use crate::http::extract::AuthUser;
use crate::state::AppState;

/// Middleware: lets the request through only if it carries a valid access
/// token (as [`AuthUser`] demands) whose user's roles grant `policy` now;
/// else it is answered with [`AppError::Unauthenticated`],
/// [`AppError::InvalidToken`] or [`AppError::Forbidden`]. The handler finds
/// the caller's `Principal` in the request's extensions.
pub async fn require_policy(
    State((state, policy)): State<(AppState, Policy)>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    let AuthUser(principal) = AuthUser::from_request_parts(&mut parts, &state).await?;
    if !principal.has(policy) {
        return Err(AppError::Forbidden(policy));
    }
    parts.extensions.insert(principal);
    Ok(next.run(Request::from_parts(parts, body)).await)
}
