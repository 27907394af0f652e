//! Build-time settings, read from the environment when the app is compiled
//! (Trunk passes its environment on to cargo). Each one is parsed by a
//! `const fn`, so a bad value fails the build with a message that names the
//! variable and what it accepts, instead of being misread at run time.
//!
//! | variable | values | default |
//! |---|---|---|
//! | `REFRESH_ROLE` | `true/1/yes/on`, `false/0/no/off` (any case) | off |
//! | `ROLE_RECHECK_ON_403` | the same | on |
//! | `ROLE_RECHECK_AFTER_HIDDEN_MINUTES` | a whole number of minutes, or `off` | 5 |
//! | `ROLE_SHARE_ACROSS_TABS` | on/off as `REFRESH_ROLE` | on |
//! | `API_BASE` | empty (same origin), or an `http(s)://` URL or a `/path`, without a trailing `/` | empty |
//! | `REFRESH_MODE` | `seed` or `oauth2` | `seed` |
//! | `OAUTH2_TOKEN_URL` | the token endpoint for `oauth2` mode | `/connect/token` |
//! | `OAUTH2_CLIENT_ID` | the client id sent in `oauth2` mode | `silent-refresh-app` |
//! | `AUTH_MODE` | `seed` (the server's own login), `oidc` (an OpenID Connect provider), `abp` (an ABP server's OpenIddict) or `bff` (a Backend-for-Frontend on this origin holds the tokens) | `seed` |
//! | `OIDC_ISSUER` | the provider's issuer, an `http(s)://` URL; required with `oidc` | — |
//! | `OIDC_CLIENT_ID` | the public client's id at the provider | `silent-refresh-app` |
//! | `OIDC_SCOPES` | space-separated, with `openid` | `openid profile offline_access` |
//! | `OIDC_REDIRECT_PATH` | the callback's path in this app | `/auth/callback` |
//! | `ABP_CLIENT_ID` | the public client's id at the ABP server | `silent-refresh-app` |
//! | `ABP_SCOPES` | space-separated, with `offline_access` | `offline_access openid profile roles email phone` |
//!
//! `REFRESH_MODE` belongs to `seed` mode; with `oidc` the refresh goes to
//! the provider's discovered token endpoint, with `abp` to the server's
//! `/connect/token`, and setting it fails the build. The deployment file
//! (`crate::deployment`) may override `API_BASE`, the `OAUTH2_*`, `OIDC_*`
//! (but the redirect path) and `ABP_*` settings at run time.

/// Whether a reload re-fetches the roles and permissions before guarded
/// routes decide (the original's `VITE_REFRESH_ROLE`, without its bug of
/// treating the string `"false"` as on).
pub const REFRESH_ROLE: bool = match parse_flag(option_env!("REFRESH_ROLE")) {
    Ok(on) => on,
    Err(InvalidValue) => panic!(
        "REFRESH_ROLE must be one of true, 1, yes, on, false, 0, no, off (any case); leave it unset for off"
    ),
};

/// Whether a call answered `403` fetches the roles and permissions again by
/// itself (at most one fetch per burst of `403`s), so a revoked page's menu
/// item goes without a click.
pub const ROLE_RECHECK_ON_403: bool = match parse_flag_or(option_env!("ROLE_RECHECK_ON_403"), true)
{
    Ok(on) => on,
    Err(InvalidValue) => panic!(
        "ROLE_RECHECK_ON_403 must be one of true, 1, yes, on, false, 0, no, off (any case); leave it unset for on"
    ),
};

/// Whether roles and permissions one tab fetched reach the other tabs (they
/// take the user it stored, without fetching).
pub const ROLE_SHARE_ACROSS_TABS: bool = match parse_flag_or(
    option_env!("ROLE_SHARE_ACROSS_TABS"),
    true,
) {
    Ok(on) => on,
    Err(InvalidValue) => panic!(
        "ROLE_SHARE_ACROSS_TABS must be one of true, 1, yes, on, false, 0, no, off (any case); leave it unset for on"
    ),
};

/// After how many minutes hidden a tab that becomes visible again fetches
/// the roles and permissions again (`None`: never).
pub const ROLE_RECHECK_AFTER_HIDDEN_MINUTES: Option<u64> = match parse_minutes(option_env!(
    "ROLE_RECHECK_AFTER_HIDDEN_MINUTES"
)) {
    Ok(minutes) => minutes,
    Err(InvalidValue) => panic!(
        "ROLE_RECHECK_AFTER_HIDDEN_MINUTES must be a whole number of minutes from 1, or off; leave it unset for 5"
    ),
};

/// Prefix of every API path: empty for the app's own origin.
pub const API_BASE: &str = match option_env!("API_BASE") {
    None => "",
    Some(base) => match check_api_base(base) {
        Ok(base) => base,
        Err(InvalidValue) => panic!(
            "API_BASE must be empty, an http:// or https:// URL, or a path starting with /, and must not end with /"
        ),
    },
};

/// Which refresh protocol the app speaks.
pub const REFRESH_MODE: RefreshMode = match parse_refresh_mode(option_env!("REFRESH_MODE")) {
    Ok(mode) => mode,
    Err(InvalidValue) => {
        panic!("REFRESH_MODE must be seed or oauth2 (any case); leave it unset for seed")
    }
};

/// The token endpoint of the `oauth2` refresh mode, relative to [`API_BASE`]
/// when it starts with `/`.
pub const OAUTH2_TOKEN_URL: &str = match option_env!("OAUTH2_TOKEN_URL") {
    Some(url) => url,
    None => "/connect/token",
};

/// The `client_id` sent to the `oauth2` token endpoint.
pub const OAUTH2_CLIENT_ID: &str = match option_env!("OAUTH2_CLIENT_ID") {
    Some(id) => id,
    None => "silent-refresh-app",
};

/// How users sign in.
pub const AUTH_MODE: AuthMode = match parse_auth_mode(option_env!("AUTH_MODE")) {
    Ok(mode) => mode,
    Err(InvalidValue) => {
        panic!("AUTH_MODE must be seed, oidc, abp or bff (any case); leave it unset for seed")
    }
};

/// Whether users sign in at an identity provider (`AUTH_MODE=oidc`, or
/// `bff`, whose server signs in there): its roles are its own to manage.
pub const WITH_PROVIDER: bool = matches!(AUTH_MODE, AuthMode::Oidc | AuthMode::Bff);

const _: () = assert!(
    matches!(AUTH_MODE, AuthMode::Seed) || option_env!("REFRESH_MODE").is_none(),
    "REFRESH_MODE applies to AUTH_MODE=seed only: with oidc the app refreshes at the provider's token endpoint, with abp at the server's /connect/token, with bff the server refreshes"
);

/// The app's public client id at the ABP server (`abp` mode).
pub const ABP_CLIENT_ID: &str = match option_env!("ABP_CLIENT_ID") {
    None => "silent-refresh-app",
    Some(id) if !id.is_empty() => id,
    Some(_) => panic!("ABP_CLIENT_ID must not be empty; leave it unset for silent-refresh-app"),
};

/// The scopes the ABP sign-in asks for (`abp` mode): a team adds its API's.
pub const ABP_SCOPES: &str = match option_env!("ABP_SCOPES") {
    None => "offline_access openid profile roles email phone",
    Some(scopes) if has_word(scopes, "offline_access") => scopes,
    Some(_) => panic!(
        "ABP_SCOPES must be space-separated scopes including offline_access (without it no refresh token comes); leave it unset for offline_access openid profile roles email phone"
    ),
};

/// The OpenID Connect provider's issuer (`oidc` mode; empty otherwise).
pub const OIDC_ISSUER: &str = match (AUTH_MODE, option_env!("OIDC_ISSUER")) {
    (AuthMode::Seed | AuthMode::Abp | AuthMode::Bff, None) => "",
    (AuthMode::Oidc, None) => panic!(
        "OIDC_ISSUER is required with AUTH_MODE=oidc: the provider's issuer, an http:// or https:// URL"
    ),
    (_, Some(issuer)) => match check_url(issuer) {
        Ok(issuer) => issuer,
        Err(InvalidValue) => panic!(
            "OIDC_ISSUER must be an http:// or https:// URL without spaces, query or fragment"
        ),
    },
};

/// The app's public client id at the provider.
pub const OIDC_CLIENT_ID: &str = match option_env!("OIDC_CLIENT_ID") {
    None => "silent-refresh-app",
    Some(id) if !id.is_empty() => id,
    Some(_) => panic!("OIDC_CLIENT_ID must not be empty; leave it unset for silent-refresh-app"),
};

/// The scopes the sign-in asks for.
pub const OIDC_SCOPES: &str = match option_env!("OIDC_SCOPES") {
    None => "openid profile offline_access",
    Some(scopes) if has_word(scopes, "openid") => scopes,
    Some(_) => panic!(
        "OIDC_SCOPES must be space-separated scopes including openid; leave it unset for openid profile offline_access"
    ),
};

/// The callback's path in this app (registered at the provider as the
/// app's origin followed by this path).
pub const OIDC_REDIRECT_PATH: &str = match option_env!("OIDC_REDIRECT_PATH") {
    None => "/auth/callback",
    Some(path) => match check_redirect_path(path) {
        Ok(path) => path,
        Err(InvalidValue) => panic!(
            "OIDC_REDIRECT_PATH must be a path of this app such as /auth/callback (starting with one /, not /login)"
        ),
    },
};

/// How long an API call may take before it is aborted, in milliseconds.
pub const REQUEST_TIMEOUT_MS: u32 = 10_000;

/// A build-time setting was given a value it does not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidValue;

/// How users sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// The reference server's own login form and token endpoints.
    Seed,
    /// An OpenID Connect provider: code + PKCE, its token endpoint.
    Oidc,
    /// An ABP server: its password grant and `refresh_token` grant at
    /// `/connect/token`, its tenants and headers.
    Abp,
    /// A Backend-for-Frontend on this origin: it signs in at its provider
    /// and keeps the tokens; the browser holds its cookie.
    Bff,
}

/// The refresh protocols the app can speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshMode {
    /// `POST /api/app/account/refresh-token` with `{userId, refreshToken}`.
    Seed,
    /// RFC 6749 §6: a form POST of `grant_type=refresh_token` to a token endpoint.
    OAuth2,
}

/// Parses an on/off flag: `true/1/yes/on` and `false/0/no/off` in any case;
/// unset means off; anything else is an error.
pub const fn parse_flag(value: Option<&str>) -> Result<bool, InvalidValue> {
    parse_flag_or(value, false)
}

/// [`parse_flag`] with `unset` standing for `default`.
pub const fn parse_flag_or(value: Option<&str>, unset: bool) -> Result<bool, InvalidValue> {
    let Some(value) = value else {
        return Ok(unset);
    };
    if one_of(value, &["true", "1", "yes", "on"]) {
        Ok(true)
    } else if one_of(value, &["false", "0", "no", "off"]) {
        Ok(false)
    } else {
        Err(InvalidValue)
    }
}

/// Parses a number of minutes: unset means 5, `off` (any case) or `0`
/// means never, else a whole number from 1 to 100 000.
pub const fn parse_minutes(value: Option<&str>) -> Result<Option<u64>, InvalidValue> {
    let Some(value) = value else {
        return Ok(Some(5));
    };
    if one_of(value, &["off", "0"]) {
        return Ok(None);
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 6 {
        return Err(InvalidValue);
    }
    let mut minutes = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            return Err(InvalidValue);
        }
        minutes = minutes * 10 + (bytes[i] - b'0') as u64;
        i += 1;
    }
    if minutes == 0 || minutes > 100_000 {
        return Err(InvalidValue);
    }
    Ok(Some(minutes))
}

/// Parses `REFRESH_MODE`: `seed` (also when unset) or `oauth2`, any case.
pub const fn parse_refresh_mode(value: Option<&str>) -> Result<RefreshMode, InvalidValue> {
    match value {
        None => Ok(RefreshMode::Seed),
        Some(value) if one_of(value, &["seed"]) => Ok(RefreshMode::Seed),
        Some(value) if one_of(value, &["oauth2"]) => Ok(RefreshMode::OAuth2),
        Some(_) => Err(InvalidValue),
    }
}

/// Parses `AUTH_MODE`: `seed` (also when unset), `oidc`, `abp` or `bff`, any case.
pub const fn parse_auth_mode(value: Option<&str>) -> Result<AuthMode, InvalidValue> {
    match value {
        None => Ok(AuthMode::Seed),
        Some(value) if one_of(value, &["seed"]) => Ok(AuthMode::Seed),
        Some(value) if one_of(value, &["oidc"]) => Ok(AuthMode::Oidc),
        Some(value) if one_of(value, &["abp"]) => Ok(AuthMode::Abp),
        Some(value) if one_of(value, &["bff"]) => Ok(AuthMode::Bff),
        Some(_) => Err(InvalidValue),
    }
}

/// Accepts an `http(s)://` URL with a host and no spaces, query or fragment.
pub const fn check_url(url: &str) -> Result<&str, InvalidValue> {
    let bytes = url.as_bytes();
    let prefix = if starts_with(bytes, b"https://") {
        8
    } else if starts_with(bytes, b"http://") {
        7
    } else {
        return Err(InvalidValue);
    };
    if bytes.len() == prefix || bytes[prefix] == b'/' {
        return Err(InvalidValue);
    }
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b' ' | b'\t' | b'\n' | b'?' | b'#') {
            return Err(InvalidValue);
        }
        i += 1;
    }
    Ok(url)
}

/// Accepts a path of the app for the sign-in callback: one leading `/`,
/// more after it, no query, not the login page.
pub const fn check_redirect_path(path: &str) -> Result<&str, InvalidValue> {
    let bytes = path.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'/' || bytes[1] == b'/' || bytes[1] == b'\\' {
        return Err(InvalidValue);
    }
    if starts_with(bytes, b"/login") {
        return Err(InvalidValue);
    }
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b' ' | b'?' | b'#') {
            return Err(InvalidValue);
        }
        i += 1;
    }
    Ok(path)
}

/// Whether the space-separated `list` holds `word`.
pub const fn has_word(list: &str, word: &str) -> bool {
    let (bytes, word) = (list.as_bytes(), word.as_bytes());
    let mut start = 0;
    while start < bytes.len() {
        let mut end = start;
        while end < bytes.len() && bytes[end] != b' ' {
            end += 1;
        }
        if end - start == word.len() {
            let mut i = 0;
            while i < word.len() && bytes[start + i] == word[i] {
                i += 1;
            }
            if i == word.len() {
                return true;
            }
        }
        start = end + 1;
    }
    false
}

/// Accepts an API base that is empty, an `http(s)://` URL or an absolute
/// path, with no trailing slash (paths are appended as `/api/...`).
pub const fn check_api_base(base: &str) -> Result<&str, InvalidValue> {
    let bytes = base.as_bytes();
    if bytes.is_empty() {
        return Ok(base);
    }
    let well_started =
        starts_with(bytes, b"http://") || starts_with(bytes, b"https://") || bytes[0] == b'/';
    if well_started && bytes[bytes.len() - 1] != b'/' {
        Ok(base)
    } else {
        Err(InvalidValue)
    }
}

const fn one_of(value: &str, accepted: &[&str]) -> bool {
    let mut i = 0;
    while i < accepted.len() {
        if eq_ignore_ascii_case(value.as_bytes(), accepted[i].as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn eq_ignore_ascii_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].eq_ignore_ascii_case(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

const fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    if bytes.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if bytes[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_on_is_on() {
        for value in ["true", "TRUE", "True", "1", "yes", "YES", "on", "On"] {
            assert_eq!(parse_flag(Some(value)), Ok(true), "{value}");
        }
    }

    #[test]
    fn every_spelling_of_off_is_off_and_unset_is_off() {
        for value in ["false", "FALSE", "False", "0", "no", "No", "off", "OFF"] {
            assert_eq!(parse_flag(Some(value)), Ok(false), "{value}");
        }
        assert_eq!(parse_flag(None), Ok(false));
    }

    #[test]
    fn regression_false_is_not_on_just_because_it_is_a_non_empty_string() {
        assert_eq!(parse_flag(Some("false")), Ok(false));
    }

    #[test]
    fn anything_else_is_rejected() {
        for value in [
            "", " true", "true ", "2", "y", "n", "enabled", "nope", "trueish",
        ] {
            assert_eq!(parse_flag(Some(value)), Err(InvalidValue), "{value:?}");
        }
    }

    #[test]
    fn minutes_are_whole_numbers_or_off() {
        assert_eq!(parse_minutes(None), Ok(Some(5)));
        assert_eq!(parse_minutes(Some("15")), Ok(Some(15)));
        assert_eq!(parse_minutes(Some("OFF")), Ok(None));
        assert_eq!(parse_minutes(Some("0")), Ok(None));
        for bad in ["", "5m", "-1", "1.5", "1000001", "00"] {
            assert_eq!(parse_minutes(Some(bad)), Err(InvalidValue), "{bad}");
        }
    }

    #[test]
    fn refresh_mode_is_seed_or_oauth2() {
        assert_eq!(parse_refresh_mode(None), Ok(RefreshMode::Seed));
        assert_eq!(parse_refresh_mode(Some("SEED")), Ok(RefreshMode::Seed));
        assert_eq!(parse_refresh_mode(Some("OAuth2")), Ok(RefreshMode::OAuth2));
        assert_eq!(parse_refresh_mode(Some("oidc")), Err(InvalidValue));
    }

    #[test]
    fn auth_mode_is_seed_oidc_or_abp() {
        assert_eq!(parse_auth_mode(None), Ok(AuthMode::Seed));
        assert_eq!(parse_auth_mode(Some("Seed")), Ok(AuthMode::Seed));
        assert_eq!(parse_auth_mode(Some("OIDC")), Ok(AuthMode::Oidc));
        assert_eq!(parse_auth_mode(Some("ABP")), Ok(AuthMode::Abp));
        assert_eq!(parse_auth_mode(Some("Bff")), Ok(AuthMode::Bff));
        for bad in ["", "oauth2", "openid", " oidc"] {
            assert_eq!(parse_auth_mode(Some(bad)), Err(InvalidValue), "{bad:?}");
        }
    }

    #[test]
    fn an_issuer_is_an_http_url_with_a_host() {
        for ok in [
            "http://127.0.0.1:9417",
            "https://id.example.com/realms/app",
            "https://tenant.auth0.com/",
        ] {
            assert_eq!(check_url(ok), Ok(ok));
        }
        for bad in [
            "",
            "127.0.0.1:9417",
            "https://",
            "https:///path",
            "ftp://id.example",
            "https://id.example/?x=1",
            "https://id.example/#f",
            "https://id example",
        ] {
            assert_eq!(check_url(bad), Err(InvalidValue), "{bad:?}");
        }
    }

    #[test]
    fn the_callback_is_a_path_of_the_app() {
        for ok in ["/auth/callback", "/cb"] {
            assert_eq!(check_redirect_path(ok), Ok(ok));
        }
        for bad in [
            "",
            "/",
            "//evil",
            "/\\evil",
            "auth",
            "/login",
            "/login/cb",
            "/cb?x",
        ] {
            assert_eq!(check_redirect_path(bad), Err(InvalidValue), "{bad:?}");
        }
    }

    #[test]
    fn scopes_must_hold_openid_as_a_word() {
        assert!(has_word("openid profile offline_access", "openid"));
        assert!(has_word("profile openid", "openid"));
        assert!(!has_word("openidx profile", "openid"));
        assert!(!has_word("profile", "openid"));
        assert!(!has_word("", "openid"));
    }

    #[test]
    fn api_base_is_empty_a_url_or_a_path_without_trailing_slash() {
        for ok in [
            "",
            "http://127.0.0.1:8080",
            "https://api.example.com",
            "/backend",
        ] {
            assert_eq!(check_api_base(ok), Ok(ok));
        }
        for bad in ["/", "http://x/", "api", "ftp://x"] {
            assert_eq!(check_api_base(bad), Err(InvalidValue), "{bad}");
        }
    }
}
