//! The built app, served as a CDN would serve it: files from the static
//! folder, and `index.html` for any other path so the app's router can
//! handle it.
//!
//! - **Encodings.** A file's precompressed copy (`NAME.br`, `NAME.gz`, written
//!   by the build) is sent as it is when the client accepts that encoding
//!   (brotli preferred); without one, the app's `CompressionLayer` compresses
//!   on the fly (it never compresses an answer that already has a
//!   `Content-Encoding`). Every answer says `Vary: Accept-Encoding`.
//! - **Caching** (see [`Kind`]): files whose name carries Trunk's content
//!   hash are `public, max-age=31536000, immutable`; `index.html`, at `/`
//!   and as the fallback for deep links, is `no-cache` with a strong `ETag`
//!   (SHA-256 of its bytes), and a matching `If-None-Match` gets
//!   `304 Not Modified`; any other file is `no-cache` (revalidated with
//!   `Last-Modified`). A second visit therefore costs one conditional
//!   request.
//! - **Security headers** on every answer of this module (see
//!   [`content_security_policy`]): the CSP, `X-Content-Type-Options`,
//!   `Referrer-Policy`, `X-Frame-Options`.
//!
//! `index.html` is held in memory with its ETag and the hashes of its inline
//! scripts; it is read again when its modification time or length changes,
//! so a new build in place is picked up at once and the CSP always matches
//! the page that is sent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH, REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};
use tower::Layer;
use tower_http::services::ServeDir;

use crate::http::api_path_not_found;

/// `Cache-Control` of files whose name carries a content hash: a new build
/// gives changed files new names, so a copy never goes stale.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of `index.html` and of every file without a content hash:
/// a cache may keep a copy but must ask (`If-None-Match`,
/// `If-Modified-Since`) before each use.
const REVALIDATE: &str = "no-cache";

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
        let digest = Sha256::digest(&body);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        let etag = HeaderValue::try_from(format!("\"{hex}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
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

/// The Content-Security-Policy of the app's pages and files: the one place
/// it is written.
///
/// - `script-src`: the app's own files; `'wasm-unsafe-eval'` to compile the
///   WebAssembly module (no JavaScript `eval`); and `'sha256-…'` of each
///   inline script of `index.html` (Trunk's `<script type="module">` that
///   imports the hashed JS and starts the hashed wasm), computed from the
///   page that is served, so no `'unsafe-inline'`.
/// - `style-src 'self'`: the stylesheet is a file; the app sets no inline
///   `style` attribute (an inline style would be refused, not allowed).
/// - `connect-src` and `form-action`: the app's own API, plus, with
///   `--oidc-issuer`, the issuer's origin (the app fetches its discovery
///   document and calls its token and revocation endpoints).
/// - `img-src` also `data:` (inline icons); no plugins, no framing by
///   anyone, no `<base>` elsewhere.
fn content_security_policy(script_hashes: &[String], issuer_origin: Option<&str>) -> String {
    let hashes: String = script_hashes
        .iter()
        .map(|hash| format!(" 'sha256-{hash}'"))
        .collect();
    let issuer = issuer_origin
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' 'wasm-unsafe-eval'{hashes}"),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        format!("connect-src 'self'{issuer}"),
        "base-uri 'self'".to_owned(),
        format!("form-action 'self'{issuer}"),
        "frame-ancestors 'none'".to_owned(),
        "object-src 'none'".to_owned(),
    ]
    .join("; ")
}

fn csp_header(policy: &str) -> HeaderValue {
    // Made of ASCII literals, base64 and an origin checked by `origin_of`.
    HeaderValue::try_from(policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The other security headers of every static answer.
fn add_security_headers(headers: &mut HeaderMap, csp: HeaderValue) {
    headers.insert(CONTENT_SECURITY_POLICY, csp);
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Paths (the OIDC callback's `?code=`) never leave the origin; the
    // app's own POSTs keep their `Origin`.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// `scheme://host[:port]` of an `--oidc-issuer` URL (already checked by
/// the command line), or `None` if it holds anything a CSP source could
/// not (so it can never add a directive).
fn origin_of(issuer: &str) -> Option<String> {
    let uri = crate::oidc::check_url(issuer).ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(ipv6) => ipv6
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
    };
    if !host_ok {
        tracing::warn!(issuer, "the issuer's host cannot go in a CSP; left out");
        return None;
    }
    Some(match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Base64 SHA-256 of the text of each inline `<script>` (one without
/// `src`) of `html`, in order, without repeats, as a CSP hash source wants
/// it: the text as the browser parses it, so line ends are normalised to
/// `\n` first. Scripts in comments are skipped.
fn inline_script_hashes(html: &str) -> Vec<String> {
    // ASCII lowercasing keeps every byte offset.
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while at < lower.len() {
        let comment = lower[at..].find("<!--").map(|i| at + i);
        let script = lower[at..].find("<script").map(|i| at + i);
        let start = match (comment, script) {
            (Some(comment), Some(script)) if comment < script => {
                at = lower[comment + 4..]
                    .find("-->")
                    .map_or(lower.len(), |i| comment + 4 + i + 3);
                continue;
            }
            (_, Some(script)) => script,
            _ => break,
        };
        let after_name = start + "<script".len();
        // `<scripts>` or `<script-x>` is another element.
        if !lower[after_name..]
            .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        {
            at = after_name;
            continue;
        }
        let Some((tag_end, has_src)) = open_tag_end(&lower, after_name) else {
            break;
        };
        let text_end = lower[tag_end..]
            .find("</script")
            .map_or(lower.len(), |i| tag_end + i);
        if !has_src {
            let text = html[tag_end..text_end]
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            let hash = STANDARD.encode(Sha256::digest(text.as_bytes()));
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        at = text_end;
    }
    hashes
}

/// From just after `<script` in `lower`: the offset just past the open
/// tag's `>`, and whether the tag has a `src` attribute; `None` if the tag
/// never ends.
fn open_tag_end(lower: &str, mut at: usize) -> Option<(usize, bool)> {
    let bytes = lower.as_bytes();
    let mut has_src = false;
    loop {
        while bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            at += 1;
        }
        if *bytes.get(at)? == b'>' {
            return Some((at + 1, has_src));
        }
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            at += 1;
        }
        has_src |= &lower[name_start..at] == "src";
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            match bytes.get(at)? {
                quote @ (b'"' | b'\'') => {
                    let close = lower[at + 1..].find(char::from(*quote))?;
                    at += 1 + close + 1;
                }
                _ => {
                    while bytes
                        .get(at)
                        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                    {
                        at += 1;
                    }
                }
            }
        }
    }
}

/// What a static path is, for its `Cache-Control`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `/` or `/index.html`: the page, held in memory.
    Index,
    /// A name with Trunk's content hash (`-` and 8 to 16 hex digits, then `.`,
    /// `_` or the end: `main-c14d2f0a64b0c2cd.css`,
    /// `app-54151f59e79ecc61_bg.wasm`, `snippets/app-54151f59e79ecc61/x.js`).
    Hashed,
    /// Any other file.
    Other,
}

impl Kind {
    fn of(path: &str) -> Self {
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let segments: Vec<&str> = decoded
            .split('/')
            .filter(|segment| !segment.is_empty() && *segment != ".")
            .collect();
        match segments.as_slice() {
            [] | ["index.html"] => Self::Index,
            _ if segments.iter().any(|segment| has_content_hash(segment)) => Self::Hashed,
            _ => Self::Other,
        }
    }
}

/// Trunk writes its 64-bit content hash in hex without leading zeros, so
/// one in 16 builds has 15 digits; fewer than 8 is as good as never.
const HASH_DIGITS: std::ops::RangeInclusive<usize> = 8..=16;

fn has_content_hash(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.iter().enumerate().any(|(i, byte)| {
        if *byte != b'-' {
            return false;
        }
        let digits = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(*b))
            .count();
        HASH_DIGITS.contains(&digits)
            && bytes
                .get(i + 1 + digits)
                .is_none_or(|b| matches!(b, b'.' | b'_'))
    })
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

/// The request headers [`index_response`] looks at, kept for the fallback.
fn conditional_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for value in headers.get_all(IF_NONE_MATCH) {
        kept.append(IF_NONE_MATCH, value.clone());
    }
    kept
}

/// `index.html` from memory: `304` if `If-None-Match` names its ETag, else
/// the page (its head only for `HEAD`); `404` when there is none.
fn index_response(page: Option<&IndexPage>, method: &Method, request: &HeaderMap) -> Response {
    let Some(page) = page else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(matched) = matching_tag(request, &page.etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(ETAG, matched);
        return response;
    }
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(page.body.clone())
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(page.body.len()));
    headers.insert(ETAG, page.etag.clone());
    response
}

/// The tag of `If-None-Match` in `request` that matches `etag` (RFC 9110
/// §13.1.2: `*`, or one of the listed tags by weak comparison, so the
/// `W/` that compressed answers carry still matches), as the `ETag` of the
/// `304`: the client's own tag (weak if it got a compressed page), or ours
/// for `*`.
fn matching_tag(request: &HeaderMap, etag: &HeaderValue) -> Option<HeaderValue> {
    let ours = etag.as_bytes();
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .find_map(|tag| match tag {
            "*" => Some(etag.clone()),
            _ if tag.strip_prefix("W/").unwrap_or(tag).as_bytes() == ours => {
                HeaderValue::try_from(tag).ok()
            }
            _ => None,
        })
}

/// Middleware outside the compression layer: an answer whose body was
/// encoded (on the fly, or a precompressed copy) is not byte for byte the
/// representation a strong `ETag` names, so its `ETag` becomes weak
/// (`W/"…"`), as nginx and CDNs do; `If-None-Match` compares weakly, so
/// the weak tag still gets `304`.
pub async fn weaken_etag_when_encoded(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if headers.contains_key(CONTENT_ENCODING)
        && let Some(etag) = headers.get(ETAG)
        && etag.as_bytes().starts_with(b"\"")
        && let Ok(weak) = HeaderValue::try_from([b"W/", etag.as_bytes()].concat())
    {
        headers.insert(ETAG, weak);
    }
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
