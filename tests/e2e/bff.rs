//! Backend-for-Frontend mode: the app built with `AUTH_MODE=bff`, two
//! instances of the server as the BFF of npm `oidc-provider`'s
//! confidential client, their sessions in one `redis-server`, and nginx in
//! front (see [`crate::bff_stack`]). The provider rotates every refresh
//! token and revokes the whole grant when a spent one comes back, so a
//! second refresh of one session would show up as a reuse.

use std::{
    io::{Read, Write},
    net::TcpListener,
    time::Duration,
};

use serde_json::{Value, json};

use crate::{
    bff_stack::BffStack,
    harness::{ClientStats, Endpoint},
    pages::{App, all_unavailable},
};

/// The provider's access tokens live this long (s); the BFF refreshes at
/// four fifths of it.
const ACCESS_TTL: u64 = 4;

/// What the provider counted for the BFF's client.
async fn bff_grants(stack: &BffStack) -> ClientStats {
    stack
        .provider
        .stats()
        .await
        .by_client
        .remove("bff")
        .expect("the provider counts the bff client")
}

/// Signs in as `user` through the BFF and waits for the dashboard.
async fn signed_in(stack: &BffStack, user: &str) -> App {
    let app = App::open_at(&stack.origin).await;
    app.goto("/dashboard").await;
    app.wait_for_path("/login").await;
    app.sign_in_at_bff(user).await;
    app.wait_for_path("/dashboard").await;
    app.wait_for_cards("ready").await;
    app
}

/// Starts `calls` dashboard calls at once from the page, as its own code
/// would send them (the cookie, `X-CSRF: 1`); their statuses land in
/// `window.burst`. Past the HTTP cache, whose lock would otherwise hold
/// identical GETs back until the first is answered.
async fn start_burst(app: &App, calls: u32) {
    app.run(
        "window.burst = Promise.all(Array.from({ length: arguments[0] }, () =>
           fetch('/api/app/dashboard/summary', { headers: { 'X-CSRF': '1' }, cache: 'no-store' })
             .then(r => r.status, e => String(e))));
         return true;",
        vec![json!(calls)],
    )
    .await;
}

/// The statuses of the burst [`start_burst`] started, once all are in.
async fn burst_statuses(app: &App) -> Vec<Value> {
    let statuses = app.run("return window.burst", vec![]).await;
    serde_json::from_value(statuses).expect("the statuses")
}

/// The sample resource calls each instance forwarded so far.
async fn forwarded(stack: &BffStack) -> Vec<u64> {
    let mut counts = Vec::new();
    for server in stack.instances.iter().flatten() {
        counts.push(server.api().stats().await.resource);
    }
    counts
}

/// Waits out the access token the BFF holds (and its refresh margin).
async fn let_the_access_token_expire() {
    tokio::time::sleep(Duration::from_millis(ACCESS_TTL * 1000 + 500)).await;
}

#[tokio::test]
async fn a_burst_over_two_instances_after_the_expiry_costs_one_refresh_token_grant() {
    let stack = BffStack::start(ACCESS_TTL).await;
    let app = signed_in(&stack, "admin").await;
    assert_eq!(bff_grants(&stack).await.authorization_code, 1);

    let_the_access_token_expire().await;
    // A provider that takes its time: calls reach both instances while the
    // refresh runs, so that an instance that did not wait would refresh too.
    for index in 0..2 {
        stack
            .instance(index)
            .api()
            .delay_next(Endpoint::BffRefresh, 500)
            .await;
    }
    let before = bff_grants(&stack).await;
    let spread_before = forwarded(&stack).await;
    start_burst(&app, 20).await;
    let statuses = burst_statuses(&app).await;
    assert!(
        statuses.iter().all(|s| *s == json!(200)),
        "every call answered: {statuses:?}"
    );
    let after = bff_grants(&stack).await;
    assert_eq!(
        after.refresh_token,
        before.refresh_token + 1,
        "one refresh_token grant for 20 calls on two instances: {after:?}"
    );
    assert_eq!(after.reuse_detected, 0, "{after:?}");
    let spread_after = forwarded(&stack).await;
    for (instance, (was, is)) in spread_before.iter().zip(&spread_after).enumerate() {
        assert!(
            is > was,
            "instance {instance} served part of the burst: {spread_after:?}"
        );
    }
    assert_eq!(
        spread_after.iter().sum::<u64>() - spread_before.iter().sum::<u64>(),
        20,
        "each call forwarded once: {spread_before:?} -> {spread_after:?}"
    );
}

#[tokio::test]
async fn an_instance_killed_during_the_refresh_costs_nothing() {
    let mut stack = BffStack::start(ACCESS_TTL).await;
    let app = signed_in(&stack, "alice").await;

    let_the_access_token_expire().await;
    for index in 0..2 {
        stack
            .instance(index)
            .api()
            .delay_next(Endpoint::BffRefresh, 2_000)
            .await;
    }
    let before = bff_grants(&stack).await;
    start_burst(&app, 20).await;
    // The instance that took the refresh counted it before its (delayed)
    // grant: kill it there, its lease held and the token not yet spent.
    let mut refreshing = None;
    for _ in 0..200 {
        for index in 0..2 {
            if stack.instance(index).api().stats().await.bff_refresh > 0 {
                refreshing = Some(index);
            }
        }
        if refreshing.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let refreshing = refreshing.expect("an instance started the refresh");
    stack.kill(refreshing);

    let statuses = burst_statuses(&app).await;
    assert!(
        statuses.iter().all(|s| *s == json!(200)),
        "the other instance answered every call: {statuses:?}"
    );
    let after = bff_grants(&stack).await;
    assert_eq!(
        after.refresh_token,
        before.refresh_token + 1,
        "still one grant: {after:?}"
    );
    assert_eq!(after.reuse_detected, 0, "{after:?}");
    let survivor = stack.instance(1 - refreshing).api().stats().await;
    assert_eq!(
        survivor.bff_refresh, 1,
        "the survivor took over the refresh"
    );

    app.reload_cards().await;
    app.wait_for_cards("ready").await;
    assert_eq!(app.path().await, "/dashboard", "still signed in");
}

/// Everything the page can read: cookies, both storages, every IndexedDB
/// store, and the BFF's and the API's answers.
const READABLE: &str = "return (async () => {
  const seen = { cookie: document.cookie, local: {}, session: {}, indexedDb: [], bodies: {} };
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    seen.local[key] = localStorage.getItem(key);
  }
  for (let i = 0; i < sessionStorage.length; i++) {
    const key = sessionStorage.key(i);
    seen.session[key] = sessionStorage.getItem(key);
  }
  const done = (request) => new Promise((ok, fail) => {
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  for (const { name } of await indexedDB.databases()) {
    const db = await done(indexedDB.open(name));
    for (const store of db.objectStoreNames) {
      const rows = await done(db.transaction(store).objectStore(store).getAll());
      seen.indexedDb.push(JSON.stringify(rows));
    }
    db.close();
  }
  for (const path of ['/bff/user', '/api/abp/application-configuration', '/api/app/dashboard/summary']) {
    const answer = await fetch(path, { headers: { 'X-CSRF': '1' } });
    seen.bodies[path] = answer.status + ' ' + await answer.text();
  }
  return JSON.stringify(seen);
})()";

#[tokio::test]
async fn no_token_is_anywhere_the_page_can_read() {
    let stack = BffStack::start(ACCESS_TTL).await;
    let app = signed_in(&stack, "admin").await;
    // A refresh too, so that a refreshed token would have had a chance to leak.
    let_the_access_token_expire().await;
    app.reload_cards().await;
    app.wait_for_cards("ready").await;
    assert!(bff_grants(&stack).await.refresh_token >= 1);

    let seen = app.run(READABLE, vec![]).await;
    let seen = seen.as_str().expect("a JSON text").to_owned();
    let parsed: Value = serde_json::from_str(&seen).expect("JSON");
    assert!(
        app.cookie("__Host-bff-session").await.is_some(),
        "the browser holds the session cookie"
    );
    assert_eq!(
        parsed["cookie"], "",
        "which is HttpOnly: no script reads it"
    );
    // The reading worked: the session record and the user are there.
    let record = parsed["local"]["silent-refresh.session"]
        .as_str()
        .expect("the session record's mirror");
    let record: Value = serde_json::from_str(record).expect("a JSON record");
    assert_eq!(record["inCookie"], true, "{record}");
    assert_eq!(record["accessToken"], "", "{record}");
    assert_eq!(record["refreshToken"], "", "{record}");
    assert!(
        parsed["indexedDb"].as_array().is_some_and(|stores| stores
            .iter()
            .any(|s| s.as_str().unwrap_or("").contains("inCookie"))),
        "the IndexedDB record was read: {parsed}"
    );
    assert!(
        parsed["bodies"]["/bff/user"]
            .as_str()
            .is_some_and(|body| body.starts_with("200 ")),
        "{parsed}"
    );
    // The provider's access tokens and ID tokens are JWTs (`eyJ…`); its
    // refresh tokens are 43 base64url characters.
    assert!(!seen.contains("eyJ"), "a JWT reached the page: {seen}");
    for field in ["access_token", "refresh_token", "id_token"] {
        assert!(!seen.contains(field), "{field} reached the page: {seen}");
    }
    let long_secret = token_like_run(&seen);
    assert!(long_secret.is_none(), "a token-like value: {long_secret:?}");
}

/// A run of 43 or more base64url characters (a refresh token's shape).
fn token_like_run(text: &str) -> Option<&str> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.split(|c: char| !is_b64(c)).find(|run| run.len() >= 43)
}

/// Serves one page, on another port of the same host (so another origin,
/// but the same site: the browser sends the BFF's cookie along).
fn serve_another_origin() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let page = "<!doctype html><title>Another site</title><p>elsewhere</p>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    url
}

#[tokio::test]
async fn a_page_of_another_origin_can_neither_call_nor_log_out() {
    let stack = BffStack::start(300).await;
    let app = signed_in(&stack, "admin").await;
    let sessions = stack.redis.session_keys();
    let before = forwarded(&stack).await;

    app.visit(&serve_another_origin()).await;
    let tried = app
        .run(
            "const [bff] = arguments;
             return (async () => {
               const tried = {};
               try {
                 const answer = await fetch(bff + '/api/app/dashboard/summary', { credentials: 'include', mode: 'no-cors' });
                 tried.plain = answer.type;
               } catch (e) { tried.plain = 'refused'; }
               try {
                 const answer = await fetch(bff + '/api/app/dashboard/summary', { credentials: 'include', headers: { 'X-CSRF': '1' } });
                 tried.withHeader = answer.status;
               } catch (e) { tried.withHeader = 'refused'; }
               return tried;
             })()",
            vec![json!(stack.origin)],
        )
        .await;
    // The plain call went (opaque to the page) and the server refused it;
    // the one with the header never left: its preflight got no CORS grant.
    assert_eq!(tried, json!({ "plain": "opaque", "withHeader": "refused" }));
    assert_eq!(forwarded(&stack).await, before, "nothing reached the API");

    app.run(
        "const form = document.createElement('form');
         form.method = 'POST';
         form.action = arguments[0] + '/bff/logout';
         document.body.append(form);
         form.submit();
         return true;",
        vec![json!(stack.origin)],
    )
    .await;
    app.wait_until("the form's answer", || async {
        app.run("return location.pathname", vec![]).await == json!("/bff/logout")
    })
    .await;
    let answer = app.run("return document.body.innerText", vec![]).await;
    assert!(
        answer
            .as_str()
            .is_some_and(|text| text.contains("Bff:CrossSite")),
        "the logout was refused: {answer}"
    );

    assert_eq!(
        stack.redis.session_keys(),
        sessions,
        "the session is intact"
    );
    app.goto("/dashboard").await;
    app.wait_for_cards("ready").await;
    assert_eq!(bff_grants(&stack).await.revocations, 0);
}

#[tokio::test]
async fn logout_in_one_of_two_tabs_ends_the_session_everywhere() {
    let stack = BffStack::start(300).await;
    let app = signed_in(&stack, "admin").await;
    let first = app.open_tab("/dashboard").await;
    app.wait_for_cards("ready").await;
    assert_eq!(
        stack
            .redis
            .session_keys()
            .iter()
            .filter(|k| k.ends_with(":sess"))
            .count(),
        1,
        "one session in Redis"
    );

    app.click("nav-logout").await;
    app.wait_for_path("/login").await;
    let second = app.switch_to(first).await;
    app.wait_for_path("/login").await;
    app.switch_to(second).await;

    app.wait_until("the provider's revocation", || async {
        bff_grants(&stack).await.revocations == 1
    })
    .await;
    assert!(
        stack.redis.session_keys().is_empty(),
        "the session is gone from Redis: {:?}",
        stack.redis.session_keys()
    );
    app.goto("/dashboard").await;
    app.wait_for_path("/login").await;
}

#[tokio::test]
async fn with_redis_down_calls_fail_clearly_and_nobody_is_signed_out() {
    let mut stack = BffStack::start(300).await;
    let app = signed_in(&stack, "alice").await;

    stack.redis.stop();
    let cards = app.reload_cards().await;
    assert!(all_unavailable(&cards), "{cards:?}");
    let words = app.run("return document.body.innerText", vec![]).await;
    assert!(
        words
            .as_str()
            .is_some_and(|text| text.contains("Temporarily unavailable")),
        "{words}"
    );
    assert_eq!(app.path().await, "/dashboard");
    assert!(!app.is_present("session-expired").await);

    stack.redis.restart();
    app.wait_until("the calls to work again", || async {
        let cards = app.reload_cards().await;
        cards.iter().all(|(_, state, _)| state == "ready")
    })
    .await;
    assert_eq!(app.path().await, "/dashboard", "still signed in");
}

#[tokio::test]
async fn a_role_given_at_the_provider_shows_after_the_bffs_refresh_and_a_reload() {
    let stack = BffStack::start(ACCESS_TTL).await;
    let app = signed_in(&stack, "alice").await;
    assert!(!app.has_menu_item("reports").await);

    stack
        .provider
        .set_roles(&[("admin", &["admin"]), ("alice", &["user", "auditor"])]);
    let_the_access_token_expire().await;
    let before = bff_grants(&stack).await.refresh_token;
    // The build has REFRESH_ROLE on: the reload fetches the roles, and
    // the BFF refreshes the due token first, which carries the new role.
    app.reload().await;
    app.wait_for_menu_item("reports", true).await;
    assert_eq!(bff_grants(&stack).await.refresh_token, before + 1);
    app.click("nav-item-reports").await;
    app.wait_for_path("/reports").await;
}

#[tokio::test]
async fn a_sign_in_the_provider_refuses_comes_back_in_words() {
    let stack = BffStack::start(300).await;
    let app = App::open_at(&stack.origin).await;
    app.goto("/login").await;
    app.click("login-bff").await;
    app.cancel_at_provider().await;
    app.wait_until("the refusal in words", || async {
        app.text("login-error")
            .await
            .contains("The identity provider refused the sign-in")
    })
    .await;
    assert!(stack.redis.session_keys().is_empty(), "nobody signed in");
    assert_eq!(bff_grants(&stack).await.authorization_code, 0);
}

#[tokio::test]
async fn a_session_the_bff_ended_shows_one_notice_and_the_login_page() {
    let stack = BffStack::start(300).await;
    let app = signed_in(&stack, "alice").await;
    // Gone at the BFF (expired, or ended by an operator): its next answer
    // is 401.
    for key in stack.redis.session_keys() {
        stack.redis.cli(&["del", &key]);
    }
    app.click("dashboard-reload").await;
    app.wait_for_path("/login").await;
    app.find("session-expired").await;
    assert_eq!(app.count("[role=\"alert\"]").await, 1, "one notice");
}
