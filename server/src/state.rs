//! The state every handler shares, and how start-up builds it from the
//! command line.

use std::sync::Arc;

use crate::config::Config;
use crate::controls::Controls;
use crate::domain::clock::Clock;
use crate::domain::jwt::JwtKeys;
use crate::domain::random;
use crate::domain::rate_limit::LoginLimiter;
use crate::domain::sessions::{Sessions, TokenRules};
use crate::domain::store::Store;
use crate::oidc::{ProviderSettings, ResourceServer};
use crate::schema;
use crate::startup_error::StartupError;

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Arc<Store>,
    /// Logins, refreshes and this server's own access tokens.
    pub(crate) sessions: Arc<Sessions>,
    /// With `--oidc-issuer`: the provider whose access tokens are accepted
    /// instead of this server's own (which it then never issues: login,
    /// refresh and logout are turned off).
    pub(crate) provider: Option<Arc<ResourceServer>>,
    pub(crate) clock: Clock,
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
        let store = Arc::new(schema::open(&config.db)?);
        let secret = random::bytes::<64>().map_err(StartupError::Random)?;
        let provider = config
            .oidc_issuer
            .as_deref()
            .map(|issuer| {
                let settings = ProviderSettings {
                    issuer: issuer.to_owned(),
                    audience: config.oidc_audience.clone(),
                    roles_claim: config.oidc_roles_claim.clone(),
                };
                ResourceServer::new(settings, clock.clone())
                    .map(Arc::new)
                    .map_err(|source| StartupError::Oidc {
                        issuer: issuer.to_owned(),
                        source,
                    })
            })
            .transpose()?;
        let rules = TokenRules {
            access_ttl: config.access_ttl,
            refresh_ttl: config.refresh_ttl,
            reuse_grace: config.reuse_grace,
            max_sessions: config.max_sessions,
            idempotency_window: config.idempotency_window,
        };
        let limiter = LoginLimiter::new(
            config.user_logins_per_minute,
            config.address_logins_per_minute,
        );
        let jwt = JwtKeys::new(secret).map_err(StartupError::SigningKey)?;
        let sessions = Sessions::new(Arc::clone(&store), jwt, clock.clone(), rules, limiter);
        Ok(Self {
            config: Arc::new(config),
            store,
            sessions: Arc::new(sessions),
            provider,
            started_ms: clock.now_ms(),
            clock,
            controls: Arc::default(),
        })
    }
}
