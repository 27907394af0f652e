//! `/api/*` through the BFF: a call from this site's pages (`X-CSRF: 1`, no
//! other `Origin`) with a session cookie goes upstream with the session's
//! access token as the bearer, fresh, and with an allow-list of the
//! browser's headers: never its cookies or an `Authorization` of its own.
//! A `401` from upstream refreshes the token (once, shared) and replays the
//! call once; the upstream's cookies never reach the browser.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower::ServiceExt;

use super::session::store_key;
use super::{Bff, BffError, BffState, Upstream, cookies, same_site_call};
use crate::oidc::ProviderError;
use crate::oidc::fetch::connector;

/// The largest upstream answer passed on.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// The browser's headers that go upstream; everything else stays.
const FORWARDED: [HeaderName; 6] = [
    ACCEPT,
    ACCEPT_LANGUAGE,
    CONTENT_TYPE,
    HeaderName::from_static("x-requested-with"),
    HeaderName::from_static("__tenant"),
    HeaderName::from_static("idempotency-key"),
];

/// The client of a remote upstream ([`Upstream::Remote`]).
pub type UpstreamClient = LegacyClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client for a remote upstream (TLS, or plain HTTP).
pub fn upstream_client() -> Result<UpstreamClient, ProviderError> {
    Ok(LegacyClient::builder(TokioExecutor::new()).build(connector()?))
}

/// `/api/*`: forwards the call (see the module).
pub async fn forward(
    State(state): State<BffState>,
    request: Request,
) -> Result<Response, BffError> {
    let bff = &state.bff;
    let (parts, body) = request.into_parts();
    same_site_call(&parts.headers, &bff.settings.origin)?;
    let path = parts.uri.path();
    if !bff.forwards(path) {
        return Err(BffError::NotForwarded(path.to_owned()));
    }
    let id = cookies::read(&parts.headers, cookies::SESSION).ok_or(BffError::SignedOut)?;
    let key = store_key(&id);
    let body = Limited::new(body, state.body_limit)
        .collect()
        .await
        .map_err(|_| BffError::TooLarge)?
        .to_bytes();
    let session = bff.fresh(&key, None).await?;
    let answer = send(&state, &parts, &body, &session.tokens.access_token).await?;
    if answer.status() != StatusCode::UNAUTHORIZED {
        return Ok(answer);
    }
    let session = bff.fresh(&key, Some(&session.tokens.access_token)).await?;
    send(&state, &parts, &body, &session.tokens.access_token).await
}

/// One call upstream with `access_token`.
async fn send(
    state: &BffState,
    parts: &Parts,
    body: &Bytes,
    access_token: &str,
) -> Result<Response, BffError> {
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut headers = HeaderMap::new();
    for name in &FORWARDED {
        for value in parts.headers.get_all(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let bearer = HeaderValue::from_str(&format!("Bearer {access_token}"))
        .map_err(|_| BffError::Unavailable("an access token that is no header".into()))?;
    headers.insert(AUTHORIZATION, bearer);
    let mut answer = match &state.bff.settings.upstream {
        Upstream::Own => {
            let mut request = Request::new(Body::from(body.clone()));
            *request.method_mut() = parts.method.clone();
            *request.uri_mut() = path_and_query
                .parse()
                .map_err(|_| BffError::NotForwarded(path_and_query.clone()))?;
            *request.headers_mut() = headers;
            // The router's error type is Infallible.
            match state.own_api.clone().oneshot(request).await {
                Ok(answer) => answer,
                Err(never) => match never {},
            }
        }
        Upstream::Remote(base) => {
            let uri: Uri = format!("{}{path_and_query}", base.trim_end_matches('/'))
                .parse()
                .map_err(|_| BffError::NotForwarded(path_and_query.clone()))?;
            let mut request = hyper::Request::new(Full::new(body.clone()));
            *request.method_mut() = parts.method.clone();
            *request.uri_mut() = uri;
            *request.headers_mut() = headers;
            let answer = state
                .bff
                .upstream_client
                .request(request)
                .await
                .map_err(|e| BffError::Unavailable(format!("the upstream: {e}")))?;
            let (parts, body) = answer.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| BffError::Unavailable(format!("the upstream's answer: {e}")))?
                .to_bytes();
            Response::from_parts(parts, Body::from(body))
        }
    };
    answer.headers_mut().remove(SET_COOKIE);
    Ok(answer)
}

impl Bff {
    /// Whether `path` is forwarded.
    pub fn forwards(&self, path: &str) -> bool {
        self.settings
            .api_paths
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
    }
}
