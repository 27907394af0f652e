//! Command-line and environment settings.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use clap::builder::BoolishValueParser;
use ipnet::IpNet;

use crate::oidc;

/// Everything the server can be told at start. Each flag can also be given as
/// an environment variable: `SR_` followed by the flag in capitals
/// (`--access-ttl` → `SR_ACCESS_TTL`), except the two test-control flags,
/// which only the command line can give.
#[derive(Clone, Debug, Parser)]
#[command(name = "silent-refresh-server", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the real one is printed).
    #[arg(long, env = "SR_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// SQLite database file, created, migrated and seeded on first start.
    #[arg(long, env = "SR_DB", default_value = "data/dev.sqlite")]
    pub db: PathBuf,

    /// Folder holding the built app, served with fallback to `index.html`.
    #[arg(long, env = "SR_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Access token lifetime (`500ms`, `30s`, `15m`, ...); must not be zero.
    #[arg(long, env = "SR_ACCESS_TTL", default_value = "30s", value_parser = nonzero_duration)]
    pub access_ttl: Duration,

    /// Absolute refresh token lifetime, counted from login; rotation never
    /// extends it. Must not be zero.
    #[arg(long, env = "SR_REFRESH_TTL", default_value = "7d", value_parser = nonzero_duration)]
    pub refresh_ttl: Duration,

    /// How long a just-rotated refresh token may be presented again without
    /// counting as reuse.
    #[arg(long, env = "SR_REUSE_GRACE", default_value = "0s", value_parser = humantime::parse_duration)]
    pub reuse_grace: Duration,

    /// How long a refresh's answer is given again to a retry with the same
    /// refresh token and the same `Idempotency-Key` (its first answer lost
    /// in transit), instead of the retry counting as a reuse; `0s` turns
    /// this off. The answer is kept sealed under a key only the spent
    /// token gives.
    #[arg(long, env = "SR_IDEMPOTENCY_WINDOW", default_value = "60s", value_parser = humantime::parse_duration)]
    pub idempotency_window: Duration,

    /// How long one request may take from its header to its answer, body
    /// included; a client still sending (or stalling) then gets `408` and
    /// the connection is closed. Must not be zero.
    #[arg(long, env = "SR_REQUEST_TIMEOUT", default_value = "15s", value_parser = nonzero_duration)]
    pub request_timeout: Duration,

    /// Connections served at once; further clients wait in the listen
    /// backlog until one closes.
    #[arg(long, env = "SR_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// A reverse proxy whose `X-Forwarded-For` is believed (an address or a
    /// CIDR range; repeat the flag or separate with commas). Behind it, the
    /// client address the login limits count is the nearest address in
    /// `X-Forwarded-For` that is not a trusted proxy. From any other peer
    /// the header is ignored.
    #[arg(long = "trusted-proxy", env = "SR_TRUSTED_PROXY", value_name = "ADDR|CIDR", value_delimiter = ',', value_parser = proxy)]
    pub trusted_proxies: Vec<IpNet>,

    /// Live sessions (refresh token families) one user may hold; a login
    /// beyond that ends the user's oldest session, refresh and access tokens
    /// alike. The default leaves room for a user's several browsers and devices.
    #[arg(long, env = "SR_MAX_SESSIONS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_sessions: u32,

    /// Successful logins per minute for one user name (a burst of this many,
    /// then one every 60/N s); more get `429` with `Retry-After`. Failed
    /// logins have their own, stricter limits.
    #[arg(long, env = "SR_USER_LOGINS_PER_MINUTE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub user_logins_per_minute: u32,

    /// Successful logins per minute from one client address (any users),
    /// counted like `--user-logins-per-minute`.
    #[arg(long, env = "SR_ADDRESS_LOGINS_PER_MINUTE", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub address_logins_per_minute: u32,

    /// A client id the token endpoint accepts (repeat the flag or separate
    /// with commas): a password or refresh grant naming another is refused
    /// with `invalid_client`, as OpenIddict does. A grant naming none is
    /// served.
    #[arg(
        long = "client-id",
        env = "SR_CLIENT_IDS",
        value_name = "ID",
        value_delimiter = ',',
        default_value = "silent-refresh-app"
    )]
    pub client_ids: Vec<String>,

    /// An origin whose pages may call the API from the browser (CORS; repeat
    /// the flag or separate with commas), e.g. an app deployed on another
    /// host: `https://admin.example.com`. Its calls may send the headers
    /// ABP's clients send (`__tenant`, `Accept-Language`,
    /// `X-Requested-With`) besides `Authorization` and `Content-Type`.
    #[arg(long = "cors-origin", env = "SR_CORS_ORIGINS", value_name = "ORIGIN", value_delimiter = ',', value_parser = cors_origin)]
    pub cors_origins: Vec<String>,

    /// Answer an API call that carries no bearer token and no
    /// `X-Requested-With: XMLHttpRequest` with `302` to `/Account/Login`, as
    /// an ASP.NET Core host whose default scheme is cookies does, instead of
    /// `401` (to test clients against such a host).
    #[arg(long)]
    pub login_redirect: bool,

    /// Be an OAuth2 resource server for this OpenID Connect issuer: accept
    /// its JWT access tokens (RS256 or ES256, checked with the keys its
    /// discovery document's `jwks_uri` publishes) instead of this server's
    /// own, and turn off this server's login, refresh, logout and role
    /// editing. An `https://` URL, or `http://` on a loopback host; the
    /// issuer must be reachable at start.
    #[arg(long, env = "SR_OIDC_ISSUER", value_name = "URL", value_parser = issuer_url)]
    pub oidc_issuer: Option<String>,

    /// With `--oidc-issuer`: the audience the provider's access tokens must
    /// name in `aud` (a string or one entry of an array).
    #[arg(
        long,
        env = "SR_OIDC_AUDIENCE",
        value_name = "AUD",
        default_value = "silent-refresh-api"
    )]
    pub oidc_audience: String,

    /// With `--oidc-issuer`: the access token claim holding the user's roles
    /// (an array of strings, or one string), mapped to policies through this
    /// server's role table; roles it does not know grant nothing.
    #[arg(
        long,
        env = "SR_OIDC_ROLES_CLAIM",
        value_name = "NAME",
        default_value = "roles"
    )]
    pub oidc_roles_claim: String,

    /// Serve as a Backend-for-Frontend of this OpenID Connect issuer:
    /// browsers sign in through `/bff/login` and hold one `HttpOnly`
    /// session cookie; the tokens stay on the server (the refresh token
    /// sealed at rest), `/api/*` calls from this site's pages (`X-CSRF: 1`)
    /// go upstream with the access token, refreshed once per session across
    /// instances. This server's own API then accepts the issuer's tokens (as
    /// with `--oidc-issuer`). Needs `--bff-origin` and the client secret.
    #[arg(long, env = "SR_BFF_ISSUER", value_name = "URL", value_parser = issuer_url)]
    pub bff_issuer: Option<String>,

    /// With `--bff-issuer`: the BFF's client id at the provider, a
    /// confidential client (`client_secret_basic`).
    #[arg(
        long,
        env = "SR_BFF_CLIENT_ID",
        value_name = "ID",
        default_value = "bff"
    )]
    pub bff_client_id: String,

    /// With `--bff-issuer`: the client secret (prefer `SR_BFF_CLIENT_SECRET`:
    /// a flag shows in the process list). Every instance of a deployment
    /// has the same one; it also keys the sealing of the stored tokens.
    #[arg(
        long,
        env = "SR_BFF_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub bff_client_secret: Option<String>,

    /// With `--bff-issuer`: the origin browsers reach the BFF at (behind a
    /// load balancer, the balancer's); the provider sends them back to
    /// `{origin}/bff/callback`, and calls from any other `Origin` are refused.
    #[arg(long, env = "SR_BFF_ORIGIN", value_name = "ORIGIN", value_parser = cors_origin)]
    pub bff_origin: Option<String>,

    /// With `--bff-issuer`: where `/api/*` calls go, a base URL; unset, this
    /// server's own API.
    #[arg(long, env = "SR_BFF_UPSTREAM", value_name = "URL", value_parser = upstream_url)]
    pub bff_upstream: Option<String>,

    /// With `--bff-issuer`: the API path prefixes forwarded upstream; any
    /// other `/api/` path gets `404`.
    #[arg(
        long = "bff-api-path",
        env = "SR_BFF_API_PATHS",
        value_name = "PREFIX",
        value_delimiter = ',',
        default_value = "/api/app/,/api/abp/,/api/identity/,/api/permission-management/"
    )]
    pub bff_api_paths: Vec<String>,

    /// With `--bff-issuer`: the scopes asked for, space-separated (with
    /// `offline_access`, or no refresh token comes).
    #[arg(
        long,
        env = "SR_BFF_SCOPES",
        value_name = "SCOPES",
        default_value = "openid profile offline_access"
    )]
    pub bff_scopes: String,

    /// Where BFF sessions live: `sqlite` (the `--db` file: one instance, or
    /// several sharing it on one machine) or `redis://host:port` (several
    /// instances anywhere).
    #[arg(long, env = "SR_SESSION_STORE", value_name = "sqlite|redis://…", default_value = "sqlite", value_parser = session_store)]
    pub session_store: SessionStoreUrl,

    /// Mount the test controls under `/api/_test/`: call counts, injected
    /// faults, forced expiry and revocation, open to any caller. Only this
    /// command-line flag turns them on; no environment variable does
    /// (SR_TEST_CONTROLS is not read). Refused with an `--addr` that is not a
    /// loopback address unless `--allow-public-test-controls` is given too.
    #[arg(long, value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true")]
    pub test_controls: bool,

    /// Let `--test-controls` be served on an address that is not loopback,
    /// where anyone who can reach the server can use them. Command line only.
    #[arg(long)]
    pub allow_public_test_controls: bool,
}

/// An issuer URL as `--oidc-issuer` accepts it (see [`oidc::check_url`]),
/// kept as written: the tokens' `iss` must be exactly this.
fn issuer_url(value: &str) -> Result<String, String> {
    oidc::check_url(value).map_err(|error| error.to_string())?;
    Ok(value.to_owned())
}

/// Where BFF sessions live (`--session-store`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStoreUrl {
    /// The `--db` file.
    Sqlite,
    /// A Redis server at this URL.
    Redis(String),
}

fn session_store(value: &str) -> Result<SessionStoreUrl, String> {
    if value == "sqlite" {
        Ok(SessionStoreUrl::Sqlite)
    } else if value.starts_with("redis://") || value.starts_with("rediss://") {
        Ok(SessionStoreUrl::Redis(value.to_owned()))
    } else {
        Err(format!("{value:?} is neither sqlite nor a redis:// URL"))
    }
}

/// An upstream base URL: `http(s)://host[:port][/path]`, no query.
fn upstream_url(value: &str) -> Result<String, String> {
    let uri: axum::http::Uri = value
        .parse()
        .map_err(|_| format!("{value:?} is not a URL such as https://api.example.com"))?;
    match (uri.scheme_str(), uri.host(), uri.query()) {
        (Some("http" | "https"), Some(_), None) => Ok(value.trim_end_matches('/').to_owned()),
        _ => Err(format!(
            "{value:?} is not a base URL such as https://api.example.com (no query)"
        )),
    }
}

/// A CORS origin: `scheme://host[:port]`, nothing after it.
fn cors_origin(value: &str) -> Result<String, String> {
    let uri: axum::http::Uri = value
        .parse()
        .map_err(|_| format!("{value:?} is not an origin such as https://admin.example.com"))?;
    let bare = uri.path_and_query().is_none_or(|p| p.as_str() == "/");
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(_)) if bare => Ok(value.trim_end_matches('/').to_owned()),
        _ => Err(format!(
            "{value:?} is not an origin such as https://admin.example.com (scheme and host, no path)"
        )),
    }
}

/// A trusted proxy: one address (`10.0.0.7`, `::1`) or a range (`10.0.0.0/8`).
fn proxy(value: &str) -> Result<IpNet, String> {
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{value:?} is neither an IP address nor a CIDR range"))
}

/// A humane duration (`30s`, `15m`) that is longer than zero: a token that
/// is dead on arrival is a misconfiguration, not a setting.
fn nonzero_duration(value: &str) -> Result<Duration, String> {
    match humantime::parse_duration(value) {
        Ok(duration) if duration.is_zero() => Err("must be longer than zero".into()),
        Ok(duration) => Ok(duration),
        Err(error) => Err(error.to_string()),
    }
}

#[cfg(test)]
mod tests;
