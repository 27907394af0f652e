//! The BFF's two cookies. The session cookie holds only the session id:
//! `__Host-` (so it is `Secure`, `Path=/` and has no `Domain`: no sibling
//! host can set or read it), `HttpOnly` (no script reads it) and
//! `SameSite=Strict` (no other site's page sends it). The login cookie
//! carries the sign-in's state, nonce and PKCE verifier, sealed, for ten
//! minutes; it is `SameSite=Lax`, because it must come back with the
//! provider's redirect, a navigation from another site, which a `Strict`
//! cookie would miss (the session cookie is set only on that redirect's
//! answer and never needed to arrive with it).

use std::time::Duration;

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};

/// The session cookie's name.
pub const SESSION: &str = "__Host-bff-session";
/// The login cookie's name.
pub const LOGIN: &str = "__Host-bff-login";
/// How long a sign-in may take at the provider.
pub const LOGIN_TTL: Duration = Duration::from_secs(600);

/// The value of the cookie `name` the request carries, if any.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// `Set-Cookie` for the session `id`, kept for `max_age`.
pub fn session(id: &str, max_age: Duration) -> HeaderValue {
    set(SESSION, id, "Strict", max_age)
}

/// `Set-Cookie` for the sealed login state.
pub fn login(sealed: &str) -> HeaderValue {
    set(LOGIN, sealed, "Lax", LOGIN_TTL)
}

/// `Set-Cookie` that deletes the cookie `name`.
pub fn clear(name: &str) -> HeaderValue {
    let same_site = if name == LOGIN { "Lax" } else { "Strict" };
    set(name, "", same_site, Duration::ZERO)
}

fn set(name: &str, value: &str, same_site: &str, max_age: Duration) -> HeaderValue {
    let cookie = format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite={same_site}; Max-Age={}",
        max_age.as_secs()
    );
    // Names are constants; values are base64url: always a valid header.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_host_only_secure_http_only_and_strict() {
        let cookie = session("abc", Duration::from_secs(3600));
        assert_eq!(
            cookie.to_str().ok(),
            Some("__Host-bff-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600")
        );
        let login = login("sealed");
        assert!(
            login
                .to_str()
                .is_ok_and(|c| c.contains("SameSite=Lax") && c.contains("Max-Age=600"))
        );
        assert!(
            clear(SESSION)
                .to_str()
                .is_ok_and(|c| c.ends_with("Max-Age=0"))
        );
    }

    #[test]
    fn a_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; __Host-bff-session=xyz"),
        );
        headers.append(COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(read(&headers, SESSION).as_deref(), Some("xyz"));
        assert_eq!(read(&headers, LOGIN), None);
    }
}
