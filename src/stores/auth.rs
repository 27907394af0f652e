//! `AuthStore`: login, logout and the application configuration, over the
//! access and user stores and the API client.

use leptos::{prelude::*, task::spawn_local};

use super::{
    AccessStore, Session, UserInfo, UserStore,
    cross_tab::{SharedRefresher, follow_other_tabs},
};
use crate::{
    api::{ApiClient, ApiError, TokenRefresher, Transport},
    auth::{CoordinatorOptions, Refresher, TokenPair, TokenSnapshot, TokenStore, Unauthorized},
    config,
};

/// The API client as the app uses it.
pub type AppClient = ApiClient<SessionTokens, SharedRefresher>;

/// The refresh core's view of the stores.
#[derive(Clone, Copy, Debug)]
pub struct SessionTokens {
    access: AccessStore,
    user: UserStore,
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
    /// Being fetched and not known yet (after login, on reload with
    /// `REFRESH_ROLE`): guarded routes wait and decide nothing.
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

/// The transport for the API of the build-time configuration.
fn configured_transport() -> Transport {
    Transport::new(config::API_BASE, config::REQUEST_TIMEOUT_MS)
}

/// The refresher for the refresh protocol of the build-time configuration.
fn configured_refresher(transport: Transport) -> TokenRefresher {
    let token_url = transport.url(config::OAUTH2_TOKEN_URL);
    TokenRefresher::new(
        transport,
        config::REFRESH_MODE,
        &token_url,
        config::OAUTH2_CLIENT_ID,
    )
}

/// Login, logout and the application configuration. `Copy`; provided
/// through context and read back with [`use_auth`].
#[derive(Clone, Copy)]
pub struct AuthStore {
    /// The tokens.
    pub access: AccessStore,
    /// The current user.
    pub user: UserStore,
    roles: RwSignal<RolesState>,
    /// Numbers the configuration fetches; only the latest may land.
    configuration_fetches: StoredValue<u64>,
    client: StoredValue<AppClient, LocalStorage>,
}

impl AuthStore {
    /// The stores as `localStorage` left them, following other tabs, and a
    /// client for the API of the build-time configuration.
    pub fn from_storage() -> Self {
        let access = AccessStore::from_storage();
        let user = UserStore::from_storage();
        follow_other_tabs(access, user);
        let transport = configured_transport();
        let client = ApiClient::new(
            SessionTokens { access, user },
            transport.clone(),
            SharedRefresher::new(configured_refresher(transport)),
            CoordinatorOptions::default(),
            move |status| access.set_refresh_status(status),
        );
        Self {
            access,
            user,
            roles: RwSignal::new(RolesState::Current),
            configuration_fetches: StoredValue::new(0),
            client: StoredValue::new_local(client),
        }
    }

    /// The API client.
    pub fn client(&self) -> AppClient {
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
            .is_some_and(|session| self.user.is(&session.user_id))
    }

    /// Logs in, keeps the tokens and then loads the user's configuration.
    /// A configuration that fails to load leaves the user logged in, with a
    /// warning (see [`RolesState::Stale`]).
    pub async fn login(&self, user_name: &str, password: &str) -> Result<(), ApiError> {
        let answer = self.client().login(user_name, password).await?;
        self.access
            .start(Session::new(
                answer.token,
                answer.refresh_token,
                answer.user_id.clone(),
                answer.expires_in,
                js_sys::Date::now(),
            ))
            .await;
        self.user
            .set(UserInfo::signed_in(answer.user_id, user_name.to_owned()));
        // Failure is recorded in the roles state; the login itself worked.
        let _ = self.get_application_configuration().await;
        Ok(())
    }

    /// Logs out: waiting calls are failed, the stores and storage cleared at
    /// once (other tabs follow), and the server is asked to revoke the
    /// refresh token.
    pub fn logout(&self) {
        let client = self.client();
        client.coordinator().abandon();
        self.configuration_fetches.update_value(|n| *n += 1);
        let session = self.access.session_untracked();
        spawn_local(self.access.clear());
        self.user.clear();
        self.roles.set(RolesState::Current);
        if let Some(session) = session {
            spawn_local(revoke(client, session));
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
        let outcome = self.client().application_configuration().await;
        if self.configuration_fetches.get_value() != ticket {
            return outcome.map(drop);
        }
        let (state, result) = match outcome {
            Ok(configuration) => {
                let session_user = self.access.session_untracked().map(|s| s.user_id);
                match UserInfo::from_configuration(configuration) {
                    Some(info) if Some(&info.id) == session_user.as_ref() => self.user.set(info),
                    _ => leptos::logging::warn!("dropping the configuration of an ended session"),
                }
                (RolesState::Current, Ok(()))
            }
            Err(ApiError::SessionExpired) => (RolesState::Current, Err(ApiError::SessionExpired)),
            Err(error) => (RolesState::Stale(error.to_string()), Err(error)),
        };
        self.roles.set(state);
        result
    }
}

/// Asks the server to revoke `session` (best effort). Its access token may
/// have expired: then one refresh, outside the coordinator (the session is
/// already gone here), buys a token to log out with.
async fn revoke(client: AppClient, session: Session) {
    let outcome = match client
        .logout(Some(&session.access_token), &session.refresh_token)
        .await
    {
        Err(error) if error.is_unauthorized() => match configured_refresher(configured_transport())
            .refresh(&session.grant())
            .await
        {
            Ok(pair) => {
                client
                    .logout(Some(&pair.access_token), &pair.refresh_token)
                    .await
            }
            Err(error) => Err(error.into()),
        },
        other => other,
    };
    if let Err(error) = outcome {
        leptos::logging::warn!("the server did not revoke the session: {error}");
    }
}

/// The [`AuthStore`] provided by the app.
pub fn use_auth() -> AuthStore {
    expect_context::<AuthStore>()
}
