//! Command-line and environment settings.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use clap::builder::BoolishValueParser;
use ipnet::IpNet;

use crate::clock::millis;
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

impl Config {
    /// The access token lifetime in whole seconds, rounded up (the `expiresIn`
    /// of token responses).
    pub fn access_ttl_secs(&self) -> u64 {
        millis(self.access_ttl).div_ceil(1000)
    }
}

/// An issuer URL as `--oidc-issuer` accepts it (see [`oidc::check_url`]),
/// kept as written: the tokens' `iss` must be exactly this.
fn issuer_url(value: &str) -> Result<String, String> {
    oidc::check_url(value).map_err(|error| error.to_string())?;
    Ok(value.to_owned())
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
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("silent-refresh-server").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_match_the_design() -> Result<(), clap::Error> {
        let config = parse(&[])?;
        assert_eq!(config.addr, SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(config.db, PathBuf::from("data/dev.sqlite"));
        assert_eq!(config.static_dir, PathBuf::from("dist"));
        assert_eq!(config.access_ttl, Duration::from_secs(30));
        assert_eq!(config.refresh_ttl, Duration::from_secs(7 * 24 * 3600));
        assert_eq!(config.reuse_grace, Duration::ZERO);
        assert!(!config.test_controls);
        assert!(!config.allow_public_test_controls);
        assert!(config.trusted_proxies.is_empty());
        assert_eq!(config.request_timeout, Duration::from_secs(15));
        assert_eq!(config.max_connections, 512);
        assert_eq!(config.max_sessions, 10);
        assert_eq!(config.user_logins_per_minute, 10);
        assert_eq!(config.address_logins_per_minute, 30);
        assert_eq!(config.oidc_issuer, None);
        assert_eq!(config.oidc_audience, "silent-refresh-api");
        assert_eq!(config.oidc_roles_claim, "roles");
        Ok(())
    }

    #[test]
    fn humane_durations_and_flags_parse() -> Result<(), clap::Error> {
        let config = parse(&[
            "--addr",
            "127.0.0.1:0",
            "--access-ttl",
            "500ms",
            "--refresh-ttl",
            "15m",
            "--reuse-grace",
            "2s",
            "--test-controls",
        ])?;
        assert_eq!(config.addr.port(), 0);
        assert_eq!(config.access_ttl, Duration::from_millis(500));
        assert_eq!(config.access_ttl_secs(), 1);
        assert_eq!(config.refresh_ttl, Duration::from_secs(900));
        assert_eq!(config.reuse_grace, Duration::from_secs(2));
        assert!(config.test_controls);
        Ok(())
    }

    /// Issue 10.8: test controls on an address others can reach would let
    /// anyone revoke sessions and inject faults.
    #[test]
    fn test_controls_on_a_public_address_need_a_second_flag() -> Result<(), clap::Error> {
        let (clock, _) = crate::clock::Clock::manual(0);
        for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.7:8080"] {
            let config = parse(&["--db", ":memory:", "--addr", addr, "--test-controls"])?;
            let refused = crate::state::AppState::new(config, clock.clone())
                .err()
                .unwrap_or_else(|| panic!("test controls on {addr} were accepted"));
            let message = refused.to_string();
            assert!(
                message.contains("--allow-public-test-controls"),
                "{message}"
            );
            // Without the controls the address is fine.
            assert!(
                crate::state::AppState::new(
                    parse(&["--db", ":memory:", "--addr", addr])?,
                    clock.clone()
                )
                .is_ok()
            );
        }
        for addr in ["127.0.0.1:0", "[::1]:0", "127.3.4.5:9"] {
            let config = parse(&["--db", ":memory:", "--addr", addr, "--test-controls"])?;
            assert!(
                crate::state::AppState::new(config, clock.clone()).is_ok(),
                "{addr}"
            );
        }
        let config = parse(&[
            "--db",
            ":memory:",
            "--addr",
            "0.0.0.0:0",
            "--test-controls",
            "--allow-public-test-controls",
        ])?;
        assert!(crate::state::AppState::new(config, clock).is_ok());
        Ok(())
    }

    /// Issue 10.8: `--help` says exactly what turns the controls on, and no
    /// environment variable does.
    #[test]
    fn help_says_only_the_flag_enables_test_controls() {
        let help = <Config as clap::CommandFactory>::command()
            .render_long_help()
            .to_string();
        assert!(!help.contains("SR_TEST_CONTROLS="), "{help}");
        assert!(!help.contains("SR_ALLOW_PUBLIC_TEST_CONTROLS"), "{help}");
        assert!(
            help.contains("Only this command-line flag turns them on"),
            "{help}"
        );
        assert!(help.contains("--allow-public-test-controls"), "{help}");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() -> Result<(), clap::Error> {
        let config = parse(&[
            "--trusted-proxy",
            "10.0.0.7",
            "--trusted-proxy=192.168.0.0/16,::1",
        ])?;
        let proxies: Vec<String> = config
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["10.0.0.7/32", "192.168.0.0/16", "::1/128"]);
        assert!(parse(&["--trusted-proxy", "proxy.example"]).is_err());
        assert!(parse(&["--max-sessions", "0"]).is_err());
        Ok(())
    }

    #[test]
    fn bad_duration_is_refused() {
        assert!(parse(&["--access-ttl", "soon"]).is_err());
        assert!(parse(&["--refresh-ttl", "soon"]).is_err());
    }

    #[test]
    fn zero_token_lifetimes_are_refused_with_a_clear_message() {
        for flag in ["--access-ttl", "--refresh-ttl"] {
            for zero in ["0s", "0ms", "0"] {
                let error = parse(&[flag, zero]).err().unwrap_or_else(|| {
                    panic!("{flag} {zero} was accepted");
                });
                assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
                let message = error.to_string();
                assert!(message.contains(flag), "{message}");
                assert!(message.contains("must be longer than zero"), "{message}");
            }
        }
        // A zero grace period is the strict default, not a mistake.
        assert!(parse(&["--reuse-grace", "0s"]).is_ok());
    }

    #[test]
    fn the_oidc_flags_parse_and_bad_issuers_are_refused_clearly() -> Result<(), clap::Error> {
        let config = parse(&[
            "--oidc-issuer",
            "https://id.example.com/realms/demo",
            "--oidc-audience",
            "my-api",
            "--oidc-roles-claim",
            "groups",
        ])?;
        assert_eq!(
            config.oidc_issuer.as_deref(),
            Some("https://id.example.com/realms/demo")
        );
        assert_eq!(config.oidc_audience, "my-api");
        assert_eq!(config.oidc_roles_claim, "groups");
        for loopback in [
            "http://127.0.0.1:9000",
            "http://localhost:3000/oidc",
            "http://[::1]:8080/",
        ] {
            assert_eq!(
                parse(&["--oidc-issuer", loopback])?.oidc_issuer.as_deref(),
                Some(loopback)
            );
        }
        for (bad, says) in [
            ("not a url", "not a URL"),
            ("id.example.com", "https://"),
            ("ftp://id.example.com", "https://"),
            ("http://id.example.com", "loopback"),
            ("https://", "not a URL"),
            ("https://id.example.com/?tenant=1", "query"),
        ] {
            let error = parse(&["--oidc-issuer", bad])
                .err()
                .unwrap_or_else(|| panic!("{bad:?} was accepted"));
            assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
            let message = error.to_string();
            assert!(message.contains("--oidc-issuer"), "{message}");
            assert!(message.contains(says), "{bad:?}: {message}");
        }
        Ok(())
    }
}
