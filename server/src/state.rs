//! The state every handler shares, and how start-up builds it from the
//! command line.

use std::sync::Arc;

use crate::bff::provider::{ClientSettings, ProviderClient};
use crate::bff::store::{RedisSessions, SessionStore, SqliteSessions};
use crate::bff::{Bff, BffSettings, CALLBACK_PATH, Upstream};
use crate::config::{Config, SessionStoreUrl};
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
    /// With `--bff-issuer`: the Backend-for-Frontend.
    pub(crate) bff: Option<Arc<Bff>>,
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
        // A BFF whose upstream is this server's own API sends it the
        // issuer's tokens: the API accepts them as with --oidc-issuer.
        let own_api_issuer = config
            .bff_issuer
            .as_deref()
            .filter(|_| config.bff_upstream.is_none());
        let provider = config
            .oidc_issuer
            .as_deref()
            .or(own_api_issuer)
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
        let controls = Arc::<Controls>::default();
        let bff = config
            .bff_issuer
            .as_deref()
            .map(|issuer| {
                bff(
                    &config,
                    issuer,
                    &store,
                    &clock,
                    &controls,
                    provider.as_ref(),
                )
            })
            .transpose()?;
        Ok(Self {
            config: Arc::new(config),
            store,
            sessions: Arc::new(sessions),
            provider,
            started_ms: clock.now_ms(),
            clock,
            controls,
            bff,
        })
    }
}

/// The Backend-for-Frontend of `--bff-issuer` `issuer`; `own_api` is the
/// resource server of this server's API when it is the upstream.
fn bff(
    config: &Config,
    issuer: &str,
    store: &Arc<Store>,
    clock: &Clock,
    controls: &Arc<Controls>,
    own_api: Option<&Arc<ResourceServer>>,
) -> Result<Arc<Bff>, StartupError> {
    let missing = |what: &str| StartupError::Bff(format!("--bff-issuer needs {what}"));
    let origin = config
        .bff_origin
        .clone()
        .ok_or_else(|| missing("--bff-origin"))?;
    let client_secret = config
        .bff_client_secret
        .clone()
        .filter(|secret| !secret.is_empty())
        .ok_or_else(|| missing("the client secret (SR_BFF_CLIENT_SECRET)"))?;
    let provider_error = |error: crate::oidc::ProviderError| StartupError::Oidc {
        issuer: issuer.to_owned(),
        source: error,
    };
    let provider = ProviderClient::new(ClientSettings {
        issuer: issuer.to_owned(),
        client_id: config.bff_client_id.clone(),
        client_secret,
        redirect_uri: format!("{origin}{CALLBACK_PATH}"),
        scopes: config.bff_scopes.clone(),
    })
    .map_err(provider_error)?;
    // The user and roles are read from the access tokens the issuer signs.
    let tokens = match own_api {
        Some(own) if own.issuer() == issuer => Arc::clone(own),
        _ => {
            let settings = ProviderSettings {
                issuer: issuer.to_owned(),
                audience: config.oidc_audience.clone(),
                roles_claim: config.oidc_roles_claim.clone(),
            };
            Arc::new(ResourceServer::new(settings, clock.clone()).map_err(provider_error)?)
        }
    };
    let sessions = match &config.session_store {
        SessionStoreUrl::Sqlite => {
            SessionStore::Sqlite(SqliteSessions::new(Arc::clone(store), clock.clone()))
        }
        SessionStoreUrl::Redis(url) => SessionStore::Redis(
            RedisSessions::open(url)
                .map_err(|error| StartupError::Bff(format!("--session-store {url}: {error}")))?,
        ),
    };
    let settings = BffSettings {
        origin,
        api_paths: config.bff_api_paths.clone(),
        upstream: config
            .bff_upstream
            .clone()
            .map_or(Upstream::Own, Upstream::Remote),
        session_ttl: config.refresh_ttl,
    };
    Ok(Arc::new(Bff::new(
        settings,
        provider,
        tokens,
        sessions,
        clock.clone(),
        Arc::clone(controls),
        crate::bff::proxy::upstream_client().map_err(provider_error)?,
    )))
}
