//! `AuthStore`: login, logout and the application configuration, over the
//! access and user stores and the API client.

use leptos::{prelude::*, task::spawn_local};

use super::{AccessStore, Session, UserInfo, UserStore};
use crate::{
    api::{ApiClient, ApiError, TokenRefresher, Transport},
    auth::{RetryPolicy, TokenPair, TokenSnapshot, TokenStore},
    config,
};

/// The API client as the app uses it.
pub type AppClient = ApiClient<SessionTokens>;

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
    /// Being fetched: guarded routes wait and decide nothing.
    Checking,
    /// As the server last said.
    Current,
    /// The last fetch failed for a transient reason: the stored roles are
    /// kept and the user is warned.
    Stale(String),
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
    client: StoredValue<AppClient, LocalStorage>,
}

impl AuthStore {
    /// The stores as `localStorage` left them, and a client for the API of
    /// the build-time configuration.
    pub fn from_storage() -> Self {
        let access = AccessStore::from_storage();
        let user = UserStore::from_storage();
        let transport = Transport::new(config::API_BASE, config::REQUEST_TIMEOUT_MS);
        let refresher = TokenRefresher::new(
            transport.clone(),
            config::REFRESH_MODE,
            &transport.url(config::OAUTH2_TOKEN_URL),
            config::OAUTH2_CLIENT_ID,
        );
        let client = ApiClient::new(
            SessionTokens { access, user },
            transport,
            refresher,
            RetryPolicy::default(),
            move |status| access.set_refresh_status(status),
        );
        Self {
            access,
            user,
            roles: RwSignal::new(RolesState::Current),
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

    /// Logs in, keeps the tokens and then loads the user's configuration.
    /// A configuration that fails to load leaves the user logged in, with a
    /// warning (see [`RolesState::Stale`]).
    pub async fn login(&self, user_name: &str, password: &str) -> Result<(), ApiError> {
        let client = self.client();
        let answer = client.login(user_name, password).await?;
        // A refresh of a previous session must not land in this one.
        client.coordinator().abandon();
        self.access.start(Session::new(
            answer.token,
            answer.refresh_token,
            answer.user_id.clone(),
            answer.expires_in,
            js_sys::Date::now(),
        ));
        self.user
            .set(UserInfo::signed_in(answer.user_id, user_name.to_owned()));
        // Failure is recorded in the roles state; the login itself worked.
        let _ = self.get_application_configuration().await;
        Ok(())
    }

    /// Logs out: waiting calls are failed, the stores and storage cleared at
    /// once, and the server is asked (best effort) to revoke the refresh token.
    pub fn logout(&self) {
        let client = self.client();
        client.coordinator().abandon();
        let session = self.access.session_untracked();
        self.access.clear();
        self.user.clear();
        self.roles.set(RolesState::Current);
        if let Some(session) = session {
            spawn_local(async move {
                if let Err(error) = client
                    .logout(Some(&session.access_token), &session.refresh_token)
                    .await
                {
                    leptos::logging::warn!("the server did not revoke the session: {error}");
                }
            });
        }
    }

    /// Re-fetches the roles and policies in the background. Guarded routes
    /// wait from this moment on, not from when the request leaves.
    pub fn refresh_roles(&self) {
        self.roles.set(RolesState::Checking);
        let this = *self;
        spawn_local(async move {
            // The outcome is recorded in the stores and the roles state.
            let _ = this.get_application_configuration().await;
        });
    }

    /// Fetches the application configuration and replaces the user's roles
    /// and granted policies. Guarded routes wait while it runs. An answer
    /// that arrives after the session changed hands is dropped.
    pub async fn get_application_configuration(&self) -> Result<(), ApiError> {
        self.roles.set(RolesState::Checking);
        let outcome = self.client().application_configuration().await;
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

/// The [`AuthStore`] provided by the app.
pub fn use_auth() -> AuthStore {
    expect_context::<AuthStore>()
}
