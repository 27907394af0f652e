//! Shared by the browser tests: a scripted `fetch` that plays the API and
//! its refresh endpoints, and the tokens of a logged-in user.
#![allow(dead_code, missing_docs)]

use js_sys::Reflect;
use silent_refresh_core::{CoordinatorOptions, RefreshGrant, RefreshStatus, testing::FakeStore};
use silent_refresh_web::{ApiClient, Session, SessionRecord, TokenRefresher, Transport};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The name of the tests' session record (database, mirror, lock).
pub const RECORD_NAME: &str = "silent-refresh-test";

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

export function putRawSessionRecord(name, text) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
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
    #[wasm_bindgen(js_name = installFakeApi)]
    fn install_fake_api(options: &JsValue) -> JsValue;

    /// Writes `text` as the session record of `name`, as is.
    #[wasm_bindgen(js_name = putRawSessionRecord)]
    pub fn put_raw_session_record(name: &str, text: &str) -> js_sys::Promise;
}

/// How the scripted refresh endpoint behaves.
#[derive(Default)]
pub struct RefreshBehaviour {
    /// Answer with this status (and an `invalid_grant` body).
    pub status: Option<u16>,
    /// Answer after this long.
    pub delay_ms: Option<u32>,
    /// Never answer (until the request is aborted).
    pub hangs: bool,
    /// Another tab logs in with this session while the refresh is on its way.
    pub session_stored_meanwhile: Option<Session>,
}

/// The scripted API's counters.
pub struct FakeApi(JsValue);

impl FakeApi {
    /// The API, its refresh endpoint answering `refresh_status` (or pairs).
    pub fn install(refresh_status: Option<u16>) -> Self {
        Self::with(RefreshBehaviour {
            status: refresh_status,
            ..RefreshBehaviour::default()
        })
    }

    /// The API, its refresh endpoint behaving as `behaviour` says.
    pub fn with(behaviour: RefreshBehaviour) -> Self {
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
                    record().replace(Some(session)).await;
                    Ok(JsValue::UNDEFINED)
                })
            });
            set("whileRefreshing", login);
        }
        Self(install_fake_api(&options))
    }

    /// Calls counted under `name` (`refresh`, `resource`).
    pub fn count(&self, name: &str) -> u32 {
        Reflect::get(&self.0, &name.into())
            .unwrap()
            .as_f64()
            .unwrap() as u32
    }

    /// The bodies the refresh endpoints received, in order.
    pub fn refresh_bodies(&self) -> Vec<String> {
        let bodies: js_sys::Array = Reflect::get(&self.0, &"refreshBodies".into())
            .unwrap()
            .into();
        bodies.iter().map(|b| b.as_string().unwrap()).collect()
    }
}

/// The tests' session record.
pub fn record() -> SessionRecord {
    SessionRecord::new(RECORD_NAME)
}

/// A client over `store`, refreshing in the seed protocol, aborting calls
/// after `timeout_ms`.
pub fn client(store: &FakeStore, timeout_ms: u32) -> ApiClient<FakeStore, TokenRefresher> {
    let transport = Transport::new("", timeout_ms);
    ApiClient::new(
        store.clone(),
        transport.clone(),
        TokenRefresher::seed(transport),
        CoordinatorOptions::default(),
        |_: RefreshStatus| {},
    )
}

/// Alice's session with `refresh_token`.
pub fn alice(refresh_token: &str) -> Session {
    Session::new(
        "a".into(),
        refresh_token.into(),
        "user-1".into(),
        Some(30),
        0.0,
    )
}

/// What refreshing Alice's first token takes.
pub fn alices_grant() -> RefreshGrant {
    RefreshGrant {
        refresh_token: "refresh-0".into(),
        subject: Some("user-1".into()),
    }
}
