//! The one error type of the HTTP boundary and its wire shapes.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use silent_refresh_contract::{ErrorInfo, ErrorResponse, OAuthError, ValidationError};

use crate::domain::policy::Policy;
use crate::domain::refresh_tokens::Rejection;
use crate::domain::sessions::{AuthError, MAX_USER_NAME_CHARS};
use crate::domain::users::RolesUpdateError;

/// ABP's code of an authorization failure (`AbpAuthorizationErrorCodes`):
/// a policy the caller's roles do not grant.
pub const FORBIDDEN_CODE: &str = "Volo.Authorization:010001";

/// Everything a request can fail with. Rendered as ABP's error shape
/// `{"error":{"code","message","details":null,"validationErrors"}}`, except
/// [`AppError::InvalidGrant`] (adds `"success":false`) and [`AppError::OAuth`]
/// (RFC 6749 §5.2). Internal causes are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No bearer token on a protected endpoint: `401`.
    #[error("authentication required")]
    Unauthenticated,
    /// The bearer token is invalid, expired or revoked: `401` with `invalid_token`.
    #[error("invalid access token: {0}")]
    InvalidToken(String),
    /// Wrong user name or password: `401`.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed logins: `429` with `Retry-After`.
    #[error("too many failed logins; retry after {retry_after} s")]
    TooManyAttempts {
        /// Seconds until the next attempt can succeed.
        retry_after: u64,
    },
    /// Too many successful logins: `429` with `Retry-After`.
    #[error("too many logins; retry after {retry_after} s")]
    TooManyLogins {
        /// Seconds until the next login can succeed.
        retry_after: u64,
    },
    /// The user's roles do not grant the policy: `403`.
    #[error("policy {0} not granted")]
    Forbidden(Policy),
    /// `404` with this message.
    #[error("{0}")]
    NotFound(String),
    /// An unreadable request (bad JSON, wrong content type, too large, missing
    /// fields) with its status and code.
    #[error("{message}")]
    BadRequest {
        /// 400, 413 or 415.
        status: StatusCode,
        /// The ABP error code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A readable request with invalid values: `400` `validation_error`.
    #[error("invalid request: {0:?}")]
    Validation(Vec<ValidationError>),
    /// Taking the admin role from the last admin: `400` `last_admin`.
    #[error("the last admin cannot lose the admin role")]
    LastAdmin,
    /// What this server does only with its own tokens (login, refresh,
    /// logout, the users and their roles) while the identity provider at
    /// this issuer URL does it (`--oidc-issuer`): `400`
    /// `managed_by_identity_provider`.
    #[error("managed by the identity provider {0}")]
    ManagedByProvider(String),
    /// The path exists but not with this method: `405`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A refresh token was refused: `400` `invalid_grant` with `"success":false`.
    #[error(transparent)]
    InvalidGrant(Rejection),
    /// An OAuth2 token endpoint error: `400 {"error","error_description",…}`.
    #[error("oauth2 {}", .0.error)]
    OAuth(OAuthError),
    /// A client id the token endpoint does not know (`--client-id`):
    /// `401 invalid_client`, as OpenIddict answers.
    #[error("unknown client id")]
    InvalidClient,
    /// The password was right, but the account signs in with a second
    /// factor, which the seed login cannot take: `401`
    /// `requires_two_factor`.
    #[error("two-factor sign-in required")]
    TwoFactorRequired,
    /// A call without a bearer and without `X-Requested-With` to a server
    /// started with `--login-redirect`: `302` to the login page, as a
    /// cookie-default ASP.NET Core host answers.
    #[error("redirected to the login page")]
    LoginRedirect(String),
    /// A fault injected through the test controls, with its status.
    #[error("injected fault {0}")]
    InjectedFault(StatusCode),
    /// Anything the client cannot fix: `500`, details only in the log.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated
            | AppError::InvalidToken(_)
            | AppError::InvalidCredentials
            | AppError::InvalidClient
            | AppError::TwoFactorRequired => StatusCode::UNAUTHORIZED,
            AppError::LoginRedirect(_) => StatusCode::FOUND,
            AppError::TooManyAttempts { .. } | AppError::TooManyLogins { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest { status, .. } | AppError::InjectedFault(status) => *status,
            AppError::Validation(_)
            | AppError::LastAdmin
            | AppError::ManagedByProvider(_)
            | AppError::InvalidGrant(_)
            | AppError::OAuth { .. } => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthorized",
            AppError::InvalidToken(_) => "invalid_token",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::TooManyLogins { .. } => "too_many_logins",
            AppError::Forbidden(_) => FORBIDDEN_CODE,
            AppError::InvalidClient => "invalid_client",
            AppError::TwoFactorRequired => "requires_two_factor",
            AppError::LoginRedirect(_) => "login_redirect",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest { code, .. } => code,
            AppError::Validation(_) => "validation_error",
            AppError::LastAdmin => "last_admin",
            AppError::ManagedByProvider(_) => "managed_by_identity_provider",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::InvalidGrant(_) => "invalid_grant",
            AppError::OAuth(_) => "oauth_error",
            AppError::InjectedFault(_) => "injected_fault",
            AppError::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "Authentication is required.".into(),
            AppError::InvalidToken(reason) => format!("The access token is not valid ({reason})."),
            AppError::InvalidCredentials => "Invalid username or password!".into(),
            AppError::TooManyAttempts { retry_after } => {
                format!("Too many failed login attempts. Try again in {retry_after} seconds.")
            }
            AppError::TooManyLogins { retry_after } => {
                format!("Too many logins. Try again in {retry_after} seconds.")
            }
            AppError::Forbidden(_) => "Authorization failed! Given policy has not granted.".into(),
            AppError::InvalidClient => "The specified 'client_id' is invalid.".into(),
            AppError::TwoFactorRequired => "This account signs in with a second factor: \
                 use the password grant of /connect/token, which asks for it."
                .into(),
            AppError::LoginRedirect(to) => format!("Sign in at {to}."),
            AppError::Validation(_) => "Your request is not valid!".into(),
            AppError::InjectedFault(status) => format!("Injected fault ({status})."),
            AppError::Internal(_) => "An internal error occurred.".into(),
            AppError::LastAdmin => "The last administrator cannot lose the admin role.".into(),
            AppError::ManagedByProvider(issuer) => format!(
                "Sign-in, tokens and roles are managed by the identity provider {issuer}; \
                 this server only checks its access tokens."
            ),
            AppError::MethodNotAllowed => "This method is not allowed here.".into(),
            AppError::NotFound(message) | AppError::BadRequest { message, .. } => message.clone(),
            AppError::OAuth(error) => error.error_description.clone().unwrap_or_default(),
            AppError::InvalidGrant(rejection) => rejection.to_string(),
        }
    }

    /// ABP's error document for this error; a refused refresh adds
    /// `"success":false`.
    fn into_body(self) -> ErrorResponse {
        let success = matches!(self, AppError::InvalidGrant(_)).then_some(false);
        let code = self.code().to_owned();
        let message = self.message();
        let validation_errors = match self {
            AppError::Validation(errors) => Some(errors),
            _ => None,
        };
        ErrorResponse {
            success,
            error: ErrorInfo {
                code: Some(code),
                message: Some(message),
                details: None,
                validation_errors,
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = %cause, "internal error");
        }
        let challenge = match &self {
            AppError::Unauthenticated => Some(HeaderValue::from_static("Bearer")),
            AppError::InvalidToken(_) => {
                Some(HeaderValue::from_static(r#"Bearer error="invalid_token""#))
            }
            _ => None,
        };
        let retry_after = match &self {
            AppError::TooManyAttempts { retry_after } | AppError::TooManyLogins { retry_after } => {
                Some(*retry_after)
            }
            _ => None,
        };
        let status = self.status();
        let mut response = match self {
            AppError::OAuth(error) => (status, Json(error)).into_response(),
            AppError::InvalidClient => (
                status,
                Json(OAuthError {
                    error_uri: Some("https://documentation.openiddict.com/errors/ID2052".into()),
                    ..OAuthError::new("invalid_client", "The specified 'client_id' is invalid.")
                }),
            )
                .into_response(),
            AppError::LoginRedirect(to) => {
                let mut response = StatusCode::FOUND.into_response();
                if let Ok(location) = HeaderValue::try_from(to) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                return response;
            }
            abp => {
                let mut response = (status, Json(abp.into_body())).into_response();
                // What ABP's clients look for to read the body as its error.
                response
                    .headers_mut()
                    .insert("_abperrorformat", HeaderValue::from_static("true"));
                response
            }
        };
        let headers = response.headers_mut();
        if let Some(challenge) = challenge {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(retry_after) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::JsonDataError(_) => (StatusCode::BAD_REQUEST, "validation_error"),
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            }
            _ => (StatusCode::BAD_REQUEST, "bad_request"),
        };
        AppError::BadRequest {
            status,
            code,
            message: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: rejection.body_text(),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::UserNameTooLong => AppError::Validation(vec![ValidationError {
                message: format!(
                    "The user name can be at most {MAX_USER_NAME_CHARS} characters long."
                ),
                members: vec!["userName".into()],
            }]),
            AuthError::TooManyAttempts { retry_after } => AppError::TooManyAttempts { retry_after },
            AuthError::TooManyLogins { retry_after } => AppError::TooManyLogins { retry_after },
            AuthError::InvalidCredentials | AuthError::InvalidTwoFactorCode => {
                AppError::InvalidCredentials
            }
            AuthError::RequiresTwoFactor { .. } => AppError::TwoFactorRequired,
            AuthError::Rejected(rejection) => AppError::InvalidGrant(rejection),
            AuthError::InvalidToken(reason) => AppError::InvalidToken(reason.to_string()),
            internal @ (AuthError::Db(_)
            | AuthError::Random(_)
            | AuthError::Sign(_)
            | AuthError::Seal
            | AuthError::PasswordCheck(_)
            | AuthError::Slots(_)) => AppError::Internal(Box::new(internal)),
        }
    }
}

impl From<RolesUpdateError> for AppError {
    fn from(error: RolesUpdateError) -> Self {
        match error {
            RolesUpdateError::UnknownUser => {
                AppError::NotFound("There is no user with this id.".into())
            }
            RolesUpdateError::UnknownRoles(roles) => AppError::Validation(
                roles
                    .into_iter()
                    .map(|role| ValidationError {
                        message: format!("There is no role named '{role}'."),
                        members: vec!["roleNames".into()],
                    })
                    .collect(),
            ),
            RolesUpdateError::LastAdmin => AppError::LastAdmin,
            RolesUpdateError::Db(cause) => cause.into(),
        }
    }
}

/// Causes the client cannot fix.
macro_rules! internal_from {
    ($($cause:ty),+) => {$(
        impl From<$cause> for AppError {
            fn from(cause: $cause) -> Self {
                AppError::Internal(Box::new(cause))
            }
        }
    )+};
}

internal_from!(rusqlite::Error, getrandom::Error);
