//! Pages fetched when first visited: the console's pages are in wasm
//! chunks (src/pages/split.rs), each fetched the first time one of its
//! pages opens and kept like every content-hashed file; one that cannot be
//! fetched says so in words, with *Try again*.

use serde_json::{Value, json};

use silent_refresh_contract::test_controls::Endpoint;

use crate::{
    harness::{Server, ServerOptions},
    pages::App,
};

/// The page chunks (`split_<chunk>-<hash>.wasm`) the tab has fetched so far,
/// once per fetch, after every shared chunk (`chunk_<n>-<hash>.wasm`) was
/// fetched at most once.
async fn fetched_pages(app: &App) -> Vec<String> {
    let names = app
        .run(
            "const paths = performance.getEntriesByType('resource')
                .map(entry => new URL(entry.name).pathname);
            const shared = paths.filter(path => /^\\/chunk_[0-9]+-[0-9a-f]+\\.wasm$/.test(path));
            if (new Set(shared).size !== shared.length) return ['a shared chunk twice: ' + shared];
            return paths
                .filter(path => /^\\/split_[a-z_]+-[0-9a-f]+\\.wasm$/.test(path))
                .map(path => path.slice(7, path.lastIndexOf('-')));",
            vec![],
        )
        .await;
    let mut pages: Vec<String> = serde_json::from_value(names).expect("a list of names");
    pages.sort();
    pages
}

#[tokio::test]
async fn each_page_is_fetched_on_its_first_visit_and_kept_for_good() {
    let (_server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    assert_eq!(
        fetched_pages(&app).await,
        ["console"],
        "only the dashboard's"
    );

    // The profile is in the dashboard's chunk.
    app.click("nav-item-profile").await;
    app.find("profile").await;
    assert_eq!(fetched_pages(&app).await, ["console"]);

    app.click("nav-item-diagnostics").await;
    app.find("diagnostics").await;
    assert_eq!(fetched_pages(&app).await, ["console", "diagnostics"]);

    // Back to a page already fetched: nothing new.
    app.click("nav-item-dashboard").await;
    app.wait_for_cards("ready").await;
    assert_eq!(fetched_pages(&app).await, ["console", "diagnostics"]);

    let answer = app
        .run(
            "const entry = performance.getEntriesByType('resource')
                .find(entry => entry.name.includes('/split_diagnostics-'));
            const response = await fetch(entry.name);
            return [response.status, response.headers.get('cache-control'),
                    response.headers.get('content-type')];",
            vec![],
        )
        .await;
    assert_eq!(
        answer,
        json!([
            200,
            "public, max-age=31536000, immutable",
            "application/wasm"
        ]),
        "a chunk is kept like every content-hashed file"
    );
}

#[tokio::test]
async fn a_page_whose_chunk_cannot_be_fetched_says_so_and_opens_on_try_again() {
    let (_server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    app.devtools("Network.enable", json!({})).await;
    app.devtools(
        "Network.setBlockedURLs",
        json!({ "urls": ["*/split_diagnostics-*"] }),
    )
    .await;

    app.click("nav-item-diagnostics").await;
    let error = app.find("page-chunk-error").await;
    let words = error.text().await.expect("the error's text");
    assert!(
        words.contains("This page could not be loaded"),
        "the failure in words, not a code: {words}"
    );
    // The console around it still works.
    app.find("nav-item-dashboard").await;

    app.devtools(
        "Network.setBlockedURLs",
        json!({ "urls": Value::Array(vec![]) }),
    )
    .await;
    app.click("retry").await;
    app.find("diagnostics").await;
    assert!(!app.is_present("page-chunk-error").await);
    app.click("burst-run").await;
    app.find("burst-result").await;
}

#[tokio::test]
async fn the_page_a_login_returns_to_loads_while_the_login_is_under_way() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;
    app.find("login-username").await;
    assert!(
        fetched_pages(&app).await.is_empty(),
        "no page before a login"
    );

    server.api().delay_next(Endpoint::Login, 3_000).await;
    app.log_in("alice", "alice123").await;
    app.wait_until("the dashboard's chunk to be fetched", || async {
        fetched_pages(&app).await == ["console"]
    })
    .await;
    let path = app.path().await;
    assert!(
        path.starts_with("/login"),
        "the login is still under way: {path}"
    );
    assert_eq!(server.api().stats().await.login, 1);

    app.wait_for_path("/dashboard").await;
    app.wait_for_cards("ready").await;
    assert_eq!(fetched_pages(&app).await, ["console"], "fetched once");
}

#[tokio::test]
async fn a_reload_with_a_session_fetches_its_page_while_the_roles_are_checked() {
    let (server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    app.click("nav-item-diagnostics").await;
    app.find("diagnostics").await;

    // The roles are fetched again on a reload (REFRESH_ROLE): held here.
    server.api().delay_next(Endpoint::AppConfig, 3_000).await;
    app.reload().await;
    app.wait_until("the diagnostics chunk to be fetched", || async {
        fetched_pages(&app).await == ["diagnostics"]
    })
    .await;
    assert!(
        app.is_present("loading-permissions").await,
        "the roles are still being checked"
    );
    app.find("diagnostics").await;
    assert_eq!(fetched_pages(&app).await, ["diagnostics"], "fetched once");
}
