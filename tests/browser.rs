//! Browser tests (wasm-bindgen-test in headless Chromium): the gloo-net
//! client against a scripted `fetch`, storage persistence, and reading the
//! navigation type from the real Performance API.
#![cfg(target_arch = "wasm32")]

use std::{cell::RefCell, rc::Rc};

use futures_util::future::join_all;
use gloo_storage::{LocalStorage, Storage};
use js_sys::Reflect;
use leptos::prelude::Owner;
use serde_json::Value;
use silent_refresh::{
    api::{ApiClient, ApiError, TokenRefresher, Transport},
    auth::{
        CoordinatorOptions, Generation, RefreshError, RefreshGrant, RefreshStatus, Refresher,
        TokenPair, TokenSnapshot, TokenStore,
    },
    config::RefreshMode,
    startup::{NavigationKind, navigation_kind},
    stores::{AccessStore, Session, SharedRefresher, UserInfo, UserStore, shared_session},
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function installFakeApi(options) {
  const state = { refresh: 0, resource: 0, refreshBodies: [], valid: new Set(["fresh-0"]), next: 1 };
  const json = (status, body) => new Response(JSON.stringify(body), {
    status, headers: { "content-type": "application/json" },
  });
  globalThis.fetch = async (request) => {
    const path = new URL(request.url).pathname;
    const bearer = (request.headers.get("authorization") || "").replace(/^Bearer /, "");
    if (path === "/api/app/account/refresh-token") {
      state.refresh += 1;
      state.refreshBodies.push(await request.text());
      if (options.refreshHangs) {
        return new Promise((_, reject) => request.signal.addEventListener("abort",
          () => reject(new DOMException("aborted", "AbortError"))));
      }
      if (options.whileRefreshing) {
        // Another tab acts while this refresh is on its way.
        await options.whileRefreshing();
      }
      if (options.refreshDelayMs) {
        await new Promise((resolve) => setTimeout(resolve, options.refreshDelayMs));
      }
      if (options.refreshStatus) {
        return json(options.refreshStatus, { success: false, error: { code: "invalid_grant", message: "no" } });
      }
      const n = state.next++;
      state.valid.add("access-" + n);
      return json(200, { success: true, token: "access-" + n, refreshToken: "refresh-" + n, expiresIn: 30 });
    }
    if (path === "/connect/token") {
      state.refresh += 1;
      state.refreshBodies.push(await request.text());
      const n = state.next++;
      state.valid.add("access-" + n);
      return json(200, { access_token: "access-" + n, token_type: "Bearer", expires_in: 60 });
    }
    if (path === "/api/slow") {
      return new Promise((_, reject) => request.signal.addEventListener("abort",
        () => reject(new DOMException("aborted", "AbortError"))));
    }
    if (path === "/api/malformed") {
      return new Response("{\"items\": [", { status: 200 });
    }
    state.resource += 1;
    if (!state.valid.has(bearer)) {
      return json(401, { error: { code: "invalid_token", message: "expired" } });
    }
    return json(200, { path, bearer });
  };
  return state;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFakeApi)]
    fn install_fake_api(options: &JsValue) -> JsValue;
}

/// How the scripted refresh endpoint behaves.
#[derive(Default)]
struct RefreshBehaviour {
    /// Answer with this status (and an `invalid_grant` body).
    status: Option<u16>,
    /// Answer after this long.
    delay_ms: Option<u32>,
    /// Never answer (until the request is aborted).
    hangs: bool,
    /// Another tab logs in with this session while the refresh is on its way.
    session_stored_meanwhile: Option<Session>,
}

/// The scripted API's counters.
struct FakeApi(JsValue);

impl FakeApi {
    fn install(refresh_status: Option<u16>) -> Self {
        Self::with(RefreshBehaviour {
            status: refresh_status,
            ..RefreshBehaviour::default()
        })
    }

    fn with(behaviour: RefreshBehaviour) -> Self {
        let options = js_sys::Object::new();
        let set = |name: &str, value: JsValue| {
            Reflect::set(&options, &name.into(), &value).unwrap();
        };
        if let Some(status) = behaviour.status {
            set("refreshStatus", status.into());
        }
        if let Some(delay) = behaviour.delay_ms {
            set("refreshDelayMs", delay.into());
        }
        set("refreshHangs", behaviour.hangs.into());
        if let Some(session) = behaviour.session_stored_meanwhile {
            let login = Closure::once_into_js(move || {
                future_to_promise(async move {
                    shared_session::replace(Some(session)).await;
                    Ok(JsValue::UNDEFINED)
                })
            });
            set("whileRefreshing", login);
        }
        Self(install_fake_api(&options))
    }

    fn count(&self, name: &str) -> u32 {
        Reflect::get(&self.0, &name.into())
            .unwrap()
            .as_f64()
            .unwrap() as u32
    }

    fn refresh_bodies(&self) -> Vec<String> {
        let bodies: js_sys::Array = Reflect::get(&self.0, &"refreshBodies".into())
            .unwrap()
            .into();
        bodies.iter().map(|b| b.as_string().unwrap()).collect()
    }
}

/// Tokens in memory, for the client tests.
#[derive(Clone, Default)]
struct MemoryTokens {
    tokens: Rc<RefCell<TokenSnapshot>>,
    ended: Rc<RefCell<bool>>,
}

impl MemoryTokens {
    fn logged_in(access: &str) -> Self {
        let store = Self::default();
        *store.tokens.borrow_mut() = TokenSnapshot {
            session: 1,
            access_token: Some(access.into()),
            grant: Some(alices_grant()),
            generation: Generation(1),
        };
        store
    }
}

impl TokenStore for MemoryTokens {
    fn snapshot(&self) -> TokenSnapshot {
        self.tokens.borrow().clone()
    }

    fn save_refreshed(&self, pair: TokenPair) {
        let mut tokens = self.tokens.borrow_mut();
        tokens.access_token = Some(pair.access_token);
        tokens.grant = Some(RefreshGrant {
            refresh_token: pair.refresh_token,
            user_id: Some("user-1".into()),
        });
        tokens.generation = tokens.generation.next();
    }

    fn end_session(&self) {
        *self.ended.borrow_mut() = true;
        *self.tokens.borrow_mut() = TokenSnapshot::default();
    }
}

fn client(store: &MemoryTokens, timeout_ms: u32) -> ApiClient<MemoryTokens, TokenRefresher> {
    let transport = Transport::new("", timeout_ms);
    ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::seed(transport),
        CoordinatorOptions::default(),
        |_: RefreshStatus| {},
    )
}

#[wasm_bindgen_test]
async fn concurrent_401s_cost_one_refresh_and_every_call_is_replayed_with_the_new_token() {
    let api = FakeApi::install(None);
    let store = MemoryTokens::logged_in("expired");
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
    let store = MemoryTokens::logged_in("expired");
    let transport = Transport::new("", 5_000);
    let client = ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::new(transport, RefreshMode::OAuth2, "/connect/token", "spa"),
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
    let store = MemoryTokens::logged_in("expired");
    let client = client(&store, 5_000);

    let answers = join_all((0..3).map(|_| client.get::<Value>("/api/app/x"))).await;
    assert!(
        answers.iter().all(|a| *a == Err(ApiError::SessionExpired)),
        "{answers:?}"
    );
    assert_eq!(api.count("refresh"), 1);
    assert!(*store.ended.borrow());
}

#[wasm_bindgen_test]
async fn a_refresh_failing_with_500_keeps_the_session_and_says_unavailable() {
    let api = FakeApi::install(Some(503));
    let store = MemoryTokens::logged_in("expired");
    let client = client(&store, 5_000);

    let answer = client.get::<Value>("/api/app/x").await;
    assert!(
        matches!(answer, Err(ApiError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(api.count("refresh"), 3, "the whole retry budget");
    assert!(!*store.ended.borrow());
    assert_eq!(store.snapshot().access_token.as_deref(), Some("expired"));
}

#[wasm_bindgen_test]
async fn regression_a_401_from_the_refresh_endpoint_is_never_intercepted() {
    let api = FakeApi::install(Some(401));
    let store = MemoryTokens::logged_in("expired");
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
    let store = MemoryTokens::logged_in("expired");
    let answer = client(&store, 5_000).get::<Value>("/api/app/x").await;
    assert!(
        matches!(answer, Err(ApiError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(api.count("refresh"), 3);
    assert!(!*store.ended.borrow());
}

#[wasm_bindgen_test]
async fn a_refresh_that_times_out_keeps_the_session() {
    let api = FakeApi::with(RefreshBehaviour {
        hangs: true,
        ..RefreshBehaviour::default()
    });
    let store = MemoryTokens::logged_in("expired");
    let answer = client(&store, 150).get::<Value>("/api/app/x").await;
    assert!(
        matches!(answer, Err(ApiError::Unavailable(_))),
        "{answer:?}"
    );
    assert_eq!(api.count("refresh"), 3, "each attempt timed out");
    assert!(!*store.ended.borrow());
}

#[wasm_bindgen_test]
async fn a_call_that_takes_too_long_is_aborted_as_a_timeout() {
    FakeApi::install(None);
    let store = MemoryTokens::logged_in("fresh-0");
    let answer = client(&store, 150).get::<Value>("/api/slow").await;
    assert_eq!(answer, Err(ApiError::Timeout));
}

#[wasm_bindgen_test]
async fn a_malformed_body_is_a_decode_error() {
    FakeApi::install(None);
    let store = MemoryTokens::logged_in("fresh-0");
    let answer = client(&store, 5_000).get::<Value>("/api/malformed").await;
    assert!(matches!(answer, Err(ApiError::Decode(_))), "{answer:?}");
}

#[wasm_bindgen_test]
async fn the_body_transform_sees_every_response_body() {
    FakeApi::install(None);
    let transport = Transport::new("", 5_000).with_transform(Rc::new(|body: String| {
        Ok(body.replace("fresh-0", "decrypted"))
    }));
    let store = MemoryTokens::logged_in("fresh-0");
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
async fn the_session_survives_a_reload_through_storage() {
    let owner = Owner::new();
    owner.set();
    LocalStorage::clear();
    let session = Session::new("a".into(), "r".into(), "u".into(), Some(30), 1_000.0);
    AccessStore::from_storage().start(session.clone()).await;
    assert_eq!(
        AccessStore::from_storage().session_untracked(),
        Some(session.clone())
    );
    assert_eq!(shared_session::current().await, Some(session));

    AccessStore::from_storage().clear().await;
    assert_eq!(AccessStore::from_storage().session_untracked(), None);
    assert_eq!(shared_session::current().await, None);
}

#[wasm_bindgen_test]
fn corrupted_or_foreign_storage_means_logged_out_and_is_removed() {
    let owner = Owner::new();
    owner.set();
    for stored in [
        "{not json",
        "42",
        r#"{"accessToken":"","refreshToken":"","userId":"u"}"#,
        r#"{"something":"else"}"#,
    ] {
        LocalStorage::clear();
        let storage = LocalStorage::raw();
        storage.set_item("silent-refresh.session", stored).unwrap();
        assert_eq!(
            AccessStore::from_storage().session_untracked(),
            None,
            "{stored}"
        );
        assert_eq!(
            storage.get_item("silent-refresh.session").unwrap(),
            None,
            "{stored}"
        );
    }
}

#[wasm_bindgen(inline_js = r#"
export function putRawSessionRecord(text) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("silent-refresh", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("session");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const transaction = open.result.transaction("session", "readwrite");
      transaction.objectStore("session").put(text, "current");
      transaction.oncomplete = () => { open.result.close(); resolve(); };
      transaction.onerror = () => reject(transaction.error);
    };
  });
}
"#)]
extern "C" {
    /// Writes `text` as the shared session record, as is.
    #[wasm_bindgen(js_name = putRawSessionRecord)]
    fn put_raw_session_record(text: &str) -> js_sys::Promise;
}

#[wasm_bindgen_test]
async fn an_unreadable_shared_record_falls_back_to_the_mirror_and_is_replaced() {
    let alice = Session::new("a".into(), "r".into(), "user-1".into(), Some(30), 0.0);
    for record in ["{not json", "42", r#"{"accessToken":"","refreshToken":""}"#] {
        LocalStorage::clear();
        JsFuture::from(put_raw_session_record(record))
            .await
            .unwrap();
        assert_eq!(shared_session::current().await, None, "{record}");

        LocalStorage::set("silent-refresh.session", &alice).unwrap();
        assert_eq!(
            shared_session::current().await,
            Some(alice.clone()),
            "{record}"
        );
        shared_session::replace(None).await;
        assert_eq!(shared_session::current().await, None, "{record}");
    }
}

#[wasm_bindgen_test]
fn a_corrupted_stored_user_is_no_user_and_is_removed() {
    LocalStorage::clear();
    let storage = LocalStorage::raw();
    storage.set_item("silent-refresh.user", "{\"id\":").unwrap();
    assert_eq!(UserInfo::stored(), None);
    assert_eq!(storage.get_item("silent-refresh.user").unwrap(), None);
}

#[wasm_bindgen_test]
fn clearing_the_user_keeps_another_tabs_user_in_storage() {
    let owner = Owner::new();
    owner.set();
    LocalStorage::clear();
    let alice = UserInfo::signed_in("user-1".into(), "alice".into());
    let bob = UserInfo::signed_in("user-2".into(), "bob".into());
    UserStore::from_storage().set(alice);

    let alices_tab = UserStore::from_storage();
    LocalStorage::set("silent-refresh.user", &bob).unwrap();
    alices_tab.clear();
    assert_eq!(alices_tab.info(), None);
    assert_eq!(UserInfo::stored(), Some(bob), "another tab's user stays");

    let tab = UserStore::from_storage();
    tab.clear();
    assert_eq!(UserInfo::stored(), None, "this tab's own user is removed");
}

/// Alice logged in, as every tab sees it.
async fn store_alice(refresh_token: &str) {
    let alice = Session::new(
        "a".into(),
        refresh_token.into(),
        "user-1".into(),
        Some(30),
        0.0,
    );
    shared_session::replace(Some(alice)).await;
}

fn alices_grant() -> RefreshGrant {
    RefreshGrant {
        refresh_token: "refresh-0".into(),
        user_id: Some("user-1".into()),
    }
}

#[wasm_bindgen_test]
async fn tabs_refreshing_at_once_share_one_refresh_under_the_web_lock() {
    let api = FakeApi::with(RefreshBehaviour {
        delay_ms: Some(200),
        ..RefreshBehaviour::default()
    });
    store_alice("refresh-0").await;
    let shared = SharedRefresher::new(TokenRefresher::seed(Transport::new("", 5_000)));

    // Two tabs whose tokens expired together: both hold refresh-0.
    let grant = alices_grant();
    let (first, second) = futures_util::join!(shared.refresh(&grant), shared.refresh(&grant));

    assert_eq!(
        api.count("refresh"),
        1,
        "the second adopts the first one's tokens"
    );
    let (first, second) = (first.expect("refreshed"), second.expect("adopted"));
    assert_eq!(first.refresh_token, "refresh-1");
    assert_eq!(second.refresh_token, "refresh-1");
    let stored = shared_session::current().await.expect("a session");
    assert_eq!(stored.refresh_token, "refresh-1");
    let mirrored: Session = LocalStorage::get("silent-refresh.session").unwrap();
    assert_eq!(mirrored, stored);
}

#[wasm_bindgen_test]
async fn a_refresh_never_writes_over_a_login_made_meanwhile_in_another_tab() {
    let bob = Session::new(
        "b".into(),
        "bob-refresh".into(),
        "user-2".into(),
        Some(30),
        1.0,
    );
    FakeApi::with(RefreshBehaviour {
        session_stored_meanwhile: Some(bob.clone()),
        ..RefreshBehaviour::default()
    });
    store_alice("refresh-0").await;
    let shared = SharedRefresher::new(TokenRefresher::seed(Transport::new("", 5_000)));

    let refreshed = shared.refresh(&alices_grant()).await;

    assert_eq!(refreshed, Err(RefreshError::Rejected));
    assert_eq!(
        shared_session::current().await,
        Some(bob.clone()),
        "bob's session is untouched"
    );
    let mirrored: Session = LocalStorage::get("silent-refresh.session").unwrap();
    assert_eq!(mirrored, bob);
}

#[wasm_bindgen_test]
async fn a_tab_whose_session_was_logged_out_elsewhere_does_not_refresh() {
    let api = FakeApi::install(None);
    shared_session::replace(None).await;
    let shared = SharedRefresher::new(TokenRefresher::seed(Transport::new("", 5_000)));
    assert_eq!(
        shared.refresh(&alices_grant()).await,
        Err(RefreshError::Rejected)
    );
    assert_eq!(api.count("refresh"), 0);
}

#[wasm_bindgen_test]
fn the_test_page_was_opened_by_a_plain_navigation() {
    assert_eq!(navigation_kind(), Some(NavigationKind::Navigate));
}

#[wasm_bindgen(inline_js = r#"
export function withEntriesByType(replacement, check) {
  const original = Object.getOwnPropertyDescriptor(Performance.prototype, "getEntriesByType");
  Object.defineProperty(Performance.prototype, "getEntriesByType",
    { value: replacement, configurable: true, writable: true });
  try { return check(); } finally {
    Object.defineProperty(Performance.prototype, "getEntriesByType", original);
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = withEntriesByType)]
    fn with_entries_by_type(replacement: &JsValue, check: &js_sys::Function) -> JsValue;
}

/// `navigation_kind()` with `performance.getEntriesByType` replaced.
fn navigation_kind_with(replacement: JsValue) -> Option<NavigationKind> {
    let seen = Rc::new(RefCell::new(None));
    let check = {
        let seen = Rc::clone(&seen);
        Closure::<dyn FnMut()>::new(move || *seen.borrow_mut() = Some(navigation_kind()))
    };
    with_entries_by_type(&replacement, check.as_ref().unchecked_ref());
    seen.take().expect("the check ran")
}

#[wasm_bindgen_test]
fn a_browser_without_a_navigation_entry_or_the_api_starts_normally() {
    let no_entries = js_sys::Function::new_no_args("return []");
    assert_eq!(navigation_kind_with(no_entries.into()), None);
    assert_eq!(navigation_kind_with(JsValue::UNDEFINED), None);
}
