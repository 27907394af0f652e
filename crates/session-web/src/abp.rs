//! Signing in to an ABP server as ABP's own clients do: OpenIddict's
//! password grant at `/connect/token` below the API base (`username`,
//! `password`, `client_id`, `scope`; the tenant in `__tenant`), its second
//! step for a user with two factors (`TwoFactorProvider`, `TwoFactorCode`),
//! and revocation at the endpoint its discovery document names. The refresh
//! is [`crate::TokenRefresher::abp`].
//!
//! Its answers are read as ABP sends them: a refusal's `error_description`
//! is the server's own words (shown as they are, in the language the
//! server chose for the `Accept-Language` it was sent), `RequiresTwoFactor`
//! asks for the second step, `invalid_client` is a configuration error, not
//! a session that ended. The host tests read real answers of ABP servers
//! (`fixtures/abp/PROVENANCE.md`).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use silent_refresh_protocol::{OAuth2TokenResponse, OAuthError, paths};

use crate::{
    Session,
    oauth2::{TokenEndpointError, token_endpoint_answer},
    transport::{Body, Method, Request, Response, Transport, form_encode},
};

/// The header ABP's clients name the tenant in (its id).
pub const TENANT_HEADER: &str = "__tenant";

/// The two-factor provider of an authenticator app, as ABP names it.
pub const AUTHENTICATOR: &str = "Authenticator";

/// How the app is registered at the ABP server's OpenIddict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbpSettings {
    /// The public client's id (`ABP_CLIENT_ID`).
    pub client_id: String,
    /// The scopes asked for, space-separated (`ABP_SCOPES`); with
    /// `offline_access`, or no refresh token comes.
    pub scopes: String,
}

/// One password sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordSignIn<'a> {
    /// The login name (or e-mail address).
    pub user_name: &'a str,
    /// The password.
    pub password: &'a str,
    /// The tenant's id (from the tenant lookup); `None`: the host.
    pub tenant: Option<&'a str>,
    /// The authenticator code, for the second step of a user with two
    /// factors.
    pub two_factor_code: Option<&'a str>,
}

/// Why a password sign-in gave no session.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignInFailure {
    /// The server refused, in its own words (`error_description`, else the
    /// OAuth error code).
    #[error("{0}")]
    Refused(String),
    /// The password was right; the user signs in with a second factor: ask
    /// for the code and sign in again with it.
    #[error("a second factor is needed")]
    TwoFactorRequired,
    /// The server does not know the app's client id: the deployment is
    /// misconfigured (`ABP_CLIENT_ID`, or the client at the server).
    #[error("the server does not accept the client id {0}")]
    InvalidClient(String),
    /// The server gave tokens but no refresh token (the client may not
    /// have `offline_access`): the session could not be kept alive.
    #[error("the server gave no refresh token (is offline_access among the client's scopes?)")]
    NoRefreshToken,
    /// The answer names no user (an access token that is not a JWT with
    /// `sub`).
    #[error("the sign-in answer names no user")]
    NoSubject,
    /// No answer from the server (network, timeout, 5xx, 429, a body that
    /// cannot be read): try again later.
    #[error("the server cannot be reached right now: {0}")]
    Unavailable(String),
}

/// Signs in with the password grant at the ABP server behind `transport`
/// and returns the session, received at `now_ms`, for the shared record:
/// its subject is the access token's `sub`, its tenant the one signed in
/// to.
pub async fn sign_in(
    transport: &Transport,
    settings: &AbpSettings,
    attempt: PasswordSignIn<'_>,
    now_ms: f64,
) -> Result<Session, SignInFailure> {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", attempt.user_name),
        ("password", attempt.password),
        ("client_id", settings.client_id.as_str()),
        ("scope", settings.scopes.as_str()),
    ];
    if let Some(code) = attempt.two_factor_code {
        form.extend([
            ("TwoFactorProvider", AUTHENTICATOR),
            ("TwoFactorCode", code),
        ]);
    }
    let tenant = attempt.tenant.map(|tenant| [(TENANT_HEADER, tenant)]);
    let request = Request {
        body: Body::Form(form_encode(&form)),
        headers: tenant.as_ref().map_or(&[], |header| &header[..]),
        ..Request::new(Method::POST, paths::OAUTH2_TOKEN)
    };
    let response = transport
        .send(request)
        .await
        .map_err(|e| SignInFailure::Unavailable(e.to_string()))?;
    let answer = password_answer(&response, &settings.client_id)?;
    session_of(answer, attempt.tenant, now_ms)
}

/// Reads the token endpoint's answer to a password grant.
pub fn password_answer(
    response: &Response,
    client_id: &str,
) -> Result<OAuth2TokenResponse, SignInFailure> {
    token_endpoint_answer(response).map_err(|error| match error {
        TokenEndpointError::Unavailable(reason) => SignInFailure::Unavailable(reason),
        TokenEndpointError::Refused(refusal) => refused(refusal, client_id),
    })
}

/// What a refusal of the token endpoint means for a sign-in.
fn refused(refusal: OAuthError, client_id: &str) -> SignInFailure {
    let description = refusal
        .error_description
        .filter(|text| !text.trim().is_empty());
    match (refusal.error.as_str(), description.as_deref()) {
        (_, Some("RequiresTwoFactor")) => SignInFailure::TwoFactorRequired,
        ("invalid_client" | "unauthorized_client", _) => {
            SignInFailure::InvalidClient(client_id.to_owned())
        }
        (_, Some(text)) => SignInFailure::Refused(text.to_owned()),
        (code, None) => SignInFailure::Refused(code.to_owned()),
    }
}

/// The session a successful answer gives, its subject the access token's
/// `sub`.
fn session_of(
    answer: OAuth2TokenResponse,
    tenant: Option<&str>,
    now_ms: f64,
) -> Result<Session, SignInFailure> {
    let subject = jwt_subject(&answer.access_token).ok_or(SignInFailure::NoSubject)?;
    let refresh_token = answer
        .refresh_token
        .filter(|token| !token.is_empty())
        .ok_or(SignInFailure::NoRefreshToken)?;
    Ok(Session::new(
        answer.access_token,
        refresh_token,
        subject,
        answer.expires_in,
        now_ms,
    )
    .with_refresh_expiry(answer.refresh_expires_in)
    .with_tenant(tenant.map(str::to_owned)))
}

/// The `sub` of a JWT, read without checking the signature: the token came
/// straight from the token endpoint over the app's own connection, and the
/// API checks it on every call.
pub fn jwt_subject(token: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Claims {
        sub: String,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    Some(claims.sub).filter(|sub| !sub.is_empty())
}

/// The discovery document's revocation endpoint.
#[derive(serde::Deserialize)]
struct Discovery {
    #[serde(default)]
    revocation_endpoint: Option<String>,
}

/// Revokes `refresh_token` (RFC 7009) at the endpoint the server's
/// discovery document (`/.well-known/openid-configuration` below the API
/// base) names; `Ok(false)` when it names none.
pub async fn revoke(
    transport: &Transport,
    settings: &AbpSettings,
    refresh_token: &str,
) -> Result<bool, crate::ApiError> {
    let discovery: Discovery = transport
        .send(Request::new(Method::GET, paths::DISCOVERY))
        .await?
        .success()?
        .json()?;
    let Some(endpoint) = discovery.revocation_endpoint else {
        return Ok(false);
    };
    let form = form_encode(&[
        ("token", refresh_token),
        ("token_type_hint", "refresh_token"),
        ("client_id", &settings.client_id),
    ]);
    let request = Request {
        body: Body::Form(form),
        ..Request::new(Method::POST, &endpoint)
    };
    transport.send(request).await?.success()?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "silent-refresh-app";

    fn answer(status: u16, body: &str) -> Result<OAuth2TokenResponse, SignInFailure> {
        password_answer(&Response::new(status, body), CLIENT)
    }

    #[test]
    fn a_real_password_answer_gives_both_tokens() {
        let ok = answer(
            200,
            include_str!("../fixtures/abp/token-password.abp-10.json"),
        )
        .expect("tokens");
        assert_eq!(ok.token_type, "Bearer");
        assert_eq!(ok.expires_in, Some(3599));
        assert!(ok.refresh_token.is_some());
        let refreshed = crate::parse_oauth2_refresh(
            &Response::new(
                200,
                include_str!("../fixtures/abp/token-refresh.abp-10.json"),
            ),
            &silent_refresh_core::RefreshGrant {
                refresh_token: "old".into(),
                subject: None,
                idempotency_key: None,
            },
        )
        .expect("a refreshed pair");
        assert_eq!(refreshed.expires_in, Some(3600));
        assert_ne!(refreshed.refresh_token, "old");
    }

    #[test]
    fn real_refusals_are_the_servers_words() {
        assert_eq!(
            answer(
                400,
                include_str!("../fixtures/abp/token-error.invalid-grant.abp-is4.json")
            ),
            Err(SignInFailure::Refused(
                "Invalid username or password!".into()
            ))
        );
        assert_eq!(
            answer(
                400,
                include_str!("../fixtures/abp/token-error.inactive.abp-9.json")
            ),
            Err(SignInFailure::Refused(
                "You are not allowed to login! Your account is inactive.".into()
            ))
        );
        assert_eq!(
            answer(
                400,
                include_str!("../fixtures/abp/token-error.requires-two-factor.abp-6.json")
            ),
            Err(SignInFailure::TwoFactorRequired)
        );
        assert_eq!(
            answer(
                400,
                include_str!("../fixtures/abp/token-error.unauthorized-client.abp.json")
            ),
            Err(SignInFailure::InvalidClient(CLIENT.into()))
        );
    }

    #[test]
    fn openiddicts_invalid_client_is_a_configuration_error_and_5xx_no_answer() {
        let unknown = r#"{"error":"invalid_client","error_description":"The specified 'client_id' is invalid.","error_uri":"https://documentation.openiddict.com/errors/ID2052"}"#;
        assert_eq!(
            answer(401, unknown),
            Err(SignInFailure::InvalidClient(CLIENT.into()))
        );
        assert!(matches!(
            answer(503, ""),
            Err(SignInFailure::Unavailable(_))
        ));
        assert!(matches!(
            answer(200, "<html>a proxy's page</html>"),
            Err(SignInFailure::Unavailable(_))
        ));
        assert_eq!(
            answer(400, r#"{"error":"invalid_grant"}"#),
            Err(SignInFailure::Refused("invalid_grant".into()))
        );
    }

    #[test]
    fn the_subject_is_the_access_tokens_sub() {
        // {"alg":"none"}.{"sub":"3a1ebf81-4835","tenantid":"t1"}.
        let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIzYTFlYmY4MS00ODM1IiwidGVuYW50aWQiOiJ0MSJ9.";
        assert_eq!(jwt_subject(token).as_deref(), Some("3a1ebf81-4835"));
        for not_a_jwt in ["", "opaque-reference-token", "a.b.c", "a.e30.c"] {
            assert_eq!(jwt_subject(not_a_jwt), None, "{not_a_jwt}");
        }
        let answer = OAuth2TokenResponse {
            access_token: token.into(),
            refresh_token: Some("r".into()),
            expires_in: Some(300),
            ..OAuth2TokenResponse::default()
        };
        let session = session_of(answer.clone(), Some("t1"), 1_000.0).expect("a session");
        assert_eq!(session.subject, "3a1ebf81-4835");
        assert_eq!(session.tenant.as_deref(), Some("t1"));
        assert_eq!(session.expires_at_ms, Some(301_000.0));
        let without_refresh = OAuth2TokenResponse {
            refresh_token: None,
            ..answer
        };
        assert_eq!(
            session_of(without_refresh, None, 0.0),
            Err(SignInFailure::NoRefreshToken)
        );
    }
}
