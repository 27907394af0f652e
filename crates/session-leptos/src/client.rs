//! `SessionClient`: the API client of the session [`crate::provide_session`]
//! wires.

use std::{future::Future, pin::Pin};

use serde::{Serialize, de::DeserializeOwned};
use silent_refresh_web::{
    ApiClient, ApiError, Body, Coordinator, Method, Response, SharedRefresher, TokenRefresher,
    Transport,
};

use crate::SessionTokens;

/// The coordinator of the session's refreshes.
pub type SessionCoordinator = Coordinator<SessionTokens, SharedRefresher<TokenRefresher>>;

/// The session's API client: every call carries the bearer token, and
/// every `401` waits for the one shared refresh (once across tabs) and is
/// sent again with the new token. Cheap to clone; clones share the queue.
///
/// One concrete type rather than [`ApiClient`]'s generic one, so that an
/// app's calls and the session layer's share one copy of the call's code
/// in the build (a copy is some 3 KB of wasm).
#[derive(Clone)]
pub struct SessionClient(ApiClient<SessionTokens, SharedRefresher<TokenRefresher>>);

impl SessionClient {
    pub(crate) fn new(client: ApiClient<SessionTokens, SharedRefresher<TokenRefresher>>) -> Self {
        Self(client)
    }

    /// `GET path`, decoded from JSON.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.call(Method::GET, path, Body::Empty).await?.json()
    }

    /// `PUT path` with a JSON body, the answer decoded from JSON.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.call(Method::PUT, path, Body::json(body)?)
            .await?
            .json()
    }

    /// Sends a call: with the current token, and once more with a fresh one
    /// if the first answer is `401`. Any other non-success status is an
    /// error. Boxed, so that the call's code is built once, here, whichever
    /// crate awaits it.
    pub fn call<'a>(
        &'a self,
        method: Method,
        path: &'a str,
        body: Body,
    ) -> Pin<Box<dyn Future<Output = Result<Response, ApiError>> + 'a>> {
        Box::pin(self.0.call(method, path, body))
    }

    /// The transport, for the calls that must not be intercepted (a login:
    /// its `401` is an answer, not an expired token).
    pub fn transport(&self) -> &Transport {
        self.0.transport()
    }

    /// The refresh coordinator (its status; logout abandons its queue).
    pub fn coordinator(&self) -> &SessionCoordinator {
        self.0.coordinator()
    }
}
