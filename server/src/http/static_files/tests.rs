use std::io::{Read, Write};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::http::testing::{TestApp, TestResponse};

/// The inline module script, as Trunk writes it: imports the hashed JS and
/// starts the hashed wasm.
const INLINE_SCRIPT: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init({ module_or_path: '/app-0123456789abcdef_bg.wasm' });\n";

fn index_html() -> String {
    format!(
        "<!doctype html>\n<html><head>\n<link rel=\"stylesheet\" href=\"/main-c14d2f0a64b0c2cd.css\"/>\n\
         <script type=\"module\">{INLINE_SCRIPT}</script>\n\
         <script src=\"/external.js\">ignored</script>\n\
         </head><body>the app</body></html>\n"
    )
}

const WASM: &str = "/app-0123456789abcdef_bg.wasm";
const JS: &str = "/app-0123456789abcdef.js";
const CSS: &str = "/main-c14d2f0a64b0c2cd.css";
const ISSUER: &str = "https://id.example.com:8443/realms/demo";

fn wasm_bytes() -> Vec<u8> {
    [0u8, 97, 115, 109, 1, 0, 0, 0].repeat(512)
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes).expect("brotli");
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("unbrotli");
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) {
    let path = dir.path().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, bytes).expect("write");
}

/// A built app: `index.html` with an inline module script, hashed assets
/// (the wasm with `.br` and `.gz` copies, the JS and CSS without), a file
/// without a hash.
fn fixture() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "index.html", index_html().as_bytes());
    let wasm = wasm_bytes();
    write(&dir, &WASM[1..], &wasm);
    write(&dir, &format!("{}.br", &WASM[1..]), &brotli(&wasm));
    write(&dir, &format!("{}.gz", &WASM[1..]), &gzip(&wasm));
    write(
        &dir,
        &JS[1..],
        "console.log('hello');\n".repeat(100).as_bytes(),
    );
    write(&dir, &CSS[1..], b"body { margin: 0; }\n");
    write(&dir, "robots.txt", b"User-agent: *\nDisallow:\n");
    dir
}

fn site() -> (TempDir, TestApp) {
    site_with(|_| {})
}

fn site_with(change: impl FnOnce(&mut crate::config::Config)) -> (TempDir, TestApp) {
    let dir = fixture();
    let path = dir.path().to_path_buf();
    let app = TestApp::with(|config| {
        config.static_dir = path;
        change(config);
    });
    (dir, app)
}

async fn get_with(
    app: &TestApp,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> TestResponse {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    app.send(request.body(Body::empty()).expect("request"))
        .await
}

async fn get_encoded(app: &TestApp, path: &str, encoding: &str) -> TestResponse {
    get_with(app, path, &[(header::ACCEPT_ENCODING, encoding)]).await
}

fn expected_etag(body: &str) -> String {
    let hex: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("\"{hex}\"")
}

/// The CSP hash source of `script`, computed here as a browser does.
fn script_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

fn assert_varies_by_encoding(response: &TestResponse, what: &str) {
    let vary: Vec<String> = response
        .headers
        .get_all(header::VARY)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_ascii_lowercase())
        .collect();
    assert_eq!(vary, ["accept-encoding"], "{what}");
}

#[tokio::test]
async fn unknown_paths_fall_back_to_index_html() {
    let (_dir, app) = site();
    for path in [
        "/",
        "/index.html",
        "/dashboard",
        "/admin/users/42",
        "/connect/elsewhere",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.header(header::CONTENT_TYPE),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert_eq!(response.text(), index_html(), "{path}");
    }
}

#[tokio::test]
async fn files_are_served_with_their_content_types() {
    let (_dir, app) = site();
    let wasm = app.get(WASM, None).await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.header(header::CONTENT_TYPE), Some("application/wasm"));
    assert_eq!(wasm.body, wasm_bytes());
    let js = app.get(JS, None).await;
    assert!(
        js.header(header::CONTENT_TYPE)
            .is_some_and(|t| t.contains("javascript"))
    );
    let css = app.get(CSS, None).await;
    assert_eq!(css.header(header::CONTENT_TYPE), Some("text/css"));
}

#[tokio::test]
async fn precompressed_copies_are_sent_as_they_are_by_accept_encoding() {
    let (dir, app) = site();
    let on_disk = |suffix: &str| {
        std::fs::read(dir.path().join(format!("{}{suffix}", &WASM[1..]))).expect("file")
    };

    let br = get_encoded(&app, WASM, "br, gzip").await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header(header::CONTENT_ENCODING), Some("br"));
    assert_eq!(br.header(header::CONTENT_TYPE), Some("application/wasm"));
    assert_varies_by_encoding(&br, "br");
    // The file itself, compressed once: never compressed again on the way.
    assert_eq!(br.body, on_disk(".br"));
    assert_eq!(unbrotli(&br.body), wasm_bytes());

    let gz = get_encoded(&app, WASM, "gzip").await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(gz.header(header::CONTENT_TYPE), Some("application/wasm"));
    assert_varies_by_encoding(&gz, "gzip");
    assert_eq!(gz.body, on_disk(".gz"));
    assert_eq!(gunzip(&gz.body), wasm_bytes());

    for accept in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
        let plain = match accept {
            Some(accept) => get_encoded(&app, WASM, accept).await,
            None => app.get(WASM, None).await,
        };
        assert_eq!(plain.header(header::CONTENT_ENCODING), None, "{accept:?}");
        assert_varies_by_encoding(&plain, "identity");
        assert_eq!(plain.body, wasm_bytes(), "{accept:?}");
    }
}

#[tokio::test]
async fn files_without_a_precompressed_copy_are_compressed_on_the_fly() {
    let (dir, app) = site();
    let original = std::fs::read(dir.path().join(&JS[1..])).expect("js");

    let gz = get_encoded(&app, JS, "gzip").await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_varies_by_encoding(&gz, "gzip");
    assert!(gz.body.len() < original.len());
    assert_eq!(gunzip(&gz.body), original);

    let br = get_encoded(&app, JS, "br").await;
    assert_eq!(br.header(header::CONTENT_ENCODING), Some("br"));
    assert_eq!(unbrotli(&br.body), original);

    let index = get_encoded(&app, "/", "gzip").await;
    assert_eq!(index.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(gunzip(&index.body), index_html().as_bytes());
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_as_immutable() {
    let (_dir, app) = site();
    for path in [WASM, JS, CSS] {
        for accept in ["br, gzip", "gzip", "identity"] {
            let response = get_encoded(&app, path, accept).await;
            assert_eq!(response.status, StatusCode::OK, "{path}");
            assert_eq!(
                response.header(header::CACHE_CONTROL),
                Some("public, max-age=31536000, immutable"),
                "{path} {accept}"
            );
        }
    }
}

#[tokio::test]
async fn index_html_must_be_revalidated_and_has_a_strong_etag_at_every_path() {
    let (_dir, app) = site();
    let etag = expected_etag(&index_html());
    for path in ["/", "/index.html", "/dashboard", "/admin/users/42"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );
        assert_eq!(response.header(header::ETAG), Some(etag.as_str()), "{path}");
        assert_varies_by_encoding(&response, path);
    }
}

#[tokio::test]
async fn a_matching_if_none_match_gets_304_with_no_body() {
    let (_dir, app) = site();
    let etag = app
        .get("/", None)
        .await
        .header(header::ETAG)
        .expect("etag")
        .to_owned();
    for path in ["/", "/index.html", "/dashboard"] {
        for condition in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
            "*".to_owned(),
        ] {
            let response = get_with(&app, path, &[(header::IF_NONE_MATCH, &condition)]).await;
            assert_eq!(
                response.status,
                StatusCode::NOT_MODIFIED,
                "{path} {condition}"
            );
            assert!(response.body.is_empty(), "{path} {condition}");
            // The client's tag back (weak if it was weak), ours for `*`.
            let echoed = if condition.starts_with("W/") {
                format!("W/{etag}")
            } else {
                etag.clone()
            };
            assert_eq!(response.header(header::ETAG), Some(echoed.as_str()));
            assert_eq!(response.header(header::CACHE_CONTROL), Some("no-cache"));
            assert_eq!(response.header(header::CONTENT_ENCODING), None);
            assert!(response.header(header::CONTENT_SECURITY_POLICY).is_some());
        }
        let stale = get_with(&app, path, &[(header::IF_NONE_MATCH, "\"stale\"")]).await;
        assert_eq!(stale.status, StatusCode::OK, "{path}");
        assert_eq!(stale.text(), index_html());
    }
}

#[tokio::test]
async fn a_compressed_index_html_has_a_weak_etag_that_still_gets_304() {
    let (_dir, app) = site();
    let strong = expected_etag(&index_html());
    let gz = get_encoded(&app, "/dashboard", "gzip").await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), Some("gzip"));
    let weak = format!("W/{strong}");
    assert_eq!(gz.header(header::ETAG), Some(weak.as_str()));
    let again = get_with(
        &app,
        "/dashboard",
        &[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, &weak),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header(header::ETAG), Some(weak.as_str()));
}

#[tokio::test]
async fn a_new_index_html_on_disk_is_served_with_its_own_etag_and_csp() {
    let (dir, app) = site();
    let before = app.get("/", None).await;
    let old_etag = before.header(header::ETAG).expect("etag").to_owned();

    let script = "console.log('build 2')";
    let page = format!("<!doctype html><script>{script}</script><p>build 2, longer</p>");
    write(&dir, "index.html", page.as_bytes());
    let after = app.get("/dashboard", None).await;
    assert_eq!(after.text(), page);
    assert_eq!(
        after.header(header::ETAG),
        Some(expected_etag(&page).as_str())
    );
    let csp = after.header(header::CONTENT_SECURITY_POLICY).expect("csp");
    assert!(csp.contains(&script_source(script)), "{csp}");
    assert!(!csp.contains(&script_source(INLINE_SCRIPT)), "{csp}");
    let old = get_with(&app, "/", &[(header::IF_NONE_MATCH, &old_etag)]).await;
    assert_eq!(old.status, StatusCode::OK);
}

#[tokio::test]
async fn other_files_must_be_revalidated() {
    let (_dir, app) = site();
    let robots = app.get("/robots.txt", None).await;
    assert_eq!(robots.status, StatusCode::OK);
    assert_eq!(robots.header(header::CACHE_CONTROL), Some("no-cache"));
    assert!(robots.header(header::LAST_MODIFIED).is_some());
    assert!(robots.header(header::CONTENT_SECURITY_POLICY).is_some());
}

/// An old build's file that is gone gets the app, which must not be kept
/// for a year under the hashed name.
#[tokio::test]
async fn a_missing_hashed_file_gets_the_app_but_not_for_a_year() {
    let (_dir, app) = site();
    let response = app.get("/app-ffffffffffffffff_bg.wasm", None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.text(), index_html());
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-cache"));
}

#[tokio::test]
async fn pages_and_files_carry_the_security_headers() {
    let (_dir, app) = site();
    let expected_csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'; object-src 'none'",
        script_source(INLINE_SCRIPT)
    );
    for path in ["/", "/dashboard", WASM, JS, CSS, "/robots.txt"] {
        let response = get_encoded(&app, path, "br, gzip").await;
        assert_eq!(
            response.header(header::CONTENT_SECURITY_POLICY),
            Some(expected_csp.as_str()),
            "{path}"
        );
        assert_eq!(
            response.header(header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            response.header(header::REFERRER_POLICY),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(
            response.header(header::X_FRAME_OPTIONS),
            Some("DENY"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn with_an_oidc_issuer_the_csp_lets_the_app_reach_its_origin() {
    let (_dir, app) = site_with(|config| config.oidc_issuer = Some(ISSUER.to_owned()));
    let response = app.get("/", None).await;
    let csp = response
        .header(header::CONTENT_SECURITY_POLICY)
        .expect("csp");
    assert!(
        csp.contains("connect-src 'self' https://id.example.com:8443;"),
        "{csp}"
    );
    assert!(
        csp.contains("form-action 'self' https://id.example.com:8443;"),
        "{csp}"
    );
    assert!(csp.contains(&script_source(INLINE_SCRIPT)), "{csp}");
    // The origin only: no path, and nowhere else.
    assert!(!csp.contains("/realms"), "{csp}");
    assert_eq!(csp.matches("id.example.com").count(), 2, "{csp}");
}

#[tokio::test]
async fn api_answers_get_none_of_the_static_headers() {
    let (_dir, app) = site();
    for path in ["/api/abp/application-configuration", "/API/nothing"] {
        let response = app.get(path, None).await;
        assert_eq!(
            response.header(header::CACHE_CONTROL),
            Some("no-store"),
            "{path}"
        );
        assert_eq!(
            response.header(header::CONTENT_SECURITY_POLICY),
            None,
            "{path}"
        );
        assert_eq!(response.header(header::ETAG), None, "{path}");
    }
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
    for path in ["/", "/dashboard"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.header(header::CACHE_CONTROL), Some("no-cache"));
        let csp = response
            .header(header::CONTENT_SECURITY_POLICY)
            .expect("csp");
        assert!(!csp.contains("'sha256-"), "{csp}");
    }
}

#[tokio::test]
async fn the_servers_own_deployment_file_names_the_demo_accounts() {
    let (_dir, app) = site();
    let response = app.get("/app-config.json", None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-cache"));
    assert_eq!(
        response.header(header::CONTENT_TYPE),
        Some("application/json")
    );
    let accounts = response.json()["DEMO_ACCOUNTS"].clone();
    let names: Vec<&str> = accounts
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|account| account["userName"].as_str())
        .collect();
    assert_eq!(names, ["admin", "alice", "wile", "bob"]);
    assert_eq!(accounts[3]["tenant"], "acme");
    assert_eq!(accounts[3]["twoFactor"], true);
}

#[tokio::test]
async fn a_deployment_file_in_the_folder_is_served_and_its_origins_join_the_csp() {
    let (dir, app) = site();
    let document = r#"{"API_BASE":"https://api.example.com:8443","OIDC_ISSUER":"https://id.example.com/realms/x"}"#;
    write(&dir, "app-config.json", document.as_bytes());
    let response = app.get("/app-config.json", None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.text(), document);
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-cache"));
    let csp = app
        .get("/", None)
        .await
        .header(header::CONTENT_SECURITY_POLICY)
        .expect("csp")
        .to_owned();
    assert!(
        csp.contains("connect-src 'self' https://api.example.com:8443 https://id.example.com;"),
        "{csp}"
    );
    assert!(
        csp.contains("form-action 'self' https://id.example.com;"),
        "{csp}"
    );
}

#[tokio::test]
async fn without_a_deployment_file_an_identity_provider_server_answers_404_not_the_page() {
    let (_dir, app) = site_with(|c| c.oidc_issuer = Some("https://id.example.com".into()));
    let response = app.get("/app-config.json", None).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(!response.text().contains("the app"), "{}", response.text());
}
