//! Fetching the provider's documents (discovery, JWKS) over HTTPS, or plain
//! HTTP on loopback, each within a time limit and a size limit.

use std::error::Error;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::ACCEPT;
use axum::http::{HeaderValue, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};
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

/// An HTTP/1 client for the provider's JSON documents.
// hyper-util's client and hyper-rustls (ring, Mozilla's roots) rather than
// reqwest: measured against this server's dependencies, reqwest (json,
// rustls-tls) adds 40 crates (the url/idna/ICU stack among them) and
// hyper-rustls 13 (rustls, ring, webpki, roots); both add ring's C build,
// about 35-45 s of a clean debug build on two cores either way.
pub struct Client(LegacyClient<HttpsConnector<HttpConnector>, Empty<Bytes>>);

impl Client {
    /// A client that speaks TLS with rustls on ring, trusting Mozilla's
    /// root certificates, and plain HTTP where the URL says `http://`
    /// (which [`crate::oidc::check_url`] allows only for loopback hosts).
    pub fn new() -> Result<Self, ProviderError> {
        let connector = HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|error| ProviderError::Tls(error.to_string()))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self(
            LegacyClient::builder(TokioExecutor::new()).build(connector),
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
        let mut request = Request::new(Empty::new());
        *request.uri_mut() = uri.clone();
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        let response =
            self.0
                .request(request)
                .await
                .map_err(|error| ProviderError::Unreachable {
                    url: uri.to_string(),
                    reason: causes(&error),
                })?;
        if response.status() != StatusCode::OK {
            return Err(ProviderError::Status {
                url: uri.to_string(),
                status: response.status(),
            });
        }
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
        Ok(body.to_bytes())
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
