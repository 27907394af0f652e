//! `AuthStore`: login, logout and the application configuration, over the
//! access and user stores and the session's API client.

use std::{future::Future, pin::Pin, rc::Rc};

use leptos::{prelude::*, task::spawn_local};
use silent_refresh_core::{RecheckGate, TokenPair, TokenSnapshot, TokenStore};
use silent_refresh_protocol::{
    ApplicationConfiguration, LoginRequest, TokenResponse, paths, tenants::FindTenantResult,
};
use silent_refresh_web::{
    ApiError, Body, Method, Request, Session, SharedRefresher, TokenRefresher,
    abp::{self, AbpSettings, PasswordSignIn, SignInFailure},
    oidc::{OidcClient, OidcError},
    percent_encode,
};

use crate::{
    AccessStore, SessionClient, SessionLog, UserInfo, UserStore,
    timeline::{Event, RolesOutcome},
};

/// Revokes an ended login's refresh token where the backend can (best
/// effort): chosen once, when the session is wired, so a build keeps only
/// its backend's revocation.
pub(crate) type Revoke = Rc<dyn Fn(SessionClient, Session) -> Pin<Box<dyn Future<Output = ()>>>>;

/// The refresh core's view of the stores. Refreshed tokens are kept in
/// memory only: the [`SharedRefresher`] this store is paired with has
/// written them to the shared record already.
#[derive(Clone, Copy, Debug)]
pub struct SessionTokens {
    access: AccessStore,
    user: UserStore,
}

impl SessionTokens {
    /// The tokens of `access`; a session that ends also clears `user`.
    pub(crate) fn new(access: AccessStore, user: UserStore) -> Self {
        Self { access, user }
    }
}

impl TokenStore for SessionTokens {
    fn snapshot(&self) -> TokenSnapshot {
        self.access.snapshot()
    }

    fn save_refreshed(&self, tokens: TokenPair) {
        self.access.save_refreshed(tokens, js_sys::Date::now());
    }

    fn end_session(&self) {
        self.access.expire();
        self.user.clear();
    }
}

/// Whether the roles and policies in the [`UserStore`] can be trusted yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RolesState {
    /// Being fetched and not known yet (after login, on a reload with the
    /// role refresh on): guarded routes wait and decide nothing.
    Checking,
    /// Being fetched again on request; guarded routes keep deciding on the
    /// roles they have until the answer is in.
    Rechecking,
    /// As the server last said.
    Current,
    /// The last fetch failed for a transient reason: the stored roles are
    /// kept and the user is warned.
    Stale(String),
}

/// Login, logout and the application configuration. `Copy`; provided
/// through context by [`crate::provide_session`] and read back with
/// [`use_auth`].
#[derive(Clone, Copy)]
pub struct AuthStore {
    /// The tokens.
    pub access: AccessStore,
    /// The current user.
    pub user: UserStore,
    roles: RwSignal<RolesState>,
    /// Numbers the configuration fetches; only the latest may land.
    configuration_fetches: StoredValue<u64>,
    client: StoredValue<SessionClient, LocalStorage>,
    /// Ends a login for every tab, under the refresh lock.
    shared: StoredValue<SharedRefresher<TokenRefresher>, LocalStorage>,
    /// The backend's revocation.
    revoke: StoredValue<Revoke, LocalStorage>,
    /// One roles re-check per burst of `403`s.
    forbidden: StoredValue<RecheckGate, LocalStorage>,
    /// The identity provider users sign in with ([`crate::Backend::oidc`]).
    provider: StoredValue<Option<OidcClient>, LocalStorage>,
    /// Why the last sign-in at the provider failed, for the login page.
    sign_in_error: RwSignal<Option<OidcError>>,
    /// The ABP server's client users sign in with ([`crate::Backend::abp`]).
    abp: StoredValue<Option<AbpSettings>, LocalStorage>,
}

/// A sign-in on an ABP login form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbpLogin {
    /// The login name.
    pub user_name: String,
    /// The password.
    pub password: String,
    /// The tenant's name; empty: the host.
    pub tenant: String,
    /// The authenticator code, once the server asked for it.
    pub code: Option<String>,
}

/// Why an ABP sign-in failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AbpLoginError {
    /// No tenant has that name.
    #[error("there is no tenant named {0}")]
    UnknownTenant(String),
    /// The tenant's users may not sign in.
    #[error("the tenant {0} is not active")]
    InactiveTenant(String),
    /// The tenant lookup failed.
    #[error(transparent)]
    Lookup(ApiError),
    /// The token endpoint said no, or could not be reached.
    #[error(transparent)]
    SignIn(SignInFailure),
}

/// How [`AuthStore::new`] is wired.
pub(crate) struct Wiring {
    pub client: SessionClient,
    pub shared: SharedRefresher<TokenRefresher>,
    pub revoke: Revoke,
    pub provider: Option<OidcClient>,
    pub abp: Option<AbpSettings>,
}

impl AuthStore {
    /// Login, logout and the configuration over the stores, as `wiring`
    /// says (see [`crate::provide_session`]).
    pub(crate) fn new(access: AccessStore, user: UserStore, wiring: Wiring) -> Self {
        Self {
            access,
            user,
            roles: RwSignal::new(RolesState::Current),
            configuration_fetches: StoredValue::new(0),
            client: StoredValue::new_local(wiring.client),
            shared: StoredValue::new_local(wiring.shared),
            revoke: StoredValue::new_local(wiring.revoke),
            forbidden: StoredValue::new_local(RecheckGate::default()),
            provider: StoredValue::new_local(wiring.provider),
            sign_in_error: RwSignal::new(None),
            abp: StoredValue::new_local(wiring.abp),
        }
    }

    /// What happened to the session lately (kept when the options ask).
    pub fn timeline(&self) -> SessionLog {
        self.access.session_log()
    }

    /// `GET /api/abp/application-configuration`: roles, policies, current
    /// user, tenancy. Without the translations, so a stock ABP server does
    /// not send every text on every role re-check.
    pub async fn application_configuration(&self) -> Result<ApplicationConfiguration, ApiError> {
        let path = format!("{}?includeLocalizationResources=false", paths::APP_CONFIG);
        self.client().get(&path).await
    }

    /// `GET /api/abp/multi-tenancy/tenants/by-name/{name}`: whether there is
    /// such a tenant, and its id.
    pub async fn find_tenant(&self, name: &str) -> Result<FindTenantResult, ApiError> {
        let path = format!("{}/{}", paths::TENANT_BY_NAME, percent_encode(name));
        self.client().get(&path).await
    }

    /// Whether the server has tenants (its anonymous configuration says
    /// so): the login form then asks for one. When that cannot be told, it
    /// asks.
    pub async fn has_tenants(&self) -> bool {
        self.application_configuration()
            .await
            .map_or(true, |configuration| configuration.multi_tenancy.is_enabled)
    }

    /// Signs in to the ABP server: the tenant named on the form is looked up
    /// first, then the password grant (with the authenticator code when the
    /// server asked for one) gives the session, kept for every tab, and the
    /// configuration is loaded.
    pub async fn login_abp(&self, form: AbpLogin) -> Result<(), AbpLoginError> {
        let settings = self.abp.get_value().ok_or_else(|| {
            AbpLoginError::SignIn(SignInFailure::Unavailable("no ABP client".into()))
        })?;
        let tenant_name = form.tenant.trim();
        let tenant = if tenant_name.is_empty() {
            None
        } else {
            let found = self
                .find_tenant(tenant_name)
                .await
                .map_err(AbpLoginError::Lookup)?;
            match (found.success, found.usable_id()) {
                (_, Some(id)) => Some(id.to_owned()),
                (true, None) => return Err(AbpLoginError::InactiveTenant(tenant_name.to_owned())),
                (false, None) => return Err(AbpLoginError::UnknownTenant(tenant_name.to_owned())),
            }
        };
        let attempt = PasswordSignIn {
            user_name: &form.user_name,
            password: &form.password,
            tenant: tenant.as_deref(),
            two_factor_code: form.code.as_deref(),
        };
        let session = abp::sign_in(
            self.client().transport(),
            &settings,
            attempt,
            js_sys::Date::now(),
        )
        .await
        .map_err(AbpLoginError::SignIn)?;
        let subject = session.subject.clone();
        self.access.start(session).await;
        self.user.set(UserInfo::signed_in(subject, form.user_name));
        // Failure is recorded in the roles state; the sign-in itself worked.
        let _ = self.get_application_configuration().await;
        Ok(())
    }

    fn provider(&self) -> Result<OidcClient, OidcError> {
        self.provider
            .get_value()
            .ok_or_else(|| OidcError::Browser("no identity provider is configured".into()))
    }

    /// Looks the identity provider up (discovery), so that the login page
    /// can tell at once when it cannot be used.
    pub async fn discover_provider(&self) -> Result<(), OidcError> {
        self.provider()?.metadata().await.map(drop)
    }

    /// Starts a sign-in at the identity provider that comes back to
    /// `return_to`: the browser leaves for the provider's page.
    pub async fn begin_sign_in(&self, return_to: &str) -> Result<(), OidcError> {
        self.sign_in_error.set(None);
        let url = self.provider()?.begin_login(return_to).await?;
        web_sys::window()
            .ok_or_else(|| OidcError::Browser("no window".into()))?
            .location()
            .assign(&url)
            .map_err(|e| OidcError::Browser(format!("cannot open the provider's page: {e:?}")))
    }

    /// Completes the sign-in the callback's `query` answers: the session is
    /// kept for every tab, then the configuration loaded. Returns the page
    /// to land on. A failure keeps nothing and is left for the login page
    /// ([`Self::sign_in_error`]).
    pub async fn complete_sign_in(&self, query: &str) -> Result<String, OidcError> {
        let signed_in = match self
            .provider()?
            .complete_login(query, js_sys::Date::now())
            .await
        {
            Ok(signed_in) => signed_in,
            Err(error) => {
                self.sign_in_error.set(Some(error.clone()));
                return Err(error);
            }
        };
        let subject = signed_in.session.subject.clone();
        self.access.start(signed_in.session).await;
        self.user
            .set(UserInfo::signed_in(subject, signed_in.user_name));
        // Failure is recorded in the roles state; the sign-in itself worked.
        let _ = self.get_application_configuration().await;
        Ok(signed_in.return_to)
    }

    /// Why the last sign-in at the provider failed (tracked).
    pub fn sign_in_error(&self) -> Option<OidcError> {
        self.sign_in_error.get()
    }

    /// The epoch of the roles re-checks, to take when a call leaves.
    pub fn forbidden_epoch(&self) -> u64 {
        self.forbidden.with_value(RecheckGate::epoch)
    }

    /// A call sent at `epoch` was answered `403`: fetch the roles again,
    /// unless that is under way or has happened since the call left (one
    /// fetch per burst). The guards keep deciding on the current roles
    /// until the answer is in.
    pub fn recheck_after_forbidden(&self, epoch: u64) {
        if !self.forbidden.with_value(|gate| gate.try_start(epoch)) {
            return;
        }
        let this = *self;
        spawn_local(async move {
            // The outcome is recorded in the stores and the roles state.
            let _ = this.fetch_configuration(RolesState::Rechecking).await;
            this.forbidden.with_value(RecheckGate::finish);
        });
    }

    /// The API client: every call carries the bearer token and answers
    /// `401` with the one shared refresh.
    pub fn client(&self) -> SessionClient {
        self.client.get_value()
    }

    /// Whether the roles can be trusted yet (tracked).
    pub fn roles_state(&self) -> RolesState {
        self.roles.get()
    }

    /// Whether the stored user is the one the session belongs to.
    pub fn user_matches_session(&self) -> bool {
        self.access
            .session_untracked()
            .is_some_and(|session| self.user.is(&session.subject))
    }

    /// Logs in with the seed protocol (`POST /api/account/login`), keeps
    /// the tokens and then loads the user's configuration. A configuration
    /// that fails to load leaves the user logged in, with a warning (see
    /// [`RolesState::Stale`]).
    pub async fn login(&self, user_name: &str, password: &str) -> Result<(), ApiError> {
        let answer = self.seed_login(user_name, password).await?;
        let user_id = answer.user_id.unwrap_or_default();
        let session = Session::new(
            answer.token,
            answer.refresh_token,
            user_id.clone(),
            answer.expires_in,
            js_sys::Date::now(),
        )
        .with_refresh_expiry(answer.refresh_expires_in);
        self.access.start(session).await;
        self.user
            .set(UserInfo::signed_in(user_id, user_name.to_owned()));
        // Failure is recorded in the roles state; the login itself worked.
        let _ = self.get_application_configuration().await;
        Ok(())
    }

    /// Starts a session with the tokens a login of your own gave (a
    /// [`crate::Backend::custom`] backend), for every tab, with `user` as
    /// the current user (the tokens' subject is `user.id`): its roles are
    /// whatever it holds (call [`Self::refresh_roles`] where the backend
    /// serves ABP's application configuration).
    pub async fn start(&self, tokens: TokenPair, user: UserInfo) {
        let session = Session::new(
            tokens.access_token,
            tokens.refresh_token,
            user.id.clone(),
            tokens.expires_in,
            js_sys::Date::now(),
        )
        .with_refresh_expiry(tokens.refresh_expires_in);
        self.access.start(session).await;
        self.user.set(user);
    }

    /// `POST /api/account/login`. Sent without a token and never refreshed:
    /// its `401` means wrong credentials. The answer must carry both tokens
    /// and the user id.
    async fn seed_login(&self, user_name: &str, password: &str) -> Result<TokenResponse, ApiError> {
        let request = Request {
            body: Body::json(&LoginRequest {
                user_name: user_name.to_owned(),
                password: password.to_owned(),
            })?,
            ..Request::new(Method::POST, paths::LOGIN)
        };
        let client = self.client();
        let login: TokenResponse = client.transport().send(request).await?.success()?.json()?;
        let complete = login.success
            && !login.token.is_empty()
            && !login.refresh_token.is_empty()
            && login.user_id.as_deref().is_some_and(|id| !id.is_empty());
        if complete {
            Ok(login)
        } else {
            Err(ApiError::Decode(
                "the login answer carries no tokens".into(),
            ))
        }
    }

    /// Logs out: waiting calls are failed and this tab's stores cleared at
    /// once; then, under the refresh lock, the shared record is ended (other
    /// tabs follow) and the server is asked to revoke the login's latest
    /// refresh token.
    pub fn logout(&self) {
        let client = self.client();
        client.coordinator().abandon();
        self.configuration_fetches.update_value(|n| *n += 1);
        let session = self.access.session_untracked();
        self.access.clear();
        self.user.clear();
        self.roles.set(RolesState::Current);
        if let Some(session) = session {
            let shared = self.shared.get_value();
            let revoke = self.revoke.get_value();
            spawn_local(async move {
                let ended = shared
                    .end_login(session, move |latest| revoke(client, latest))
                    .await;
                if let Err(error) = ended {
                    leptos::logging::warn!("the login was not ended for every tab: {error}");
                }
            });
        }
    }

    /// Fetches the roles in the background, guarded routes waiting until
    /// they are in (start-up on reload).
    pub fn refresh_roles(&self) {
        self.fetch_in_background(RolesState::Checking);
    }

    /// Fetches the roles again on request (after a `403`, after editing
    /// one's own roles); the page stays until the answer decides otherwise.
    pub fn recheck_roles(&self) {
        self.fetch_in_background(RolesState::Rechecking);
    }

    fn fetch_in_background(&self, meanwhile: RolesState) {
        let this = *self;
        spawn_local(async move {
            // The outcome is recorded in the stores and the roles state.
            let _ = this.fetch_configuration(meanwhile).await;
        });
    }

    /// Fetches the application configuration and replaces the user's roles
    /// and granted policies; guarded routes wait while it runs.
    pub async fn get_application_configuration(&self) -> Result<(), ApiError> {
        self.fetch_configuration(RolesState::Checking).await
    }

    /// The fetch itself. Its answer is dropped if a newer fetch started, the
    /// user logged out, or the session changed hands meanwhile.
    async fn fetch_configuration(&self, meanwhile: RolesState) -> Result<(), ApiError> {
        let ticket = self.configuration_fetches.with_value(|n| n + 1);
        self.configuration_fetches.set_value(ticket);
        self.roles.set(meanwhile);
        let started = js_sys::Date::now();
        let outcome = self.application_configuration().await;
        let (roles, state, result) = if self.configuration_fetches.get_value() != ticket {
            (RolesOutcome::Dropped, None, outcome.map(drop))
        } else {
            match outcome {
                Ok(configuration) => {
                    let session_user = self.access.session_untracked().map(|s| s.subject);
                    let roles = match UserInfo::from_configuration(configuration) {
                        Some(info) if Some(&info.id) == session_user.as_ref() => {
                            self.user.set(info);
                            RolesOutcome::Current
                        }
                        _ => {
                            leptos::logging::warn!(
                                "dropping the configuration of an ended session"
                            );
                            RolesOutcome::Dropped
                        }
                    };
                    (roles, Some(RolesState::Current), Ok(()))
                }
                Err(ApiError::SessionExpired) => (
                    RolesOutcome::Dropped,
                    Some(RolesState::Current),
                    Err(ApiError::SessionExpired),
                ),
                Err(error) => (
                    RolesOutcome::Stale,
                    Some(RolesState::Stale(error.to_string())),
                    Err(error),
                ),
            }
        };
        self.timeline().record_at(
            started,
            Event::Roles {
                duration_ms: js_sys::Date::now() - started,
                outcome: roles,
            },
        );
        // A newer fetch decides the roles state.
        if let Some(state) = state {
            self.roles.set(state);
        }
        result
    }
}

/// Asks a seed server to revoke `session`'s refresh token family (best
/// effort): `POST /api/account/logout` with the refresh token alone (RFC
/// 7009 style), outside the coordinator, so an expired access token costs
/// no refresh.
pub(crate) fn revoke_at_seed() -> Revoke {
    Rc::new(|client, session| {
        Box::pin(async move {
            let request = Body::json(&silent_refresh_protocol::LogoutRequest {
                refresh_token: session.refresh_token,
            })
            .map(|body| Request {
                body,
                ..Request::new(Method::POST, paths::LOGOUT)
            });
            let sent = match request {
                Ok(request) => client
                    .transport()
                    .send(request)
                    .await
                    .and_then(|r| r.success()),
                Err(error) => Err(error),
            };
            if let Err(error) = sent {
                leptos::logging::warn!("the server did not revoke the session: {error}");
            }
        })
    })
}

/// Revokes `session`'s refresh token at the ABP server's revocation
/// endpoint (RFC 7009, best effort), where its discovery document names one.
pub(crate) fn revoke_at_abp(settings: AbpSettings) -> Revoke {
    Rc::new(move |client, session| {
        let settings = settings.clone();
        Box::pin(async move {
            match abp::revoke(client.transport(), &settings, &session.refresh_token).await {
                Ok(true) => {}
                Ok(false) => leptos::logging::warn!("the server names no revocation endpoint"),
                Err(error) => leptos::logging::warn!("the server did not revoke: {error}"),
            }
        })
    })
}

/// Revokes `session`'s refresh token at the identity provider (RFC 7009,
/// best effort); the provider's own sign-in session is left alone.
pub(crate) fn revoke_at_provider(provider: OidcClient) -> Revoke {
    Rc::new(move |_, session| {
        let provider = provider.clone();
        Box::pin(async move {
            match provider.revoke(&session.refresh_token).await {
                Ok(true) => {}
                Ok(false) => leptos::logging::warn!("the identity provider cannot revoke tokens"),
                Err(error) => {
                    leptos::logging::warn!("the identity provider did not revoke: {error}")
                }
            }
        })
    })
}

/// A backend of your own revokes nothing here: end the login at your
/// server yourself if it can.
pub(crate) fn revoke_nothing() -> Revoke {
    Rc::new(|_, _| Box::pin(async {}))
}

/// The [`AuthStore`] that [`crate::provide_session`] provided.
///
/// # Panics
///
/// Outside the reactive owner `provide_session` was called under.
pub fn use_auth() -> AuthStore {
    expect_context::<AuthStore>()
}
