//! `/bff/login`, the provider's callback, `/bff/user` and `/bff/logout`.

use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use silent_refresh_contract::{BffLogout, BffUser};

use super::provider::{GrantError, pkce_challenge};
use super::refresh::refresh_at;
use super::session::{Holder, SessionDoc, Tokens, store_key};
use super::{BffError, BffState, SIGNED_OUT_PATH, cookies, same_site_call};
use crate::domain::clock::millis;
use crate::domain::random;

/// The sealing context of the login state (sessions use their store key).
const LOGIN_CONTEXT: &str = "login";

/// What a sign-in keeps while the browser is at the provider.
#[derive(Serialize, Deserialize)]
struct LoginState {
    state: String,
    nonce: String,
    verifier: String,
    return_url: String,
}

/// `/bff/login`'s query.
#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(rename = "returnUrl")]
    return_url: Option<String>,
}

/// Whether `url` is a path of this site: `/…`, and not `//host` or `/\host`
/// (which browsers take for another site), nor anything with a scheme.
pub fn is_local_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.starts_with("/\\")
        && !url.chars().any(|c| c.is_control() || c == '\\')
}

/// 256 random bits, base64url.
fn secret() -> Result<String, BffError> {
    random::token().map_err(|e| BffError::Unavailable(e.to_string()))
}

fn redirect(to: &str, cookies: &[HeaderValue]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(to) {
        headers.insert(LOCATION, location);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for cookie in cookies {
        headers.append(SET_COOKIE, cookie.clone());
    }
    response
}

/// `GET /bff/login?returnUrl=/path`: sends the browser to the provider,
/// keeping the sign-in's state in the login cookie.
pub async fn login(
    State(state): State<BffState>,
    Query(query): Query<LoginQuery>,
) -> Result<Response, BffError> {
    let return_url = query.return_url.unwrap_or_else(|| "/".to_owned());
    if !is_local_path(&return_url) {
        return Err(BffError::BadReturnUrl);
    }
    let login = LoginState {
        state: secret()?,
        nonce: secret()?,
        verifier: secret()?,
        return_url,
    };
    let url = state
        .bff
        .provider
        .authorization_url(&login.state, &login.nonce, &pkce_challenge(&login.verifier))
        .await
        .map_err(|e| BffError::Unavailable(e.to_string()))?;
    let json = serde_json::to_string(&login).map_err(|e| BffError::Unavailable(e.to_string()))?;
    let sealed = state
        .bff
        .sealer
        .seal(&json, LOGIN_CONTEXT)
        .map_err(|e| BffError::Unavailable(e.to_string()))?;
    Ok(redirect(&url, &[cookies::login(&sealed)]))
}

/// The provider's answer on the callback.
#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a sign-in failed, as the login page is told (`?bffError=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SignInFailure {
    /// No login state, or another one: too slow, another browser, or a
    /// forged callback.
    State,
    /// The user (or the provider) declined.
    Denied,
    /// The provider answered with an error or a bad token.
    Provider,
    /// The provider or the session store could not be reached.
    Unavailable,
}

impl SignInFailure {
    fn code(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Denied => "denied",
            Self::Provider => "provider",
            Self::Unavailable => "unavailable",
        }
    }
}

/// `GET /bff/callback`: the code exchanged, a new session (a new id, the
/// old session of this browser, if any, deleted), then back to the page
/// the sign-in started from; a failure goes to the login page, which says
/// why.
pub async fn callback(
    State(state): State<BffState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let clear_login = cookies::clear(cookies::LOGIN);
    match sign_in(&state, &headers, query).await {
        Ok((session_cookie, return_url)) => redirect(&return_url, &[clear_login, session_cookie]),
        Err(failure) => {
            tracing::info!(?failure, "a BFF sign-in failed");
            let to = format!("{SIGNED_OUT_PATH}?bffError={}", failure.code());
            redirect(&to, &[clear_login])
        }
    }
}

async fn sign_in(
    state: &BffState,
    headers: &HeaderMap,
    query: CallbackQuery,
) -> Result<(HeaderValue, String), SignInFailure> {
    let bff = &state.bff;
    let login: LoginState = cookies::read(headers, cookies::LOGIN)
        .and_then(|sealed| bff.sealer.open(&sealed, LOGIN_CONTEXT).ok())
        .and_then(|json| serde_json::from_str(&json).ok())
        .ok_or(SignInFailure::State)?;
    if query.state.as_deref() != Some(login.state.as_str()) {
        return Err(SignInFailure::State);
    }
    if let Some(error) = query.error {
        return Err(if error == "access_denied" {
            SignInFailure::Denied
        } else {
            SignInFailure::Provider
        });
    }
    let code = query.code.ok_or(SignInFailure::Provider)?;
    let answer = bff
        .provider
        .exchange_code(&code, &login.verifier)
        .await
        .map_err(|error| match error {
            GrantError::Refused(_) => SignInFailure::Provider,
            GrantError::Unavailable(_) => SignInFailure::Unavailable,
        })?;
    let now = bff.clock.now_ms();
    let claims = answer
        .id_token
        .as_deref()
        .and_then(|token| bff.provider.id_claims(token, &login.nonce, now / 1000))
        .ok_or(SignInFailure::Provider)?;
    let refresh_token = answer.refresh_token.ok_or(SignInFailure::Provider)?;
    let user = bff
        .tokens
        .verify(&answer.access_token)
        .await
        .map_err(|_| SignInFailure::Provider)?;
    let expires_in = answer.expires_in.unwrap_or(60);
    let session_ttl = answer
        .refresh_expires_in
        .map_or(bff.settings.session_ttl, Duration::from_secs);
    let holder = Holder {
        subject: claims.sub.clone(),
        name: claims.name.or(user.name).or(claims.preferred_username),
        roles: user.roles,
        started_at_ms: now,
        access_expires_at_ms: now + expires_in * 1000,
        refresh_at_ms: refresh_at(now, expires_in),
        expires_at_ms: now + millis(session_ttl),
    };
    let tokens = Tokens {
        access_token: answer.access_token,
        refresh_token,
        id_token: answer.id_token,
    };
    let id = random::token().map_err(|_| SignInFailure::Unavailable)?;
    let key = store_key(&id);
    let doc = SessionDoc::seal(holder, &tokens, &bff.sealer, &key)
        .map_err(|_| SignInFailure::Unavailable)?;
    let json = serde_json::to_string(&doc).map_err(|_| SignInFailure::Unavailable)?;
    bff.store
        .create(&key, &json, session_ttl)
        .await
        .map_err(|_| SignInFailure::Unavailable)?;
    // A session this browser had before is over: the new one has a new
    // id, so an id planted before the sign-in is worth nothing.
    if let Some(old) = cookies::read(headers, cookies::SESSION) {
        let _ = bff.store.delete(&store_key(&old)).await;
    }
    Ok((cookies::session(&id, session_ttl), login.return_url))
}

/// The session id the request's cookie holds.
fn session_id(headers: &HeaderMap) -> Result<String, BffError> {
    cookies::read(headers, cookies::SESSION)
        .filter(|id| !id.is_empty())
        .ok_or(BffError::SignedOut)
}

/// `GET /bff/user`: who is signed in, their roles, and when the session
/// and its access token end; `401` when nobody is.
pub async fn user(
    State(state): State<BffState>,
    headers: HeaderMap,
) -> Result<Json<BffUser>, BffError> {
    same_site_call(&headers, &state.bff.settings.origin)?;
    let key = store_key(&session_id(&headers)?);
    let session = state.bff.load(&key).await?;
    let doc = session.doc;
    Ok(Json(BffUser {
        is_authenticated: true,
        sub: doc.holder.subject,
        name: doc.holder.name,
        roles: doc.holder.roles,
        session_started_at: doc.holder.started_at_ms,
        session_expires_at: doc.holder.expires_at_ms,
        access_token_expires_at: doc.holder.access_expires_at_ms,
    }))
}

/// `POST /bff/logout`: the session deleted, its refresh token revoked at
/// the provider, the cookie cleared; the answer names the provider's
/// end-session URL when it has one. Signed out already: the same answer.
pub async fn logout(
    State(state): State<BffState>,
    headers: HeaderMap,
) -> Result<Response, BffError> {
    same_site_call(&headers, &state.bff.settings.origin)?;
    let bff = &state.bff;
    let mut answer = BffLogout::default();
    if let Ok(id) = session_id(&headers) {
        let key = store_key(&id);
        match bff.load(&key).await {
            Ok(session) => {
                bff.store.delete(&key).await?;
                match bff.provider.revoke(&session.tokens.refresh_token).await {
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "the provider did not revoke"),
                }
                let back = format!("{}{SIGNED_OUT_PATH}", bff.settings.origin);
                answer.end_session_url = bff
                    .provider
                    .end_session_url(session.tokens.id_token.as_deref(), &back)
                    .await
                    .unwrap_or_default();
            }
            Err(BffError::SignedOut) => {}
            Err(error) => return Err(error),
        }
    }
    let mut response = Json(answer).into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, cookies::clear(cookies::SESSION));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_return_urls() {
        for good in ["/", "/dashboard", "/reports?page=2#top"] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "dashboard",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
