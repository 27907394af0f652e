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
mod deployment;

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
    Origins, add_security_headers, content_security_policy, csp_header, inline_script_hashes,
};

/// Serves `dir` (see the module docs), falling back to `dir/index.html`
/// with status 200, except for paths that look like the API (see
/// [`is_api_path`]): those get the API's `404`. `issuer` is
/// `--oidc-issuer`, whose origin the CSP lets the app reach;
/// `deployment` is the server's own `app-config.json`, served when the
/// folder has none.
pub fn service(
    dir: &Path,
    issuer: Option<&str>,
    deployment: Option<String>,
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
        deployment_path: dir.join(deployment::FILE_NAME),
        default_deployment: deployment::default_document(deployment),
        issuer_origins: Origins::of_issuer(issuer),
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
    /// `app-config.json` in the folder.
    deployment_path: PathBuf,
    /// The server's own `app-config.json`, when the folder has none.
    default_deployment: Option<Bytes>,
    /// `--oidc-issuer`'s origin (`https://id.example.com`).
    issuer_origins: Origins,
    index: RwLock<Option<Arc<IndexPage>>>,
}

/// `index.html` in memory.
struct IndexPage {
    /// When it and the deployment file were read, for noticing a new build
    /// or a new deployment.
    stamps: (Stamp, Option<Stamp>),
    body: Bytes,
    /// `"<SHA-256 of the body in hex>"`.
    etag: HeaderValue,
    /// The CSP with the hashes of this page's inline scripts and the
    /// origins of the deployment file.
    csp: HeaderValue,
}

/// What tells one version of a file from the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl Stamp {
    /// The file at `path`'s stamp; `None` when there is no such file.
    async fn of(path: &Path) -> Option<Self> {
        let metadata = tokio::fs::metadata(path)
            .await
            .ok()
            .filter(std::fs::Metadata::is_file)?;
        Some(Self {
            modified: metadata.modified().ok(),
            len: metadata.len(),
        })
    }
}

impl Site {
    /// The current `index.html`, read again if it or the deployment file
    /// changed on disk; `None` when there is none.
    async fn index(&self) -> Option<Arc<IndexPage>> {
        let stamps = (
            Stamp::of(&self.index_path).await?,
            Stamp::of(&self.deployment_path).await,
        );
        let cached = self
            .index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(page) = cached
            && page.stamps == stamps
        {
            return Some(page);
        }
        // Read after the stamps were taken: if a file changes again in
        // between, the next request sees a new stamp and reads it again.
        let body = match tokio::fs::read(&self.index_path).await {
            Ok(body) => Bytes::from(body),
            Err(error) => {
                tracing::warn!(%error, path = %self.index_path.display(), "cannot read index.html");
                return None;
            }
        };
        let page = Arc::new(IndexPage::new(stamps, body, self.origins().await));
        *self.index.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&page));
        Some(page)
    }

    /// The deployment document: the folder's, else the server's own.
    async fn deployment(&self) -> Option<Bytes> {
        match tokio::fs::read(&self.deployment_path).await {
            Ok(document) => Some(Bytes::from(document)),
            Err(_) => self.default_deployment.clone(),
        }
    }

    /// The origins the app may reach: the issuer's and the deployment's.
    async fn origins(&self) -> Origins {
        let deployed = self
            .deployment()
            .await
            .map(|document| deployment::origins_of(&document))
            .unwrap_or_default();
        self.issuer_origins.clone().and(deployed)
    }

    /// The CSP to send with a response: the current page's, or, without an
    /// `index.html`, one that allows no inline script.
    async fn csp(&self, page: Option<&IndexPage>) -> HeaderValue {
        match page {
            Some(page) => page.csp.clone(),
            None => csp_header(&content_security_policy(&[], &self.origins().await)),
        }
    }
}

impl IndexPage {
    fn new(stamps: (Stamp, Option<Stamp>), body: Bytes, origins: Origins) -> Self {
        let etag = etag_of(&body);
        let hashes = inline_script_hashes(&String::from_utf8_lossy(&body));
        let csp = csp_header(&content_security_policy(&hashes, &origins));
        Self {
            stamps,
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
        let deployment = is_deployment_path(request.uri().path());
        let response = next.run(request).await;
        if reads && response.status() == StatusCode::NOT_FOUND {
            if deployment {
                // Never the page in its place: the app reads this file as
                // JSON before it mounts.
                deployment_response(site.default_deployment.clone())
            } else {
                kind = Kind::Index;
                index_response(page.as_deref(), &method, &conditions)
            }
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
    add_security_headers(headers, site.csp(page.as_deref()).await);
    response
}

/// Whether `path` is the deployment file beside `index.html`.
fn is_deployment_path(path: &str) -> bool {
    percent_decode_str(path)
        .decode_utf8_lossy()
        .trim_start_matches('/')
        == deployment::FILE_NAME
}

/// The server's own deployment document, or `404` when it has none.
fn deployment_response(document: Option<Bytes>) -> Response {
    match document {
        Some(document) => (
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            document,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
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
