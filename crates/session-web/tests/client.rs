//! The gloo-net client and the refreshers in headless Chromium, against a
//! scripted `fetch`: one refresh for concurrent `401`s, every failure of the
//! refresh endpoint classified, timeouts, bad bodies, the body transform.
#![cfg(target_arch = "wasm32")]
// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::rc::Rc;

use futures_util::future::join_all;
use serde_json::Value;
use silent_refresh_core::{CoordinatorOptions, RefreshStatus, TokenStore, testing::FakeStore};
use silent_refresh_web::testing::{FakeApi, RefreshBehaviour};
use silent_refresh_web::{ApiClient, ApiError, TokenRefresher, Transport};
use support::client;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn concurrent_401s_cost_one_refresh_and_every_call_is_replayed_with_the_new_token() {
    let api = FakeApi::install(None);
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let client = client(&store, 5_000);

    let paths = [
        "/api/app/a",
        "/api/app/b",
        "/api/app/c",
        "/api/app/d",
        "/api/app/e",
    ];
    let answers = join_all(paths.iter().map(|p| client.get::<Value>(p))).await;

    for (answer, path) in answers.iter().zip(paths) {
        let answer = answer.as_ref().expect("replayed successfully");
        assert_eq!(answer["path"], path);
        assert_eq!(answer["bearer"], "access-1");
    }
    assert_eq!(api.count("refresh"), 1);
    assert_eq!(api.count("resource"), 10);
    let bodies: Vec<Value> = api
        .refresh_bodies()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(
        bodies,
        [serde_json::json!({ "userId": "user-1", "refreshToken": "refresh-0" })]
    );
    assert_eq!(store.snapshot().access_token.as_deref(), Some("access-1"));
}

#[wasm_bindgen_test]
async fn the_oauth2_mode_posts_a_refresh_token_grant_form_and_keeps_an_unrotated_token() {
    let api = FakeApi::install(None);
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let transport = Transport::new("", 5_000);
    let client = ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::oauth2(transport, "/connect/token", "spa"),
        CoordinatorOptions::default(),
        |_: RefreshStatus| {},
    );

    let answer = client.get::<Value>("/api/app/x").await.expect("replayed");
    assert_eq!(answer["bearer"], "access-1");
    assert_eq!(
        api.refresh_bodies(),
        ["grant_type=refresh_token&refresh_token=refresh-0&client_id=spa"]
    );
    let grant = store.snapshot().grant.expect("still logged in");
    assert_eq!(
        grant.refresh_token, "refresh-0",
        "no rotation: the old token is kept"
    );
}

#[wasm_bindgen_test]
async fn a_rejected_refresh_ends_the_session_and_fails_every_call() {
    let api = FakeApi::install(Some(400));
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let client = client(&store, 5_000);

    let answers = join_all((0..3).map(|_| client.get::<Value>("/api/app/x"))).await;
    assert!(
        answers.iter().all(|a| *a == Err(ApiError::SessionExpired)),
        "{answers:?}"
    );
    assert_eq!(api.count("refresh"), 1);
    assert_eq!(store.sessions_ended(), 1);
}

#[wasm_bindgen_test]
async fn a_refresh_failing_with_500_keeps_the_session_and_says_unavailable() {
    let api = FakeApi::install(Some(503));
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let client = client(&store, 5_000);

    let answer = client.get::<Value>("/api/app/x").await;
    assert!(
        matches!(answer, Err(ApiError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(api.count("refresh"), 3, "the whole retry budget");
    assert_eq!(store.sessions_ended(), 0);
    assert_eq!(store.snapshot().access_token.as_deref(), Some("expired"));
}

#[wasm_bindgen_test]
async fn regression_a_401_from_the_refresh_endpoint_is_never_intercepted() {
    let api = FakeApi::install(Some(401));
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let answer = client(&store, 5_000).get::<Value>("/api/app/x").await;
    assert_eq!(answer, Err(ApiError::SessionExpired));
    assert_eq!(
        api.count("refresh"),
        1,
        "the refresh call does not refresh itself"
    );
    assert_eq!(api.count("resource"), 1, "nothing replayed");
}

#[wasm_bindgen_test]
async fn a_refresh_answered_429_keeps_the_session() {
    let api = FakeApi::install(Some(429));
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let answer = client(&store, 5_000).get::<Value>("/api/app/x").await;
    assert!(
        matches!(answer, Err(ApiError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(api.count("refresh"), 3);
    assert_eq!(store.sessions_ended(), 0);
}

#[wasm_bindgen_test]
async fn a_refresh_that_times_out_keeps_the_session() {
    let api = FakeApi::with(RefreshBehaviour {
        hangs: true,
        ..RefreshBehaviour::default()
    });
    let store = FakeStore::logged_in("expired", Some("refresh-0"));
    let answer = client(&store, 150).get::<Value>("/api/app/x").await;
    assert!(
        matches!(answer, Err(ApiError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(api.count("refresh"), 3, "each attempt timed out");
    assert_eq!(store.sessions_ended(), 0);
}

#[wasm_bindgen_test]
async fn a_call_that_takes_too_long_is_aborted_as_a_timeout() {
    FakeApi::install(None);
    let store = FakeStore::logged_in("fresh-0", Some("refresh-0"));
    let answer = client(&store, 150).get::<Value>("/api/slow").await;
    assert_eq!(answer, Err(ApiError::Timeout));
}

#[wasm_bindgen_test]
async fn a_malformed_body_is_a_decode_error() {
    FakeApi::install(None);
    let store = FakeStore::logged_in("fresh-0", Some("refresh-0"));
    let answer = client(&store, 5_000).get::<Value>("/api/malformed").await;
    assert!(matches!(answer, Err(ApiError::Decode(_))), "{answer:?}");
}

#[wasm_bindgen_test]
async fn the_body_transform_sees_every_response_body() {
    FakeApi::install(None);
    let transport = Transport::new("", 5_000).with_transform(Rc::new(|body: String| {
        Ok(body.replace("fresh-0", "decrypted"))
    }));
    let store = FakeStore::logged_in("fresh-0", Some("refresh-0"));
    let client = ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::seed(transport),
        CoordinatorOptions::default(),
        |_: RefreshStatus| {},
    );
    let answer = client.get::<Value>("/api/app/x").await.expect("ok");
    assert_eq!(answer["bearer"], "decrypted");
}

#[wasm_bindgen_test]
async fn a_cookie_session_sends_no_bearer_and_its_401_ends_it_without_a_refresh_call() {
    let api = FakeApi::install(None);
    let store = FakeStore::logged_in("", Some(""));
    let csrf: silent_refresh_web::RequestHeaders = Rc::new(|| vec![("X-CSRF", "1".to_owned())]);
    let transport = Transport::new("", 5_000).with_headers(csrf);
    let client = ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::cookie(transport),
        CoordinatorOptions::default(),
        |_: RefreshStatus| {},
    );

    let answer = client
        .get::<Value>("/api/app/x")
        .await
        .expect("the cookie's session");
    assert_eq!(
        answer["bearer"],
        Value::Null,
        "no Authorization header at all"
    );

    api.expire_access_tokens();
    let ended = client.get::<Value>("/api/app/x").await;
    assert_eq!(ended, Err(ApiError::SessionExpired));
    assert_eq!(api.count("refresh"), 0, "nothing to refresh in the browser");
    assert_eq!(store.snapshot().access_token, None, "the session ended");
}
