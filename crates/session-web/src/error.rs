//! The one error type of the API boundary.

use silent_refresh_core::{RefreshError, Unauthorized};
use silent_refresh_protocol::ErrorResponse;

/// Everything that can go wrong with an API call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (connection refused, dropped, offline).
    #[error("network error: {0}")]
    Network(String),
    /// No answer within the client's timeout; the request was aborted.
    #[error("the server did not answer in time")]
    Timeout,
    /// The server answered with a non-success status; `message` is the
    /// server's own (ABP error shape) when it sent one.
    #[error("{message}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The ABP error code, e.g. `invalid_credentials`.
        code: Option<String>,
        /// A message fit to show the user.
        message: String,
    },
    /// A success status with a body that is not what the contract says.
    #[error("the server sent a response that could not be read: {0}")]
    Decode(String),
    /// The refresh token was refused: the user has to log in again.
    #[error("the session has expired, please log in again")]
    SessionExpired,
    /// The token could not be refreshed right now; the session is kept.
    #[error("the service is temporarily unavailable: {0}")]
    Unavailable(String),
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error a non-success response stands for: the server's ABP error
    /// message when the body has one, otherwise a generic one for the status.
    pub fn from_status(status: u16, body: &str) -> Self {
        let (code, message) = match serde_json::from_str::<ErrorResponse>(body) {
            Ok(ErrorResponse { error, .. }) => (error.code, error.message),
            Err(_) => (None, None),
        };
        let message = message
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| format!("the server answered with status {status}"));
        Self::Http {
            status,
            code,
            message,
        }
    }
}

impl Unauthorized for ApiError {
    fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }
}

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::Rejected => Self::SessionExpired,
            RefreshError::Unavailable(reason) => Self::Unavailable(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abp_error_bodies_give_the_server_message_and_code() {
        let body = r#"{"error":{"code":"invalid_credentials","message":"Invalid username or password!","details":null,"validationErrors":null}}"#;
        assert_eq!(
            ApiError::from_status(401, body),
            ApiError::Http {
                status: 401,
                code: Some("invalid_credentials".into()),
                message: "Invalid username or password!".into()
            }
        );
    }

    #[test]
    fn bodies_that_are_not_abp_errors_get_a_generic_message() {
        for body in [
            "",
            "<html>Bad Gateway</html>",
            "{\"error\":",
            "[1,2]",
            r#"{"error":{"message":"  "}}"#,
        ] {
            assert_eq!(
                ApiError::from_status(502, body),
                ApiError::Http {
                    status: 502,
                    code: None,
                    message: "the server answered with status 502".into()
                },
                "{body}"
            );
        }
    }

    #[test]
    fn only_401_counts_as_unauthorized() {
        assert!(ApiError::from_status(401, "").is_unauthorized());
        for other in [
            ApiError::from_status(403, ""),
            ApiError::Timeout,
            ApiError::SessionExpired,
        ] {
            assert!(!other.is_unauthorized(), "{other:?}");
        }
    }

    #[test]
    fn refresh_failures_map_to_session_expired_or_unavailable() {
        assert_eq!(
            ApiError::from(RefreshError::Rejected),
            ApiError::SessionExpired
        );
        assert_eq!(
            ApiError::from(RefreshError::Unavailable("503".into())),
            ApiError::Unavailable("503".into())
        );
    }
}
