//! The state every handler shares, and what can go wrong building it.

use std::io;
use std::net::SocketAddr;
use std::num::NonZero;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::clock::Clock;
use crate::config::Config;
use crate::controls::Controls;
use crate::db::Db;
use crate::jwt::JwtKeys;
use crate::oidc::{OidcError, ResourceServer};
use crate::random;
use crate::rate_limit::LoginLimiter;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database's folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// A schema migration failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The database was written by a newer server.
    #[error("the database has schema version {found}; this server knows up to {supported}")]
    SchemaTooNew {
        /// The database's `user_version`.
        found: usize,
        /// The newest version this server knows.
        supported: usize,
    },
    /// Hashing the demo passwords failed.
    #[error("cannot hash the demo passwords: {0}")]
    Hash(argon2::password_hash::Error),
    /// The token signing key could not be made.
    #[error("cannot make the token signing key: {0}")]
    SigningKey(jsonwebtoken::errors::Error),
    /// The operating system gave no randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(getrandom::Error),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: io::Error,
    },
    /// `--test-controls` with an address other machines may reach.
    #[error(
        "refusing --test-controls on {addr}, which is not a loopback address: anyone who can \
         reach it could use them; add --allow-public-test-controls if that is meant"
    )]
    PublicTestControls {
        /// The listen address.
        addr: SocketAddr,
    },
    /// `--oidc-issuer` was given, but its keys could not be loaded.
    #[error("cannot use the identity provider {issuer}: {source}")]
    Oidc {
        /// The issuer URL.
        issuer: String,
        /// The cause.
        source: OidcError,
    },
    /// Writing the start banner failed.
    #[error("cannot write to standard output: {0}")]
    Stdout(io::Error),
}

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) config: Arc<Config>,
    pub(crate) db: Arc<Db>,
    pub(crate) jwt: Arc<JwtKeys>,
    /// With `--oidc-issuer`: the provider whose access tokens are accepted
    /// instead of this server's own (which it then never issues: login,
    /// refresh and logout are turned off).
    pub(crate) provider: Option<Arc<ResourceServer>>,
    pub(crate) clock: Clock,
    pub(crate) limiter: Arc<LoginLimiter>,
    /// One permit per password check that may run at once (one per CPU):
    /// Argon2 is CPU- and memory-hard, and the login limiter needs each
    /// check to finish counting before the next one is let in.
    pub(crate) password_checks: Arc<Semaphore>,
    pub(crate) controls: Arc<Controls>,
    pub(crate) started_ms: u64,
}

impl AppState {
    /// [`AppState::new`], then, with `--oidc-issuer`, loads the provider's
    /// keys: a provider that cannot be reached or sends no usable key fails
    /// the start ([`StartupError::Oidc`]).
    pub async fn start(config: Config, clock: Clock) -> Result<Self, StartupError> {
        let state = Self::new(config, clock)?;
        if let Some(provider) = &state.provider {
            let keys = provider.load().await.map_err(|source| StartupError::Oidc {
                issuer: provider.issuer().to_owned(),
                source,
            })?;
            tracing::info!(
                issuer = provider.issuer(),
                keys,
                "loaded the identity provider's keys"
            );
        }
        Ok(state)
    }

    /// Opens (creating, migrating and seeding as needed) the database named in
    /// `config` and makes a fresh random signing key, so access tokens do not
    /// outlive the process.
    /// Refuses test controls on an address that is not loopback unless
    /// `--allow-public-test-controls` says so.
    /// With `--oidc-issuer` the provider's keys are not loaded yet
    /// ([`AppState::start`] does that); until they are, the first token
    /// fetches them.
    pub fn new(config: Config, clock: Clock) -> Result<Self, StartupError> {
        if config.test_controls
            && !config.addr.ip().is_loopback()
            && !config.allow_public_test_controls
        {
            return Err(StartupError::PublicTestControls { addr: config.addr });
        }
        let db = Db::open(&config.db)?;
        let secret = random::bytes::<64>().map_err(StartupError::Random)?;
        let provider = config
            .oidc_issuer
            .as_deref()
            .map(|issuer| {
                ResourceServer::new(issuer, &config, clock.clone())
                    .map(Arc::new)
                    .map_err(|source| StartupError::Oidc {
                        issuer: issuer.to_owned(),
                        source,
                    })
            })
            .transpose()?;
        let limiter = LoginLimiter::new(
            config.user_logins_per_minute,
            config.address_logins_per_minute,
        );
        Ok(Self {
            config: Arc::new(config),
            db: Arc::new(db),
            jwt: Arc::new(JwtKeys::new(secret).map_err(StartupError::SigningKey)?),
            provider,
            started_ms: clock.now_ms(),
            clock,
            limiter: Arc::new(limiter),
            password_checks: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, NonZero::get),
            )),
            controls: Arc::default(),
        })
    }
}
