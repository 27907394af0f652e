//! One HTTP exchange over gloo-net: URL building, headers, the timeout, the
//! response body transform, and decoding. It knows nothing of tokens
//! beyond the bearer it is handed, and nothing of refreshing.

use std::{cell::Cell, rc::Rc};

pub use gloo_net::http::Method;
use gloo_net::http::RequestBuilder;
use gloo_timers::callback::Timeout;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use web_sys::AbortController;

use crate::ApiError;

/// Rewrites every response body before it is decoded: the one place where,
/// like the original design, an encrypted body could be decrypted.
pub type BodyTransform = Rc<dyn Fn(String) -> Result<String, ApiError>>;

/// The headers every request gets, asked for as each request leaves (so
/// they follow the session and the page's language): ABP's clients send
/// `__tenant`, `Accept-Language` and `X-Requested-With` on every call.
pub type RequestHeaders = Rc<dyn Fn() -> Vec<(&'static str, String)>>;

/// The body of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// No body.
    Empty,
    /// A JSON document.
    Json(String),
    /// An `application/x-www-form-urlencoded` form.
    Form(String),
}

impl Body {
    /// `value` as a JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, ApiError> {
        serde_json::to_string(value)
            .map(Self::Json)
            .map_err(|e| ApiError::Decode(e.to_string()))
    }
}

/// One request, as the transport sends it.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The HTTP method.
    pub method: Method,
    /// A path below the API base (`/api/...`) or an absolute URL.
    pub path: &'a str,
    /// The access token to send as `Authorization: Bearer …`.
    pub bearer: Option<&'a str>,
    /// The body.
    pub body: Body,
    /// Headers of this request alone, set after the transport's own.
    pub headers: &'a [(&'a str, &'a str)],
}

impl<'a> Request<'a> {
    /// A request without a body, a token or headers of its own.
    pub fn new(method: Method, path: &'a str) -> Self {
        Self {
            method,
            path,
            bearer: None,
            body: Body::Empty,
            headers: &[],
        }
    }
}

/// A response whose body has been read (and transformed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body text.
    pub body: String,
}

impl Response {
    /// A response with `status` and `body`.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            body: body.into(),
        }
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// This response if it is a success, otherwise the error it stands for.
    pub fn success(self) -> Result<Self, ApiError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(ApiError::from_status(self.status, &self.body))
        }
    }

    /// Decodes a successful JSON body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::Decode(e.to_string()))
    }
}

/// Sends requests to the API with a timeout and the transport's headers,
/// and applies the body transform.
#[derive(Clone)]
pub struct Transport {
    base: Rc<str>,
    timeout_ms: u32,
    transform: BodyTransform,
    headers: RequestHeaders,
}

impl Transport {
    /// A transport for the API at `base` (empty: this origin) that aborts
    /// requests after `timeout_ms`.
    pub fn new(base: &str, timeout_ms: u32) -> Self {
        Self {
            base: base.into(),
            timeout_ms,
            transform: Rc::new(Ok),
            headers: Rc::new(Vec::new),
        }
    }

    /// The same transport with `transform` applied to every response body.
    pub fn with_transform(self, transform: BodyTransform) -> Self {
        Self { transform, ..self }
    }

    /// The same transport sending `headers` with every request.
    pub fn with_headers(self, headers: RequestHeaders) -> Self {
        Self { headers, ..self }
    }

    /// The URL of `path`: absolute URLs are kept, paths go below the base.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends `request` and reads the whole answer. Any status is `Ok`; only
    /// a failure to get an answer (network, timeout) or to read it is an error.
    /// Dropping the future aborts the request.
    pub async fn send(&self, request: Request<'_>) -> Result<Response, ApiError> {
        if is_offline() {
            // No answer can come: fail now rather than at the timeout.
            return Err(ApiError::Unavailable("the browser is offline".into()));
        }
        let deadline = Deadline::start(self.timeout_ms)?;
        let mut builder = RequestBuilder::new(&self.url(request.path))
            .method(request.method)
            .abort_signal(Some(&deadline.controller.signal()))
            .header("Accept", "application/json");
        for (name, value) in (self.headers)() {
            builder = builder.header(name, &value);
        }
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = request.bearer {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let built = match request.body {
            Body::Empty => builder.build(),
            Body::Json(json) => builder
                .header("Content-Type", "application/json")
                .body(json),
            Body::Form(form) => builder
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form),
        }
        .map_err(|e| ApiError::Network(e.to_string()))?;
        let exchange = async {
            let response = built.send().await?;
            let status = response.status();
            let body = response.text().await?;
            Ok::<_, gloo_net::Error>(Response { status, body })
        };
        let response = exchange.await.map_err(|error| {
            if deadline.timed_out.get() {
                ApiError::Timeout
            } else {
                ApiError::Network(error.to_string())
            }
        })?;
        let body = (self.transform)(response.body)?;
        Ok(Response { body, ..response })
    }
}

/// Whether the browser says it is offline (`navigator.onLine` false).
pub fn is_offline() -> bool {
    web_sys::window().is_some_and(|window| !window.navigator().on_line())
}

/// Aborts a request after a timeout, or when dropped before it finished.
struct Deadline {
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    /// Dropping it cancels the timer.
    _timer: Timeout,
}

impl Deadline {
    fn start(timeout_ms: u32) -> Result<Self, ApiError> {
        let controller = AbortController::new()
            .map_err(|e| ApiError::Network(format!("cannot abort requests: {e:?}")))?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = Rc::clone(&timed_out);
            Timeout::new(timeout_ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        Ok(Self {
            controller,
            timed_out,
            _timer: timer,
        })
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        // Harmless once the body has been read; cancels the fetch otherwise.
        self.controller.abort();
    }
}

/// Encodes `pairs` as `application/x-www-form-urlencoded`.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Every byte but the unreserved ones (RFC 3986 §2.3).
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes every byte but the unreserved ones (RFC 3986 §2.3): safe
/// in a path segment and in a query value.
pub fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_reserved_bytes() {
        assert_eq!(
            form_encode(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "a+b/c=d é")
            ]),
            "grant_type=refresh_token&refresh_token=a%2Bb%2Fc%3Dd+%C3%A9"
        );
        assert_eq!(percent_encode("3fa85f64-5717_~."), "3fa85f64-5717_~.");
        assert_eq!(percent_encode("a b/c?d"), "a%20b%2Fc%3Fd");
    }

    #[test]
    fn paths_go_below_the_base_and_urls_stay() {
        let transport = Transport::new("http://127.0.0.1:8080", 1000);
        assert_eq!(
            transport.url("/api/app/orders"),
            "http://127.0.0.1:8080/api/app/orders"
        );
        assert_eq!(transport.url("https://idp/token"), "https://idp/token");
        assert_eq!(Transport::new("", 1000).url("/api/x"), "/api/x");
    }

    #[test]
    fn malformed_json_is_a_decode_error_not_a_panic() {
        let response = Response {
            status: 200,
            body: "{\"items\": [".into(),
        };
        let decoded: Result<Vec<u8>, _> = response.json();
        assert!(matches!(decoded, Err(ApiError::Decode(_))), "{decoded:?}");
    }

    #[test]
    fn a_failure_status_becomes_the_servers_error() {
        let response = Response {
            status: 403,
            body: r#"{"error":{"code":"forbidden","message":"No access"}}"#.into(),
        };
        assert_eq!(
            response.success(),
            Err(ApiError::Http {
                status: 403,
                code: Some("forbidden".into()),
                message: "No access".into()
            })
        );
    }
}
