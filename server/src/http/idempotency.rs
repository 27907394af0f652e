//! The `Idempotency-Key` of a refresh (the IETF httpapi draft's header),
//! and the test controls' count of what the rotation did with it.

use axum::http::HeaderMap;

use crate::domain::refresh_tokens::Rejection;
use crate::domain::sessions::{AuthError, IssuedTokens};
use crate::state::AppState;

/// The header a client names a refresh's idempotency key in.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The request's `Idempotency-Key`: the draft writes it as a quoted string
/// (`"8e03978e-…"`), many clients bare; both read as the text inside.
pub fn idempotency_key(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(IDEMPOTENCY_KEY)?.to_str().ok()?.trim();
    let unquoted = value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value);
    Some(unquoted).filter(|key| !key.is_empty())
}

/// `refreshed`, counted for the test controls: a reuse detected, or an
/// answer given again.
pub fn counted_rotation(
    state: &AppState,
    refreshed: Result<IssuedTokens, AuthError>,
) -> Result<IssuedTokens, AuthError> {
    match &refreshed {
        Ok(issued) if issued.replayed => state.controls.record_replay(),
        Err(AuthError::Rejected(Rejection::Reused)) => state.controls.record_reuse(),
        _ => {}
    }
    refreshed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_quoted_or_bare() {
        let mut headers = HeaderMap::new();
        assert_eq!(idempotency_key(&headers), None);
        headers.insert(IDEMPOTENCY_KEY, "\"8e03978e-40d5\"".parse().unwrap());
        assert_eq!(idempotency_key(&headers), Some("8e03978e-40d5"));
        headers.insert(IDEMPOTENCY_KEY, "abc".parse().unwrap());
        assert_eq!(idempotency_key(&headers), Some("abc"));
        headers.insert(IDEMPOTENCY_KEY, "\"\"".parse().unwrap());
        assert_eq!(idempotency_key(&headers), None);
    }
}
