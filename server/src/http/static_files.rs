//! The built app: files from the static folder, and `index.html` for any
//! other path so the app's router can handle it.

use std::path::Path;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tower::Layer;
use tower_http::services::{ServeDir, ServeFile};

use crate::http::api_path_not_found;

/// Serves `dir`, falling back to `dir/index.html` with status 200, except
/// for paths that look like the API (see [`is_api_path`]): those get the
/// API's `404`.
pub fn service(
    dir: &Path,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
    from_fn(refuse_api_paths)
        .layer(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))))
}

/// Middleware in front of the static files: the router matches `/api`
/// case-sensitively and before decoding, so `/API/…`, `/%61pi/…` and
/// `//api/…` reach the static files; they are API paths all the same.
async fn refuse_api_paths(request: Request, next: Next) -> Response {
    if !is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let mut response = api_path_not_found().into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
mod tests {
    use std::io::Read;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tempfile::TempDir;

    use crate::http::testing::{TestApp, TestResponse};

    const INDEX: &str = "<!doctype html><title>app</title><body>the app</body>";

    fn site() -> (TempDir, TestApp) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("index.html"), INDEX).expect("index");
        std::fs::write(
            dir.path().join("app.wasm"),
            [0u8, 97, 115, 109, 1, 0, 0, 0].repeat(512),
        )
        .expect("wasm");
        std::fs::write(
            dir.path().join("app.js"),
            "console.log('hello');\n".repeat(100),
        )
        .expect("js");
        let path = dir.path().to_path_buf();
        let app = TestApp::with(|c| c.static_dir = path);
        (dir, app)
    }

    async fn get_encoded(app: &TestApp, path: &str, encoding: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .expect("request");
        app.send(request).await
    }

    #[tokio::test]
    async fn unknown_paths_fall_back_to_index_html() {
        let (_dir, app) = site();
        for path in ["/", "/dashboard", "/admin/users/42", "/connect/elsewhere"] {
            let response = app.get(path, None).await;
            assert_eq!(response.status, StatusCode::OK, "{path}");
            assert_eq!(
                response.header(header::CONTENT_TYPE),
                Some("text/html"),
                "{path}"
            );
            assert_eq!(response.text(), INDEX, "{path}");
        }
    }

    #[tokio::test]
    async fn files_are_served_with_their_content_types() {
        let (_dir, app) = site();
        let wasm = app.get("/app.wasm", None).await;
        assert_eq!(wasm.status, StatusCode::OK);
        assert_eq!(wasm.header(header::CONTENT_TYPE), Some("application/wasm"));
        assert_eq!(wasm.body.len(), 4096);
        let js = app.get("/app.js", None).await;
        assert!(
            js.header(header::CONTENT_TYPE)
                .is_some_and(|t| t.contains("javascript"))
        );
    }

    #[tokio::test]
    async fn files_are_compressed_when_the_client_accepts_it() {
        let (_dir, app) = site();
        let plain = app.get("/app.wasm", None).await;
        assert_eq!(plain.header(header::CONTENT_ENCODING), None);

        let gzip = get_encoded(&app, "/app.wasm", "gzip").await;
        assert_eq!(gzip.header(header::CONTENT_ENCODING), Some("gzip"));
        assert!(gzip.body.len() < plain.body.len());
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gzip.body[..])
            .read_to_end(&mut unzipped)
            .expect("gunzip");
        assert_eq!(unzipped, plain.body);

        let br = get_encoded(&app, "/app.js", "br").await;
        assert_eq!(br.header(header::CONTENT_ENCODING), Some("br"));
    }

    #[tokio::test]
    async fn api_paths_never_get_the_app() {
        let (_dir, app) = site();
        for path in [
            "/api",
            "/api/",
            "/api/nothing",
            "/api/app/unknown",
            "/api/_test/stats",
            "/api/index.html",
        ] {
            app.get(path, None)
                .await
                .assert_abp_error(StatusCode::NOT_FOUND, "not_found");
        }
    }

    #[tokio::test]
    async fn without_an_index_html_unknown_paths_are_404() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_path_buf();
        let app = TestApp::with(|c| c.static_dir = path);
        assert_eq!(
            app.get("/dashboard", None).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
