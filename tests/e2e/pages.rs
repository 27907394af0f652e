//! Page objects: what a test does with the app, in the app's words, by
//! `data-testid`.

use std::{future::Future, time::Duration};

use fantoccini::{
    Locator,
    actions::{InputSource, KeyAction, KeyActions},
    elements::Element,
    key::Key,
    wd::WindowHandle,
};
use serde_json::{Value, json};
use silent_refresh_contract::RefreshRequest;

use crate::harness::{Browser, Server, ServerOptions};

/// How long a test waits for the page to reach an expected state.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The app in one browser.
pub struct App {
    browser: Browser,
    base: String,
}

fn selector(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl App {
    /// A fresh browser on the server's start page.
    pub async fn open(server: &Server) -> Self {
        Self::open_at(&server.url).await
    }

    /// A fresh browser on `base`'s start page (a server that is not ours).
    pub async fn open_at(base: &str) -> Self {
        let app = Self {
            browser: Browser::start().await,
            base: base.to_owned(),
        };
        app.goto("/").await;
        app
    }

    fn client(&self) -> &fantoccini::Client {
        &self.browser.client
    }

    /// Opens `path` as a new navigation (like a typed address or a new tab).
    pub async fn goto(&self, path: &str) {
        self.client()
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigation");
    }

    /// Opens `url`, anywhere (a page of another origin, say).
    pub async fn visit(&self, url: &str) {
        self.client().goto(url).await.expect("navigation");
    }

    /// Leaves the app for a blank page (the app stops running in this tab).
    pub async fn leave(&self) {
        self.client().goto("about:blank").await.expect("navigation");
    }

    /// Opens a second tab of the same browser on `path` and switches to it;
    /// returns the tab we were on.
    pub async fn open_tab(&self, path: &str) -> WindowHandle {
        let client = self.client();
        let previous = client.window().await.expect("the current tab");
        let tab = client.new_window(true).await.expect("a new tab").handle;
        client.switch_to_window(tab).await.expect("switch tab");
        self.goto(path).await;
        previous
    }

    /// Closes the current tab (its page is gone: a Web Lock it held is
    /// released) and switches to `then`.
    pub async fn close_tab(&self, then: WindowHandle) {
        let client = self.client();
        client.close_window().await.expect("close the tab");
        client.switch_to_window(then).await.expect("switch tab");
    }

    /// Switches to `tab`, returning the one we were on.
    pub async fn switch_to(&self, tab: WindowHandle) -> WindowHandle {
        let client = self.client();
        let previous = client.window().await.expect("the current tab");
        client.switch_to_window(tab).await.expect("switch tab");
        previous
    }

    /// Sends a DevTools protocol command to the current tab (ChromeDriver's
    /// `goog/cdp/execute`), e.g. `Page.setWebLifecycleState`.
    pub async fn devtools(&self, method: &'static str, params: Value) -> Value {
        self.client()
            .issue_cmd(DevTools { method, params })
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// The number of the diagnostics page's last burst (`None`: none yet).
    async fn burst_run(&self) -> Option<String> {
        if self.count("[data-testid=\"burst-result\"]").await == 0 {
            return None;
        }
        let result = self.find("burst-result").await;
        result.attr("data-run").await.expect("the result's run")
    }

    /// Fires a burst of `calls` from the diagnostics page and waits for its
    /// result.
    pub async fn burst(&self, calls: u32) {
        let before = self.burst_run().await;
        self.fill("burst-size", &calls.to_string()).await;
        self.click("burst-run").await;
        self.wait_until("the burst's result", || async {
            let now = self.burst_run().await;
            now.is_some() && now != before
        })
        .await;
    }

    /// Network conditions through the DevTools protocol: offline, or not.
    pub async fn set_offline(&self, offline: bool) {
        self.devtools("Network.enable", json!({})).await;
        self.devtools(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
    }

    /// What refreshing the session stored in the page takes (to show later
    /// that a logout revoked it).
    pub async fn stored_refresh_request(&self) -> RefreshRequest {
        let stored = self
            .local_storage("silent-refresh.session")
            .await
            .expect("a stored session");
        let stored: Value = serde_json::from_str(&stored).expect("a JSON session");
        RefreshRequest {
            user_id: stored["userId"].as_str().expect("a user id").to_owned(),
            refresh_token: stored["refreshToken"].as_str().expect("a token").to_owned(),
        }
    }

    /// The browser's reload button.
    pub async fn reload(&self) {
        self.client().refresh().await.expect("reload");
    }

    /// The navigation type the page reports (`navigate`, `reload`, …).
    pub async fn navigation_type(&self) -> String {
        self.run(
            "return performance.getEntriesByType('navigation')[0].type",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Runs `script` in the page.
    pub async fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.client()
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Waits until `condition` holds, polling; fails the test after [`PATIENCE`].
    pub async fn wait_until<F, Fut>(&self, what: &str, mut condition: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !condition().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "gave up waiting for {what}; the page is at {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The element with `data-testid`, waiting for it to appear.
    pub async fn find(&self, testid: &str) -> Element {
        self.client()
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&selector(testid)))
            .await
            .unwrap_or_else(|e| panic!("no [data-testid={testid}]: {e}"))
    }

    /// Whether an element with `data-testid` is on the page now.
    pub async fn is_present(&self, testid: &str) -> bool {
        self.count(&selector(testid)).await > 0
    }

    /// How many elements match a CSS selector now.
    pub async fn count(&self, css: &str) -> usize {
        self.client()
            .find_all(Locator::Css(css))
            .await
            .map(|found| found.len())
            .unwrap_or(0)
    }

    /// The text of the element with `data-testid`, waiting for it.
    pub async fn text(&self, testid: &str) -> String {
        self.find(testid).await.text().await.expect("element text")
    }

    /// Waits until the element with `data-testid` says `expected`.
    pub async fn wait_for_text(&self, testid: &str, expected: &str) {
        self.wait_until(&format!("{testid} to say {expected:?}"), || async {
            self.text(testid).await.trim() == expected
        })
        .await;
    }

    /// Clicks the element with `data-testid` once it is enabled (a click on
    /// a disabled button would silently do nothing).
    pub async fn click(&self, testid: &str) {
        self.wait_until(&format!("{testid} to be enabled"), || async {
            self.find(testid).await.is_enabled().await.unwrap_or(false)
        })
        .await;
        self.find(testid).await.click().await.expect("click");
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let url = self.client().current_url().await.expect("a URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until the current path (without the query) is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        self.wait_until(&format!("the path {path}"), || async {
            self.path().await.split('?').next() == Some(path)
        })
        .await;
    }

    /// The value of the cookie `name` of the current page's site, as the
    /// browser keeps it (an `HttpOnly` one too, which no script can read).
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let cookies = self.client().get_all_cookies().await.expect("the cookies");
        cookies
            .into_iter()
            .find(|cookie| cookie.name() == name)
            .map(|cookie| cookie.value().to_owned())
    }

    /// The raw `localStorage` value under `key`.
    pub async fn local_storage(&self, key: &str) -> Option<String> {
        self.run(
            "return localStorage.getItem(arguments[0])",
            vec![json!(key)],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// Replaces the text of the input `testid` with `text`.
    pub async fn fill(&self, testid: &str, text: &str) {
        let input = self.find(testid).await;
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// Fills in and submits the login form (the page must show it).
    pub async fn log_in(&self, user: &str, password: &str) {
        self.fill("login-username", user).await;
        self.fill("login-password", password).await;
        self.click("login-submit").await;
    }

    /// Waits for the element matching `css` (a page that is not the app's:
    /// the identity provider's).
    pub async fn find_css(&self, css: &str) -> Element {
        self.client()
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Starts the sign-in with the login page's provider button and waits
    /// for the provider's login form.
    pub async fn go_to_provider(&self) {
        self.click("login-oidc").await;
        self.find_css("input[name=\"login\"]").await;
    }

    /// Signs in as `user` on the provider's login form (its development
    /// pages accept any password), back to the app.
    pub async fn sign_in_at_provider(&self, user: &str) {
        self.go_to_provider().await;
        self.fill_provider_form(user).await;
    }

    /// Signs in as `user` through the Backend-for-Frontend's sign-in
    /// (the `bff` build), at the provider's form, back to the app.
    pub async fn sign_in_at_bff(&self, user: &str) {
        self.click("login-bff").await;
        self.fill_provider_form(user).await;
    }

    /// Cancels the sign-in on the provider's page (its development pages'
    /// "[ Cancel ]": `error=access_denied`) and waits for the login page.
    pub async fn cancel_at_provider(&self) {
        self.find_css("a[href*=\"/abort\"]")
            .await
            .click()
            .await
            .expect("cancel");
        self.wait_for_path("/login").await;
    }

    /// Fills and sends the provider's login form as `user`.
    async fn fill_provider_form(&self, user: &str) {
        let login = self.find_css("input[name=\"login\"]").await;
        login.send_keys(user).await.expect("type");
        let password = self.find_css("input[name=\"password\"]").await;
        password.send_keys("any").await.expect("type");
        self.find_css("button[type=\"submit\"]")
            .await
            .click()
            .await
            .expect("submit");
    }

    /// Signs in as `user` at the provider and waits for the dashboard with
    /// all its cards loaded.
    pub async fn sign_in_to_dashboard(&self, user: &str) {
        self.sign_in_at_provider(user).await;
        self.wait_for_path("/dashboard").await;
        self.wait_for_cards("ready").await;
    }

    /// The origin the app is served from.
    pub fn origin(&self) -> &str {
        &self.base
    }

    /// A server started with `options`, and the app logged in as `user` on
    /// the dashboard with all its cards loaded.
    pub async fn logged_in(options: ServerOptions, user: &str, password: &str) -> (Server, Self) {
        let server = Server::start(options);
        let app = Self::open(&server).await;
        app.log_in_to_dashboard(user, password).await;
        (server, app)
    }

    /// Logs in and waits for the dashboard with all its cards loaded.
    pub async fn log_in_to_dashboard(&self, user: &str, password: &str) {
        self.log_in(user, password).await;
        self.wait_for_path("/dashboard").await;
        self.wait_for_cards("ready").await;
    }

    /// `(name, data-state, data-error)` of every dashboard card, read in one
    /// round trip.
    pub async fn cards(&self) -> Vec<(String, String, Option<String>)> {
        let cards = self
            .run(
                "return [...document.querySelectorAll('[data-testid^=\"card-\"]')].map(card => [
                   card.dataset.testid,
                   card.dataset.state ?? '',
                   card.querySelector('[data-testid=\"error-message\"]')?.dataset.error ?? null,
                 ])",
                vec![],
            )
            .await;
        serde_json::from_value(cards).expect("the cards")
    }

    /// The `data-state` of the cards named `card-<name>`.
    pub async fn cards_named(&self, name: &str) -> Vec<String> {
        let testid = format!("card-{name}");
        self.cards()
            .await
            .into_iter()
            .filter(|(card, _, _)| *card == testid)
            .map(|(_, state, _)| state)
            .collect()
    }

    /// Whether the checkbox with `data-testid` is ticked (`None`: not there).
    pub async fn checkbox(&self, testid: &str) -> Option<bool> {
        let found = self
            .client()
            .find(Locator::Css(&selector(testid)))
            .await
            .ok()?;
        found
            .prop("checked")
            .await
            .ok()?
            .map(|checked| checked == "true")
    }

    /// Waits until the five dashboard cards are all in `state`.
    pub async fn wait_for_cards(&self, state: &str) {
        self.wait_until(&format!("five cards {state}"), || async {
            all_in(&self.cards().await, state)
        })
        .await;
    }

    /// Reloads the dashboard's cards with its button and waits for all five
    /// to leave the loading state.
    pub async fn reload_cards(&self) -> Vec<(String, String, Option<String>)> {
        self.click("dashboard-reload").await;
        self.wait_until("the cards to settle", || async {
            let cards = self.cards().await;
            cards.len() == 5 && cards.iter().all(|(_, s, _)| s != "loading")
        })
        .await;
        self.cards().await
    }

    /// Switches the language with the switch on the page (`en`, `zh-CN`)
    /// and waits for `<html lang>` to follow.
    pub async fn choose_language(&self, tag: &str) {
        self.find("lang-switch").await;
        self.run(
            "const s = document.querySelector('[data-testid=\"lang-switch\"]');
             s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            vec![json!(tag)],
        )
        .await;
        self.wait_until(&format!("<html lang={tag}>"), || async {
            self.run("return document.documentElement.lang", vec![])
                .await
                .as_str()
                == Some(tag)
        })
        .await;
    }

    /// Waits until the element with `data-testid` has `data-state` `state`.
    pub async fn wait_for_state(&self, testid: &str, state: &str) {
        self.wait_until(&format!("{testid} to be {state}"), || async {
            self.find(testid)
                .await
                .attr("data-state")
                .await
                .ok()
                .flatten()
                == Some(state.to_owned())
        })
        .await;
    }

    /// Saves a PNG of the window as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client().screenshot().await.expect("a screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("target/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is saved");
    }

    /// Presses `keys` one after the other on whatever has the focus (plain
    /// characters type, [`Key`]s are the special keys).
    pub async fn press(&self, keys: impl IntoIterator<Item = char>) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for value in keys {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client()
            .perform_actions(actions)
            .await
            .expect("key presses");
    }

    /// Shift+Tab.
    pub async fn press_shift_tab(&self) {
        let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab })
            .then(KeyAction::Up { value: shift });
        self.client()
            .perform_actions(actions)
            .await
            .expect("key presses");
    }

    /// The `data-testid` of the focused element (`None`: it has none, or
    /// nothing has the focus).
    pub async fn focused(&self) -> Option<String> {
        self.run(
            "return document.activeElement?.dataset?.testid ?? null",
            vec![],
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// Presses Tab (Shift+Tab with `backwards`) until the element with
    /// `data-testid` has the focus, at most 60 times; checks that it shows
    /// the focus ring.
    pub async fn tab_to(&self, testid: &str, backwards: bool) {
        let mut visited = Vec::new();
        for _ in 0..60 {
            let focused = self.focused().await;
            if focused.as_deref() == Some(testid) {
                let ring = self
                    .run(
                        "const e = document.activeElement;
                         return e.matches(':focus-visible') && getComputedStyle(e).outlineStyle === 'solid'",
                        vec![],
                    )
                    .await;
                assert_eq!(
                    ring,
                    json!(true),
                    "{testid} has the focus but shows no focus ring"
                );
                return;
            }
            visited.push(focused.unwrap_or_else(|| "(no testid)".to_owned()));
            if backwards {
                self.press_shift_tab().await;
            } else {
                self.press([char::from(Key::Tab)]).await;
            }
        }
        panic!("Tab never reached {testid}; it went through {visited:?}");
    }

    /// Whether the menu offers the page `name` now.
    pub async fn has_menu_item(&self, name: &str) -> bool {
        self.menu_items().await.iter().any(|item| item == name)
    }

    /// Waits until the menu offers the page `name` (or, with `false`, no longer does).
    pub async fn wait_for_menu_item(&self, name: &str, offered: bool) {
        self.wait_until(
            &format!("the menu item {name} to be offered: {offered}"),
            || async { self.has_menu_item(name).await == offered },
        )
        .await;
    }

    /// The menu's item names (`nav-item-<name>`), in order.
    pub async fn menu_items(&self) -> Vec<String> {
        let found = self
            .client()
            .find_all(Locator::Css(
                "[data-testid=\"nav-menu\"] [data-testid^=\"nav-item-\"]",
            ))
            .await
            .unwrap_or_default();
        let mut names = Vec::new();
        for item in found {
            if let Ok(Some(testid)) = item.attr("data-testid").await {
                names.push(testid.trim_start_matches("nav-item-").to_owned());
            }
        }
        names
    }
}

/// Whether `cards` are the dashboard's five, all in `state`.
pub fn all_in(cards: &[(String, String, Option<String>)], state: &str) -> bool {
    cards.len() == 5 && cards.iter().all(|(_, s, _)| s == state)
}

/// Whether `cards` are the dashboard's five, all failed as "temporarily
/// unavailable".
pub fn all_unavailable(cards: &[(String, String, Option<String>)]) -> bool {
    cards.len() == 5
        && cards
            .iter()
            .all(|(_, state, error)| state == "error" && error.as_deref() == Some("unavailable"))
}

/// A DevTools protocol command, sent through ChromeDriver.
#[derive(Debug)]
struct DevTools {
    method: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
