//! A scripted API for browser tests of code built on this crate: it replaces
//! `fetch` with one that plays the seed protocol's login, refresh and logout
//! endpoints, the RFC 6749 token endpoint, the application configuration and
//! any resource, and counts every call. Enabled by the `testing` feature.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::{Session, SessionRecord};

#[wasm_bindgen(inline_js = r#"
export function installFakeApi(options) {
  const state = { refresh: 0, resource: 0, login: 0, logout: 0, refreshBodies: [], logoutBodies: [],
                  refreshKeys: [], answered: new Map(), lost: 0, valid: new Set(["fresh-0"]), next: 1 };
  state.expire = () => { state.valid.clear(); state.cookieEnded = true; };
  const json = (status, body) => new Response(JSON.stringify(body), {
    status, headers: { "content-type": "application/json" },
  });
  const hang = (request) => new Promise((_, reject) => request.signal.addEventListener("abort",
    () => reject(new DOMException("aborted", "AbortError"))));
  globalThis.fetch = async (request) => {
    const path = new URL(request.url).pathname;
    const bearer = (request.headers.get("authorization") || "").replace(/^Bearer /, "");
    if (path === "/api/account/login") {
      state.login += 1;
      return json(200, { success: true, token: "fresh-0", refreshToken: "refresh-0", userId: "user-1", expiresIn: 30 });
    }
    // Each call is counted once its body is in, so that a test that waits
    // for the count finds the body too.
    if (path === "/api/account/logout") {
      const body = await request.text();
      state.logout += 1;
      state.logoutBodies.push(body);
      return new Response(null, { status: 204 });
    }
    if (path === "/api/app/account/refresh-token") {
      const body = await request.text();
      const key = request.headers.get("idempotency-key");
      state.refresh += 1;
      state.refreshBodies.push(body);
      state.refreshKeys.push(key);
      // Like a server that keeps answers: the same key, the same pair.
      if (key && state.answered.has(key)) {
        return json(200, state.answered.get(key));
      }
      if (options.refreshHangs) {
        return hang(request);
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
      const pair = { success: true, token: "access-" + n, refreshToken: "refresh-" + n, expiresIn: 30 };
      if (key) {
        state.answered.set(key, pair);
      }
      if (state.lost < (options.answersLost || 0)) {
        // Rotated, then the connection died: no answer reaches the page.
        state.lost += 1;
        throw new TypeError("Failed to fetch");
      }
      return json(200, pair);
    }
    if (path === "/connect/token") {
      const body = await request.text();
      state.refresh += 1;
      state.refreshBodies.push(body);
      const n = state.next++;
      state.valid.add("access-" + n);
      return json(200, { access_token: "access-" + n, token_type: "Bearer", expires_in: 60 });
    }
    if (path === "/api/slow") {
      return hang(request);
    }
    if (path === "/api/malformed") {
      return new Response("{\"items\": [", { status: 200 });
    }
    state.resource += 1;
    // A Backend-for-Frontend's session: its cookie and X-CSRF, no bearer.
    const cookieSession = !request.headers.has("authorization") && request.headers.get("x-csrf") === "1";
    if (cookieSession && !state.cookieEnded) {
      return json(200, { path, bearer: null });
    }
    if (!state.valid.has(bearer)) {
      return json(401, { error: { code: "invalid_token", message: "expired" } });
    }
    if (path === "/api/abp/application-configuration") {
      return json(200, {
        currentUser: { isAuthenticated: true, id: "user-1", userName: "alice", name: "Alice", email: null, roles: ["user"] },
        auth: { grantedPolicies: { "Dashboard.View": true } },
      });
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
pub struct RefreshBehaviour {
    /// Answer with this status (and an `invalid_grant` body).
    pub status: Option<u16>,
    /// Answer after this long.
    pub delay_ms: Option<u32>,
    /// Never answer (until the request is aborted).
    pub hangs: bool,
    /// Another tab logs in with this session, in this record, while the
    /// refresh is on its way.
    pub session_stored_meanwhile: Option<(SessionRecord, Session)>,
    /// The first this many refreshes rotate, then lose their answer (a
    /// network error); like a server that keeps answers, a refresh with an
    /// `Idempotency-Key` seen before gets that key's pair again.
    pub answers_lost: u32,
}

/// The scripted API, installed as the page's `fetch`, and its counters.
///
/// Access tokens `fresh-0` (what login hands out) and every `access-N` a
/// refresh hands out are valid; anything else gets `401`. Paths: the seed
/// protocol's `/api/account/login`, `/api/app/account/refresh-token`,
/// `/api/account/logout`; `/connect/token`; `/api/abp/application-configuration`
/// (alice, role `user`, `Dashboard.View`); `/api/slow` never answers;
/// `/api/malformed` sends bad JSON; any other path echoes
/// `{"path","bearer"}`. A call with `X-CSRF: 1` and no bearer plays a
/// Backend-for-Frontend's cookie session (`"bearer": null`), until
/// [`FakeApi::expire_access_tokens`] ends it.
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
            // Setting a property of a fresh plain object cannot fail.
            let _ = Reflect::set(&options, &name.into(), &value);
        };
        if let Some(status) = behaviour.status {
            set("refreshStatus", status.into());
        }
        if let Some(delay) = behaviour.delay_ms {
            set("refreshDelayMs", delay.into());
        }
        set("refreshHangs", behaviour.hangs.into());
        set("answersLost", behaviour.answers_lost.into());
        if let Some((record, session)) = behaviour.session_stored_meanwhile {
            let login = Closure::once_into_js(move || {
                future_to_promise(async move {
                    record.replace(Some(session)).await;
                    Ok(JsValue::UNDEFINED)
                })
            });
            set("whileRefreshing", login);
        }
        Self(install_fake_api(&options))
    }

    /// Calls counted under `name`: `login`, `refresh`, `logout`, `resource`
    /// (everything else, the configuration included).
    pub fn count(&self, name: &str) -> u32 {
        Reflect::get(&self.0, &name.into())
            .ok()
            .and_then(|count| count.as_f64())
            .map_or(0, |count| count as u32)
    }

    /// Every access token handed out so far expires: the next call with one
    /// is answered `401` (the refresh tokens stay good); a cookie session
    /// ends.
    pub fn expire_access_tokens(&self) {
        let expire = Reflect::get(&self.0, &"expire".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(expire) = expire {
            // The function only clears a set: it cannot throw.
            let _ = expire.call0(&self.0);
        }
    }

    /// The bodies the refresh endpoints received, in order.
    pub fn refresh_bodies(&self) -> Vec<String> {
        self.bodies("refreshBodies")
    }

    /// The `Idempotency-Key` of each refresh the seed endpoint received, in
    /// order (`None`: sent without one).
    pub fn refresh_keys(&self) -> Vec<Option<String>> {
        Reflect::get(&self.0, &"refreshKeys".into())
            .map(|keys| js_sys::Array::from(&keys))
            .map(|keys| keys.iter().map(|k| k.as_string()).collect())
            .unwrap_or_default()
    }

    /// The bodies the logout endpoint received, in order.
    pub fn logout_bodies(&self) -> Vec<String> {
        self.bodies("logoutBodies")
    }

    fn bodies(&self, name: &str) -> Vec<String> {
        Reflect::get(&self.0, &name.into())
            .map(|bodies| js_sys::Array::from(&bodies))
            .map(|bodies| bodies.iter().filter_map(|b| b.as_string()).collect())
            .unwrap_or_default()
    }
}
