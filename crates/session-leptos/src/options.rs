//! What [`crate::provide_session`] wires: the backend, where it is, and
//! which of the session layer's behaviours are on.

use std::rc::Rc;

use silent_refresh_web::{
    RefreshCall, RequestHeaders, TokenRefresher, Transport,
    abp::AbpSettings,
    oidc::{OidcClient, OidcSettings},
};

use crate::{
    AuthStore,
    auth::{Revoke, revoke_at_abp, revoke_at_provider, revoke_at_seed, revoke_nothing},
    bff::{follow_bff_session_in_background, logout_at_bff},
};

/// The backend the session signs in to and refreshes at. Each constructor
/// carries its own wiring, so a build keeps only the backends it names.
#[derive(Clone)]
pub struct Backend {
    name: &'static str,
    wire: Rc<Wire>,
    /// The session lives in a Backend-for-Frontend's cookie.
    in_cookie: bool,
}

/// How a backend is wired over the API's transport and timeout.
type Wire = dyn Fn(&Transport, u32) -> Wired;

/// What a backend brings to the session: its refresh, its revocation, its
/// sign-in settings, and what it does at start-up once the session is
/// wired (a function only its constructor names, so other builds drop it).
pub(crate) struct Wired {
    pub refresher: TokenRefresher,
    pub revoke: Revoke,
    pub provider: Option<OidcClient>,
    pub abp: Option<AbpSettings>,
    pub start: Option<fn(AuthStore)>,
}

impl Backend {
    /// The seed protocol: `POST /api/account/login` with a user name and a
    /// password, `POST /api/app/account/refresh-token` with
    /// `{userId, refreshToken}`, `POST /api/account/logout`.
    pub fn seed() -> Self {
        Self::wired("seed", |api, _| {
            Wired::refreshing(TokenRefresher::seed(api.clone()))
        })
    }

    /// The seed protocol's login, refreshed with RFC 6749 §6 at
    /// `token_url` (a path below the API base, or an absolute URL) as the
    /// public client `client_id`.
    pub fn oauth2(token_url: &str, client_id: &str) -> Self {
        let (token_url, client_id) = (token_url.to_owned(), client_id.to_owned());
        Self::wired("oauth2", move |api, _| {
            Wired::refreshing(TokenRefresher::oauth2(api.clone(), &token_url, &client_id))
        })
    }

    /// An OpenID Connect provider: sign-in by redirect (code + PKCE),
    /// refresh and revocation at its endpoints, found by discovery.
    pub fn oidc(settings: OidcSettings) -> Self {
        Self::wired("oidc", move |_, timeout_ms| {
            // The provider's endpoints are absolute URLs: no API base, and
            // none of the API's headers (a provider need not allow them
            // cross-origin).
            let provider = OidcClient::new(settings.clone(), Transport::new("", timeout_ms));
            Wired {
                refresher: TokenRefresher::oidc(provider.clone()),
                revoke: revoke_at_provider(provider.clone()),
                provider: Some(provider),
                abp: None,
                start: None,
            }
        })
    }

    /// A stock ABP server: OpenIddict's password grant (tenants, two
    /// factors) and refresh at `/connect/token`, ABP's `__tenant` header,
    /// revocation.
    pub fn abp(settings: AbpSettings) -> Self {
        Self::wired("abp", move |api, _| Wired {
            refresher: TokenRefresher::abp(api.clone(), settings.clone()),
            revoke: revoke_at_abp(settings.clone()),
            provider: None,
            abp: Some(settings.clone()),
            start: None,
        })
    }

    /// A Backend-for-Frontend on this page's origin (the reference
    /// server's `--bff-issuer` mode, or one in Duende.BFF's shape): it
    /// holds the tokens and refreshes them; the browser holds its
    /// `HttpOnly` cookie. Calls carry `X-CSRF: 1` and no bearer, a `401`
    /// means the session ended, sign-in leaves for `/bff/login`
    /// ([`crate::AuthStore::begin_bff_sign_in`]), start-up asks
    /// `/bff/user`, logout posts `/bff/logout`.
    pub fn bff() -> Self {
        Self {
            in_cookie: true,
            ..Self::wired("bff", |api, _| Wired {
                refresher: TokenRefresher::cookie(api.clone()),
                revoke: logout_at_bff(),
                provider: None,
                abp: None,
                start: Some(follow_bff_session_in_background),
            })
        }
    }

    /// Whether the session lives in a Backend-for-Frontend's cookie.
    pub fn is_bff(&self) -> bool {
        self.in_cookie
    }

    /// A backend of your own: its refresh call. Sign in with
    /// [`crate::AuthStore::start`] after your own login call; logging out
    /// ends the session in every tab and revokes nothing at the server.
    pub fn custom(call: impl RefreshCall + 'static) -> Self {
        let call: Rc<dyn RefreshCall> = Rc::new(call);
        Self::wired("custom", move |api, _| Wired {
            refresher: TokenRefresher::custom(api.clone(), call.clone()),
            revoke: revoke_nothing(),
            provider: None,
            abp: None,
            start: None,
        })
    }

    fn wired(name: &'static str, wire: impl Fn(&Transport, u32) -> Wired + 'static) -> Self {
        Self {
            name,
            wire: Rc::new(wire),
            in_cookie: false,
        }
    }

    /// Wires the backend over the API's transport.
    pub(crate) fn wire(&self, api: &Transport, timeout_ms: u32) -> Wired {
        (self.wire)(api, timeout_ms)
    }
}

impl Wired {
    /// A backend that signs in with the seed protocol's login and revokes
    /// there, refreshing with `refresher`.
    fn refreshing(refresher: TokenRefresher) -> Self {
        Self {
            refresher,
            revoke: revoke_at_seed(),
            provider: None,
            abp: None,
            start: None,
        }
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Backend({})", self.name)
    }
}

/// How the session layer is wired. Start from [`SessionOptions::new`] and
/// change what you need:
///
/// ```
/// use silent_refresh_leptos::{Backend, SessionOptions};
///
/// let options = SessionOptions::new("my-app", Backend::seed())
///     .api_base("https://api.example.com")
///     .refresh_roles_on_reload(true);
/// assert_eq!(options.name, "my-app");
/// ```
#[derive(Clone)]
pub struct SessionOptions {
    /// Names the shared session record (its IndexedDB database and
    /// `localStorage` keys) and the refresh's Web Lock: one per app on an
    /// origin.
    pub name: String,
    /// The backend.
    pub backend: Backend,
    /// The API's base URL (empty: this page's origin).
    pub api_base: String,
    /// How long a call may take before it fails, ms.
    pub request_timeout_ms: u32,
    /// Headers every API call gets besides the bearer token, asked for as
    /// each call leaves (an ABP session's tenant is added to them).
    pub headers: Option<RequestHeaders>,
    /// On a reload (`PerformanceNavigationTiming.type == "reload"`) with a
    /// session, fetch the roles and policies again before guards decide.
    pub refresh_roles_on_reload: bool,
    /// A tab shown again after being hidden this long (ms) fetches the
    /// roles again; `None`: never.
    pub recheck_roles_after_hidden_ms: Option<u64>,
    /// Whether the roles one tab fetched are taken by the others (else each
    /// tab keeps its own until it fetches them).
    pub share_roles_across_tabs: bool,
    /// How many events the timeline ring keeps ([`crate::SessionLog`]); `0`:
    /// none are kept.
    pub timeline_capacity: usize,
}

impl SessionOptions {
    /// The options for `backend`, with the session record named `name`:
    /// the API on this page's origin, 10 s per call, roles shared across
    /// tabs and fetched again only when asked for, no timeline.
    pub fn new(name: &str, backend: Backend) -> Self {
        Self {
            name: name.to_owned(),
            backend,
            api_base: String::new(),
            request_timeout_ms: 10_000,
            headers: None,
            refresh_roles_on_reload: false,
            recheck_roles_after_hidden_ms: None,
            share_roles_across_tabs: true,
            timeline_capacity: 0,
        }
    }

    /// The API below `base` (an absolute URL, no trailing slash).
    #[must_use]
    pub fn api_base(self, base: &str) -> Self {
        Self {
            api_base: base.to_owned(),
            ..self
        }
    }

    /// Fetch the roles again on a reload (the original design's
    /// `REFRESH_ROLE`).
    #[must_use]
    pub fn refresh_roles_on_reload(self, on: bool) -> Self {
        Self {
            refresh_roles_on_reload: on,
            ..self
        }
    }

    /// Keep the last `capacity` session events for a timeline.
    #[must_use]
    pub fn timeline(self, capacity: usize) -> Self {
        Self {
            timeline_capacity: capacity,
            ..self
        }
    }
}
