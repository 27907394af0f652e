//! `provide_session`: the session layer wired once, and `use_session`: its
//! state as signals.

use std::time::Duration;

use leptos::prelude::*;
use silent_refresh_core::{CoordinatorOptions, KeepAliveCheck};
use silent_refresh_protocol::bff::CSRF_HEADER;
use silent_refresh_web::{
    ApiClient, KeepAlive, SessionRecord, SharedRefresher, Transport, Wake, abp::TENANT_HEADER,
};

use crate::{
    AccessStore, ApiError, AuthStore, RolesState, SessionClient, SessionLog, SessionOptions,
    SessionTokens, UserInfo, UserStore, auth::Wiring, guard::decide_access, options::Wired,
    reload::refresh_roles_if_needed, tabs::follow_other_tabs, user::user_key,
};

/// How often the proactive refresh's deadline is checked against the wall
/// clock (besides every wake-up event). A quarter second, so that even a
/// 2 s token is refreshed close to its deadline, not a tick after it (a
/// hidden tab's timers are slowed to once a second by the browser anyway).
const KEEP_ALIVE_TICK: Duration = Duration::from_millis(250);

/// Where the session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Nobody is logged in.
    LoggedOut,
    /// A session, kept alive by silent refreshes.
    LoggedIn,
    /// The server refused the refresh token: logged out, and the login page
    /// may say why.
    Expired,
}

/// The session as signals, with what acts on it. `Copy`; from
/// [`provide_session`] or [`use_session`]. The rest of the session layer
/// (ABP and OpenID Connect sign-in, role re-checks, the timeline) is on
/// [`UseSession::auth`].
#[derive(Clone, Copy)]
pub struct UseSession {
    /// Logged in, logged out, or expired.
    pub status: Signal<SessionStatus>,
    /// The current user, with roles and granted policies.
    pub user: Signal<Option<UserInfo>>,
    /// Seconds until the access token expires (`None`: logged out or no
    /// expiry known); a silent refresh runs ahead of it.
    pub expires_in: Signal<Option<u64>>,
    /// Whether a refresh is running (in this tab).
    pub refreshing: Signal<bool>,
    /// How many calls wait for that refresh.
    pub waiting: Signal<usize>,
    /// How many refreshes this tab has made.
    pub refreshes: Signal<u64>,
    /// Whether the roles can be trusted yet.
    pub roles: Signal<RolesState>,
    /// The stores and every other action.
    pub auth: AuthStore,
}

impl UseSession {
    /// Logs in with a user name and a password ([`crate::Backend::seed`]
    /// and [`crate::Backend::oauth2`]), then fetches the roles.
    pub async fn log_in(&self, user_name: &str, password: &str) -> Result<(), ApiError> {
        self.auth.login(user_name, password).await
    }

    /// Logs out in every tab and revokes the refresh token where the
    /// backend can.
    pub fn log_out(&self) {
        self.auth.logout();
    }

    /// The API client: every call carries the bearer token, and every `401`
    /// waits for the one shared refresh and is sent again.
    pub fn client(&self) -> SessionClient {
        self.auth.client()
    }

    /// The condition of a leptos_router `ProtectedRoute` open to the users
    /// holding `policy` (`None`: to anyone logged in): `None` while the
    /// roles are being fetched (a reload with the role refresh on), so the
    /// route waits instead of deciding on stale roles.
    pub fn allows(
        &self,
        policy: Option<&'static str>,
    ) -> impl Fn() -> Option<bool> + Send + Sync + Clone + use<> {
        let auth = self.auth;
        move || {
            if !auth.access.is_logged_in() {
                return Some(false);
            }
            let granted = policy.is_none_or(|policy| auth.user.has_policy(policy));
            decide_access(&auth.roles_state(), granted).as_condition()
        }
    }
}

/// Wires the session layer for `options`, provides it to the current
/// reactive owner (see [`AuthStore::provide`]) and returns it as
/// [`use_session`] does. Call it before the router mounts, so guards wait
/// for the role refresh.
pub fn provide_session(options: SessionOptions) -> UseSession {
    AuthStore::provide(options);
    use_session()
}

impl AuthStore {
    /// Wires the session layer for `options` and provides it to the current
    /// reactive owner (read it back with [`use_session`] and
    /// [`crate::use_auth`]), without building the hook's signals: the shared session record and the stores over it,
    /// following other tabs; the API client, whose refreshes run once across
    /// tabs for the backend; a proactive refresh ahead of each expiry, checked
    /// on a tick and on every wake-up; and, with a session, the role refresh
    /// on reload.
    pub fn provide(options: SessionOptions) -> AuthStore {
        let record = SessionRecord::new(&options.name);
        let timeline = SessionLog::new(options.timeline_capacity);
        timeline.follow_connection();
        let access = AccessStore::new(record.clone(), timeline);
        let user = UserStore::from_storage(user_key(&options.name));
        follow_other_tabs(access, user, options.share_roles_across_tabs);
        let transport = api_transport(&options, access);
        let Wired {
            refresher,
            revoke,
            provider,
            abp,
            start,
        } = options.backend.wire(&transport, options.request_timeout_ms);
        let shared = SharedRefresher::new(refresher, record, &options.name);
        let client = ApiClient::new(
            SessionTokens::new(access, user),
            transport,
            shared.clone(),
            CoordinatorOptions::default(),
            move |status| access.set_refresh_status(status),
        );
        let coordinator = client.coordinator().clone();
        let wiring = Wiring {
            client: SessionClient::new(client),
            shared,
            revoke,
            provider,
            abp,
        };
        let auth = AuthStore::new(access, user, wiring);
        let recheck_after = options.recheck_roles_after_hidden_ms;
        let keep_alive = KeepAlive::start(KEEP_ALIVE_TICK, move |wake| {
            let now = js_sys::Date::now();
            if let Wake::Shown { hidden_ms } = wake
                && recheck_after.is_some_and(|after| hidden_ms >= after)
                && access.is_logged_in_untracked()
            {
                auth.recheck_roles();
            }
            coordinator.keep_alive(KeepAliveCheck {
                refresh_due: access.refresh_due(now),
                came_back: wake != Wake::Tick,
                hidden: is_hidden(),
            });
        });
        // Stopped, with its timer and listeners, when the owner goes.
        StoredValue::<_, LocalStorage>::new_local(keep_alive);
        refresh_roles_if_needed(auth, options.refresh_roles_on_reload);
        if let Some(start) = start {
            start(auth);
        }
        provide_context(auth);
        auth
    }
}

/// The session [`provide_session`] provided, as signals.
///
/// # Panics
///
/// Outside the reactive owner `provide_session` was called under.
pub fn use_session() -> UseSession {
    let auth = crate::use_auth();
    // A clock for `expires_in`, ticking while the caller's owner lives.
    let clock = RwSignal::new(js_sys::Date::now());
    let ticking = set_interval_with_handle(
        move || clock.set(js_sys::Date::now()),
        Duration::from_secs(1),
    );
    if let Ok(ticking) = ticking {
        on_cleanup(move || ticking.clear());
    }
    let access = auth.access;
    let expires_in = Memo::new(move |_| {
        let expires_at = access.expires_at_ms()?;
        Some(((expires_at - clock.get()) / 1000.0).ceil().max(0.0) as u64)
    });
    UseSession {
        status: Signal::derive(
            move || match (access.is_logged_in(), access.session_expired()) {
                (true, _) => SessionStatus::LoggedIn,
                (false, true) => SessionStatus::Expired,
                (false, false) => SessionStatus::LoggedOut,
            },
        ),
        user: Signal::derive(move || auth.user.info()),
        expires_in: expires_in.into(),
        refreshing: Signal::derive(move || access.refresh_status().refreshing),
        waiting: Signal::derive(move || access.refresh_status().waiting),
        refreshes: Signal::derive(move || access.refresh_status().refreshes),
        roles: Signal::derive(move || auth.roles_state()),
        auth,
    }
}

/// The API's transport: below the API base, with the options' headers,
/// a BFF's `X-CSRF: 1` and, for a session in an ABP tenant, `__tenant` (so
/// every tab sends the one chosen at login).
fn api_transport(options: &SessionOptions, access: AccessStore) -> Transport {
    let extra = options.headers.clone();
    let csrf = options.backend.is_bff();
    let headers = move || {
        let mut headers = extra.as_ref().map(|extra| extra()).unwrap_or_default();
        if csrf {
            headers.push((CSRF_HEADER.0, CSRF_HEADER.1.to_owned()));
        }
        if let Some(tenant) = access.session_untracked().and_then(|s| s.tenant) {
            headers.push((TENANT_HEADER, tenant));
        }
        headers
    };
    Transport::new(&options.api_base, options.request_timeout_ms)
        .with_headers(std::rc::Rc::new(headers))
}

/// Whether the page is hidden (another tab in front, a minimised window).
fn is_hidden() -> bool {
    web_sys::window()
        .and_then(|window| window.document())
        .is_some_and(|document| document.hidden())
}
