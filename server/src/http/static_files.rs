//! The built app, served as a CDN would serve it: files from the static
//! folder, and `index.html` for any other path so the app's router can
//! handle it.
//!
//! - **Encodings.** A file's precompressed copy (`NAME.br`, `NAME.gz`, written
//!   by the build) is sent as it is when the client accepts that encoding
//!   (brotli preferred); without one, the app's `CompressionLayer` compresses
//!   on the fly (it never compresses an answer that already has a
//!   `Content-Encoding`). Every answer says `Vary: Accept-Encoding`.
//! - **Caching** (see `caching::Kind`): files whose name carries Trunk's content
//!   hash are `public, max-age=31536000, immutable`; `index.html`, at `/`
//!   and as the fallback for deep links, is `no-cache` with a strong `ETag`
//!   (SHA-256 of its bytes), and a matching `If-None-Match` gets
//!   `304 Not Modified`; any other file is `no-cache` (revalidated with
//!   `Last-Modified`). A second visit therefore costs one conditional
//!   request.
//! - **Security headers** on every answer of this module (see
//!   `csp::content_security_policy`): the CSP, `X-Content-Type-Options`,
//!   `Referrer-Policy`, `X-Frame-Options`.
//!
//! `index.html` is held in memory with its ETag and the hashes of its inline
//! scripts; it is read again when its modification time or length changes,
//! so a new build in place is picked up at once and the CSP always matches
//! the page that is sent.

mod caching;
mod csp;

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tower::Layer;
use tower_http::services::ServeDir;

use crate::http::api_path_not_found;
pub use caching::weaken_etag_when_encoded;
use caching::{IMMUTABLE, Kind, REVALIDATE, conditional_headers, etag_of, index_response};
use csp::{
    add_security_headers, content_security_policy, csp_header, inline_script_hashes, origin_of,
};

/// Serves `dir` (see the module docs), falling back to `dir/index.html`
/// with status 200, except for paths that look like the API (see
/// [`is_api_path`]): those get the API's `404`. `issuer` is
/// `--oidc-issuer`, whose origin the CSP lets the app reach.
pub fn service(
    dir: &Path,
    issuer: Option<&str>,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
    let site = Arc::new(Site {
        index_path: dir.join("index.html"),
        issuer_origin: issuer.and_then(origin_of),
        index: RwLock::new(None),
    });
    from_fn_with_state(site, serve_site).layer(
        ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            // `/` and folders are the app's routes, never a folder's
            // index.html from disk (see `serve_site`).
            .append_index_html_on_directories(false),
    )
}

/// The static folder's `index.html` as last read, and what the CSP needs.
struct Site {
    index_path: PathBuf,
    /// `--oidc-issuer`'s origin (`https://id.example.com`).
    issuer_origin: Option<String>,
    index: RwLock<Option<Arc<IndexPage>>>,
}

/// `index.html` in memory.
struct IndexPage {
    /// When it was read, for noticing a new build.
    stamp: Stamp,
    body: Bytes,
    /// `"<SHA-256 of the body in hex>"`.
    etag: HeaderValue,
    /// The CSP with the hashes of this page's inline scripts.
    csp: HeaderValue,
}

/// What tells one version of a file from the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl Site {
    /// The current `index.html`, read again if it changed on disk; `None`
    /// when there is none.
    async fn index(&self) -> Option<Arc<IndexPage>> {
        let metadata = tokio::fs::metadata(&self.index_path)
            .await
            .ok()
            .filter(std::fs::Metadata::is_file)?;
        let stamp = Stamp {
            modified: metadata.modified().ok(),
            len: metadata.len(),
        };
        let cached = self
            .index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(page) = cached
            && page.stamp == stamp
        {
            return Some(page);
        }
        // Read after the stamp was taken: if the file changes again in
        // between, the next request sees a new stamp and reads it again.
        let body = match tokio::fs::read(&self.index_path).await {
            Ok(body) => Bytes::from(body),
            Err(error) => {
                tracing::warn!(%error, path = %self.index_path.display(), "cannot read index.html");
                return None;
            }
        };
        let page = Arc::new(IndexPage::new(stamp, body, self.issuer_origin.as_deref()));
        *self.index.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&page));
        Some(page)
    }

    /// The CSP to send with a response: the current page's, or, without an
    /// `index.html`, one that allows no inline script.
    fn csp(&self, page: Option<&IndexPage>) -> HeaderValue {
        match page {
            Some(page) => page.csp.clone(),
            None => csp_header(&content_security_policy(&[], self.issuer_origin.as_deref())),
        }
    }
}

impl IndexPage {
    fn new(stamp: Stamp, body: Bytes, issuer_origin: Option<&str>) -> Self {
        let etag = etag_of(&body);
        let hashes = inline_script_hashes(&String::from_utf8_lossy(&body));
        let csp = csp_header(&content_security_policy(&hashes, issuer_origin));
        Self {
            stamp,
            body,
            etag,
            csp,
        }
    }
}

/// Middleware in front of the static files: API paths get the API's 404;
/// `index.html` is answered from memory (also when no file matches a GET,
/// the SPA fallback); then the caching and security headers.
async fn serve_site(State(site): State<Arc<Site>>, request: Request, next: Next) -> Response {
    // The router matches `/api` case-sensitively and before decoding, so
    // `/API/…`, `/%61pi/…` and `//api/…` reach the static files; they are
    // API paths all the same.
    if is_api_path(request.uri().path()) {
        let mut response = api_path_not_found().into_response();
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let mut kind = Kind::of(request.uri().path());
    let page = site.index().await;
    let mut response = if reads && kind == Kind::Index {
        index_response(page.as_deref(), request.method(), request.headers())
    } else {
        let method = request.method().clone();
        let conditions = conditional_headers(request.headers());
        let response = next.run(request).await;
        if reads && response.status() == StatusCode::NOT_FOUND {
            kind = Kind::Index;
            index_response(page.as_deref(), &method, &conditions)
        } else {
            response
        }
    };
    let success = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    let cache_control = if kind == Kind::Hashed && success {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    if !headers.get_all(VARY).iter().any(|value| {
        value
            .to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    }) {
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    add_security_headers(headers, site.csp(page.as_deref()));
    response
}

/// Whether `path`'s first segment, percent-decoded, is `api` in any letter
/// case (empty and `.` segments are skipped, as the file server skips them).
fn is_api_path(path: &str) -> bool {
    percent_decode_str(path)
        .decode_utf8_lossy()
        .split('/')
        .find(|segment| !segment.is_empty() && *segment != ".")
        .is_some_and(|first| first.eq_ignore_ascii_case("api"))
}

#[cfg(test)]
mod tests;
