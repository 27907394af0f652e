//! Talking to the provider over HTTPS, or plain HTTP on loopback, each
//! exchange within a time limit and a size limit: fetching its documents
//! (discovery, JWKS) and posting forms to its endpoints (the BFF's token
//! and revocation calls).

use std::error::Error;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;

use crate::oidc::ProviderError;

/// The longest one fetch (connect, request, the whole body) may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest document accepted; a provider's JWKS holds a few keys of
/// well under a kilobyte each.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// TLS with rustls on ring, trusting Mozilla's root certificates, and plain
/// HTTP where a URL says `http://`.
pub fn connector() -> Result<HttpsConnector<HttpConnector>, ProviderError> {
    Ok(HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|error| ProviderError::Tls(error.to_string()))?
        .https_or_http()
        .enable_http1()
        .build())
}

/// An HTTP/1 client for the provider's JSON documents.
// hyper-util's client and hyper-rustls (ring, Mozilla's roots) rather than
// reqwest: measured against this server's dependencies, reqwest (json,
// rustls-tls) adds 40 crates (the url/idna/ICU stack among them) and
// hyper-rustls 13 (rustls, ring, webpki, roots); both add ring's C build,
// about 35-45 s of a clean debug build on two cores either way.
pub struct Client(LegacyClient<HttpsConnector<HttpConnector>, Full<Bytes>>);

impl Client {
    /// A client that speaks TLS with rustls on ring, trusting Mozilla's
    /// root certificates, and plain HTTP where the URL says `http://`
    /// (which [`crate::oidc::check_url`] allows only for loopback hosts).
    pub fn new() -> Result<Self, ProviderError> {
        Ok(Self(
            LegacyClient::builder(TokioExecutor::new()).build(connector()?),
        ))
    }

    /// `GET uri`, which must answer `200` with at most
    /// [`MAX_DOCUMENT_BYTES`] of JSON within [`FETCH_TIMEOUT`].
    pub async fn get_json<T: DeserializeOwned>(&self, uri: &Uri) -> Result<T, ProviderError> {
        let body = tokio::time::timeout(FETCH_TIMEOUT, self.get(uri))
            .await
            .map_err(|_| ProviderError::Timeout {
                url: uri.to_string(),
                after: FETCH_TIMEOUT,
            })??;
        serde_json::from_slice(&body).map_err(|error| ProviderError::Document {
            url: uri.to_string(),
            reason: error.to_string(),
        })
    }

    async fn get(&self, uri: &Uri) -> Result<Bytes, ProviderError> {
        let (status, body) = self
            .exchange(Method::GET, uri, None, HeaderMap::new())
            .await?;
        if status != StatusCode::OK {
            return Err(ProviderError::Status {
                url: uri.to_string(),
                status,
            });
        }
        Ok(body)
    }

    /// `POST uri` with `form` (`application/x-www-form-urlencoded`) and
    /// `headers` (a client's `Authorization`, say), within [`FETCH_TIMEOUT`]: the
    /// status and at most [`MAX_DOCUMENT_BYTES`] of body, whatever the
    /// status (an OAuth error is a `400` with a JSON body).
    pub async fn post_form(
        &self,
        uri: &Uri,
        form: String,
        headers: HeaderMap,
    ) -> Result<(StatusCode, Bytes), ProviderError> {
        tokio::time::timeout(
            FETCH_TIMEOUT,
            self.exchange(Method::POST, uri, Some(form), headers),
        )
        .await
        .map_err(|_| ProviderError::Timeout {
            url: uri.to_string(),
            after: FETCH_TIMEOUT,
        })?
    }

    async fn exchange(
        &self,
        method: Method,
        uri: &Uri,
        form: Option<String>,
        extra: HeaderMap,
    ) -> Result<(StatusCode, Bytes), ProviderError> {
        let has_form = form.is_some();
        let mut request = Request::new(Full::new(Bytes::from(form.unwrap_or_default())));
        *request.method_mut() = method;
        *request.uri_mut() = uri.clone();
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if has_form {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
        }
        headers.extend(extra);
        let response =
            self.0
                .request(request)
                .await
                .map_err(|error| ProviderError::Unreachable {
                    url: uri.to_string(),
                    reason: causes(&error),
                })?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_DOCUMENT_BYTES)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<LengthLimitError>() {
                    ProviderError::TooLarge {
                        url: uri.to_string(),
                        limit: MAX_DOCUMENT_BYTES,
                    }
                } else {
                    ProviderError::Unreachable {
                        url: uri.to_string(),
                        reason: causes(error.as_ref()),
                    }
                }
            })?;
        Ok((status, body.to_bytes()))
    }
}

/// `error` and its causes, `: `-separated: the client's own message alone
/// ("client error (Connect)") does not say what went wrong.
fn causes(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        text.push_str(": ");
        text.push_str(&current.to_string());
        cause = current.source();
    }
    text
}
