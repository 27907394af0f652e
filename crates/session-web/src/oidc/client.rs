//! [`OidcClient`]: the sign-in's browser side. Discovery, the random
//! values, the pending sign-in in `sessionStorage`, and the calls to the
//! provider's token and revocation endpoints.

use std::{cell::RefCell, rc::Rc};

use gloo_storage::{SessionStorage, Storage};
use silent_refresh_core::{RefreshError, RefreshGrant, TokenPair};

use super::{
    CallbackParams, ClientParams, OidcError, PendingLogin, Pkce, ProviderMetadata,
    authorization_url, base64url, check_callback, check_claims, decode_claims, discovery_url,
    parse_metadata,
};
use crate::{
    Session,
    log::warn,
    oauth2::{refresh_token_grant, token_endpoint_answer},
    transport::{Body, Method, Request, Response, Transport, form_encode},
};

/// How the app is registered at its identity provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcSettings {
    /// The issuer identifier (`https://id.example.com`), as the provider
    /// names itself.
    pub issuer: String,
    /// The public client's id.
    pub client_id: String,
    /// The scopes asked for, space-separated (`openid` and, for refresh
    /// tokens, usually `offline_access`).
    pub scopes: String,
    /// The absolute callback URL registered at the provider.
    pub redirect_uri: String,
}

/// A completed sign-in: the session to keep and who signed in.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedIn {
    /// The tokens, for the shared record; its subject is the ID token's `sub`.
    pub session: Session,
    /// The login name (`preferred_username`, else `sub`).
    pub user_name: String,
    /// The app's page the sign-in was started from.
    pub return_to: String,
}

/// Signs in with an OpenID Connect provider (authorization code + PKCE),
/// and refreshes and revokes at its endpoints. Cheap to clone; the
/// provider's configuration is discovered once and shared.
#[derive(Clone)]
pub struct OidcClient {
    inner: Rc<Inner>,
}

struct Inner {
    settings: OidcSettings,
    transport: Transport,
    metadata: RefCell<Option<Rc<ProviderMetadata>>>,
}

impl OidcClient {
    /// A client for `settings`, calling the provider over `transport`.
    pub fn new(settings: OidcSettings, transport: Transport) -> Self {
        Self {
            inner: Rc::new(Inner {
                settings,
                transport,
                metadata: RefCell::new(None),
            }),
        }
    }

    /// The transport to the provider.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The provider's configuration, discovered on first use (a failure is
    /// not kept: the next call tries again).
    pub async fn metadata(&self) -> Result<Rc<ProviderMetadata>, OidcError> {
        if let Some(metadata) = self.inner.metadata.borrow().clone() {
            return Ok(metadata);
        }
        let issuer = &self.inner.settings.issuer;
        let url = discovery_url(issuer);
        let response = self
            .inner
            .transport
            .send(Request::new(Method::GET, &url))
            .await
            .map_err(|e| OidcError::Discovery(format!("{url}: {e}")))?;
        let metadata = Rc::new(parse_metadata(issuer, &response)?);
        self.inner.metadata.replace(Some(Rc::clone(&metadata)));
        Ok(metadata)
    }

    /// Starts a sign-in that comes back to `return_to`: keeps the pending
    /// sign-in for this tab and returns the provider's URL to go to.
    pub async fn begin_login(&self, return_to: &str) -> Result<String, OidcError> {
        let metadata = self.metadata().await?;
        let pkce = Pkce::from_random(&random_bytes()?);
        let pending = PendingLogin {
            state: base64url(&random_bytes()?),
            nonce: base64url(&random_bytes()?),
            verifier: pkce.verifier,
            return_to: return_to.to_owned(),
        };
        SessionStorage::set(self.pending_key(), &pending)
            .map_err(|e| OidcError::Browser(format!("sessionStorage: {e}")))?;
        let settings = &self.inner.settings;
        let client = ClientParams {
            client_id: &settings.client_id,
            scopes: &settings.scopes,
            redirect_uri: &settings.redirect_uri,
        };
        Ok(authorization_url(
            &metadata,
            client,
            &pending,
            &pkce.challenge,
        ))
    }

    /// Completes the sign-in the callback's `query` answers, at `now_ms`:
    /// checks it against this tab's pending sign-in (used up either way, so
    /// a replayed callback URL finds none), exchanges the code and checks
    /// the ID token. Nothing is kept unless every check passes.
    pub async fn complete_login(&self, query: &str, now_ms: f64) -> Result<SignedIn, OidcError> {
        let pending = self.take_pending();
        let metadata = self.metadata().await?;
        let code = check_callback(&CallbackParams::parse(query), pending.as_ref(), &metadata)?;
        let pending = pending.ok_or(OidcError::NoLoginInProgress)?;
        let settings = &self.inner.settings;
        let exchange = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", &settings.redirect_uri),
            ("client_id", &settings.client_id),
            ("code_verifier", &pending.verifier),
        ];
        let response = self.post_form(&metadata.token_endpoint, &exchange).await?;
        let answer =
            token_endpoint_answer(&response).map_err(|e| OidcError::Exchange(e.to_string()))?;
        let id_token = answer
            .id_token
            .as_deref()
            .ok_or_else(|| OidcError::IdToken("the provider sent none".into()))?;
        let claims = decode_claims(id_token)?;
        check_claims(
            &claims,
            &metadata.issuer,
            &settings.client_id,
            &pending.nonce,
            now_ms,
        )?;
        let refresh_token = answer
            .refresh_token
            .filter(|token| !token.is_empty())
            .ok_or(OidcError::NoRefreshToken)?;
        let session = Session::new(
            answer.access_token,
            refresh_token,
            claims.sub.clone(),
            answer.expires_in,
            now_ms,
        )
        .with_refresh_expiry(answer.refresh_expires_in);
        Ok(SignedIn {
            session,
            user_name: claims.preferred_username.unwrap_or(claims.sub),
            return_to: pending.return_to,
        })
    }

    /// One `refresh_token` grant at the provider's token endpoint. A
    /// provider that cannot be discovered is unavailable, not a rejection.
    pub async fn refresh(&self, grant: &RefreshGrant) -> Result<TokenPair, RefreshError> {
        let metadata = self
            .metadata()
            .await
            .map_err(|e| RefreshError::Unavailable(e.to_string()))?;
        refresh_token_grant(
            &self.inner.transport,
            &metadata.token_endpoint,
            &self.inner.settings.client_id,
            None,
            grant,
        )
        .await
    }

    /// Revokes `refresh_token` (RFC 7009) and with it, at most providers,
    /// the whole grant. `Ok(false)`: the provider has no revocation endpoint.
    pub async fn revoke(&self, refresh_token: &str) -> Result<bool, OidcError> {
        let metadata = self.metadata().await?;
        let Some(endpoint) = &metadata.revocation_endpoint else {
            return Ok(false);
        };
        let revocation = [
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
            ("client_id", &self.inner.settings.client_id),
        ];
        let response = self.post_form(endpoint, &revocation).await?;
        if response.is_success() {
            Ok(true)
        } else {
            Err(OidcError::Exchange(format!(
                "the revocation endpoint answered {}",
                response.status
            )))
        }
    }

    /// POSTs the form `pairs` to the provider's `url`.
    async fn post_form(&self, url: &str, pairs: &[(&str, &str)]) -> Result<Response, OidcError> {
        let request = Request {
            body: Body::Form(form_encode(pairs)),
            ..Request::new(Method::POST, url)
        };
        self.inner
            .transport
            .send(request)
            .await
            .map_err(|e| OidcError::Exchange(e.to_string()))
    }

    fn pending_key(&self) -> String {
        format!("oidc-login.{}", self.inner.settings.client_id)
    }

    /// The pending sign-in of this tab, removed from storage.
    fn take_pending(&self) -> Option<PendingLogin> {
        let key = self.pending_key();
        let raw = SessionStorage::raw().get_item(&key).ok().flatten()?;
        SessionStorage::delete(&key);
        match serde_json::from_str(&raw) {
            Ok(pending) => Some(pending),
            Err(error) => {
                warn(&format!("ignoring an unreadable pending sign-in: {error}"));
                None
            }
        }
    }
}

/// 32 bytes from `crypto.getRandomValues`.
fn random_bytes() -> Result<[u8; 32], OidcError> {
    crate::random::bytes().map_err(OidcError::Browser)
}
