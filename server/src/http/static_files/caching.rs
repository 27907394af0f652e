//! How long a static answer may be kept: what kind of path it is (the page,
//! a content-hashed file, another file), the page's `ETag` and its `304`,
//! and weak tags for encoded answers.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::IndexPage;

/// `Cache-Control` of files whose name carries a content hash: a new build
/// gives changed files new names, so a copy never goes stale.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of `index.html` and of every file without a content hash:
/// a cache may keep a copy but must ask (`If-None-Match`,
/// `If-Modified-Since`) before each use.
pub const REVALIDATE: &str = "no-cache";

/// What a static path is, for its `Cache-Control`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
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
    pub fn of(path: &str) -> Self {
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

/// The strong `ETag` of a page: `"<SHA-256 of its bytes in hex>"`.
pub fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    HeaderValue::try_from(format!("\"{hex}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// The request headers [`index_response`] looks at, kept for the fallback.
pub fn conditional_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for value in headers.get_all(IF_NONE_MATCH) {
        kept.append(IF_NONE_MATCH, value.clone());
    }
    kept
}

/// `index.html` from memory: `304` if `If-None-Match` names its ETag, else
/// the page (its head only for `HEAD`); `404` when there is none.
pub fn index_response(page: Option<&IndexPage>, method: &Method, request: &HeaderMap) -> Response {
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
pub fn matching_tag(request: &HeaderMap, etag: &HeaderValue) -> Option<HeaderValue> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_told_from_other_names() {
        for hashed in [
            "/silent-refresh-54151f59e79ecc61_bg.wasm",
            "/silent-refresh-15992165e27e58f9.js",
            "/main-c14d2f0a64b0c2cd.css",
            "/snippets/silent-refresh-web-0123456789abcdef/inline0.js",
            // Trunk writes its 64-bit hash without leading zeros.
            "/silent-refresh-e32353f9a002f4d_bg.wasm",
            "/main-c14d2f0a64b0c2c.css",
            "/app-0a64b0c2.js",
        ] {
            assert_eq!(Kind::of(hashed), Kind::Hashed, "{hashed}");
        }
        for other in [
            "/robots.txt",
            "/favicon.ico",
            "/main-C14D2F0A64B0C2CD.css",
            "/jquery-3.js",
            "/app-1234567.js",
            "/main-c14d2f0a64b0c2cdd.css",
            "/dashboard",
        ] {
            assert_eq!(Kind::of(other), Kind::Other, "{other}");
        }
        for index in ["/", "/index.html", "//./index.html", "/%69ndex.html"] {
            assert_eq!(Kind::of(index), Kind::Index, "{index}");
        }
        assert!(has_content_hash("x-0123456789abcdef"));
    }
}
