//! The API client: the transport behind the refresh coordinator.

use serde::{Serialize, de::DeserializeOwned};
use silent_refresh_core::{
    CoordinatorOptions, RefreshCoordinator, RefreshStatus, Refresher, TokenStore,
};

use crate::{
    ApiError, BrowserRuntime,
    transport::{Body, Method, Request, Response, Transport},
};

/// The refresh coordinator on the browser's event loop.
pub type Coordinator<S, R> = RefreshCoordinator<S, R, BrowserRuntime>;

/// Sends every call with the current bearer token and handles its `401`
/// through the refresh coordinator, refreshing with `R`. Cheap to clone;
/// clones share the queue.
pub struct ApiClient<S, R> {
    transport: Transport,
    coordinator: Coordinator<S, R>,
}

impl<S, R> Clone for ApiClient<S, R> {
    fn clone(&self) -> Self {
        Self {
            transport: self.transport.clone(),
            coordinator: self.coordinator.clone(),
        }
    }
}

impl<S: TokenStore + 'static, R: Refresher + 'static> ApiClient<S, R> {
    /// A client over the tokens in `store`; `on_status` hears about every
    /// change of the refresh state (for the session panel).
    pub fn new(
        store: S,
        transport: Transport,
        refresher: R,
        options: CoordinatorOptions,
        on_status: impl Fn(RefreshStatus) + 'static,
    ) -> Self {
        let coordinator =
            RefreshCoordinator::new(store, refresher, BrowserRuntime, options, on_status);
        Self {
            transport,
            coordinator,
        }
    }

    /// The refresh coordinator (for its status and for logout).
    pub fn coordinator(&self) -> &Coordinator<S, R> {
        &self.coordinator
    }

    /// The transport, for the calls that must not be intercepted (login,
    /// logout: their `401` is an answer, not an expired token).
    pub fn transport(&self) -> &Transport {
        &self.transport
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

    /// Sends a call through the coordinator: with the current token, and
    /// once more with a fresh one if the first answer is `401`.
    pub async fn call(&self, method: Method, path: &str, body: Body) -> Result<Response, ApiError> {
        let (method, body) = (&method, &body);
        self.coordinator
            .send(|token| async move {
                // A cookie session's token is empty: no bearer at all.
                let request = Request {
                    bearer: token.as_deref().filter(|token| !token.is_empty()),
                    body: body.clone(),
                    ..Request::new(method.clone(), path)
                };
                self.transport.send(request).await?.success()
            })
            .await
    }
}
