//! `AUTH_MODE=abp` against the reference server speaking ABP's protocol,
//! on another origin than the app (CORS), the app pointed at it by its
//! deployment file (`/app-config.json`): tenants, ABP's headers on every
//! call, one refresh grant for a burst, two factors, a wrong client id, a
//! reused refresh token, the Identity API's user-admin page.

use serde_json::{Value, json};

use crate::{
    harness::{Build, Server, ServerOptions, deployment, free_port},
    pages::App,
};

/// The API (the reference server in ABP's shape, allowing the app's
/// origin) and the site (serving the `abp` build with a deployment file
/// that points it at the API), with `settings` added to that file.
struct Abp {
    api: Server,
    site: Server,
    _dist: tempfile::TempDir,
}

impl Abp {
    fn start(settings: Value) -> Self {
        let (api_port, site_port) = (free_port(), free_port());
        let api = Server::start(ServerOptions {
            port: api_port,
            extra_args: vec![format!("--cors-origin=http://127.0.0.1:{site_port}")],
            ..ServerOptions::default()
        });
        let mut document = json!({ "API_BASE": api.url });
        if let (Some(document), Value::Object(settings)) = (document.as_object_mut(), settings) {
            document.extend(settings);
        }
        let dist = deployment(Build::Abp, &document.to_string());
        let site = Server::start(ServerOptions {
            port: site_port,
            static_dir: Some(dist.path().to_path_buf()),
            ..ServerOptions::default()
        });
        Self {
            api,
            site,
            _dist: dist,
        }
    }

    async fn open(&self) -> App {
        App::open(&self.site).await
    }
}

/// Signs in on the ABP login form, with `tenant` when given.
async fn sign_in(app: &App, tenant: &str, user: &str, password: &str) {
    app.fill("login-tenant", tenant).await;
    app.log_in(user, password).await;
}

#[tokio::test]
async fn a_tenant_user_signs_in_with_the_tenant_and_every_call_carries_abps_headers() {
    let abp = Abp::start(json!({}));
    let api = abp.api.api();
    let app = abp.open().await;
    // The server says it has tenants: the form asks for one.
    app.find("login-tenant").await;
    // Without it the host is searched, and the server's words say so.
    sign_in(&app, "", "wile", "wile123").await;
    app.wait_for_text("login-error", "Invalid username or password!")
        .await;
    assert!(app.path().await.starts_with("/login"), "still signing in");
    // In the page's language: the server localises its words when asked.
    app.choose_language("zh-CN").await;
    sign_in(&app, "", "wile", "wrong").await;
    app.wait_for_text("login-error", "用户名或密码无效！").await;
    app.choose_language("en").await;

    let tenant = api.tenant_id("acme").await;
    api.reset_stats().await;
    sign_in(&app, "acme", "wile", "wile123").await;
    app.wait_for_path("/dashboard").await;
    app.wait_for_cards("ready").await;

    let requests = api.requests().await;
    assert!(!requests.is_empty());
    for request in &requests {
        assert_eq!(
            request.requested_with.as_deref(),
            Some("XMLHttpRequest"),
            "{request:?}"
        );
        assert!(
            request
                .accept_language
                .as_deref()
                .is_some_and(|l| l.starts_with("en")),
            "{request:?}"
        );
    }
    let grant = requests
        .iter()
        .find(|r| r.path == "/connect/token")
        .expect("the password grant");
    assert_eq!(grant.tenant.as_deref(), Some(tenant.as_str()));
    let signed_in: Vec<_> = requests.iter().filter(|r| r.bearer).collect();
    assert!(
        signed_in.len() >= 6,
        "the configuration and the cards: {requests:?}"
    );
    assert!(
        signed_in
            .iter()
            .all(|r| r.tenant.as_deref() == Some(tenant.as_str())),
        "{requests:?}"
    );
    let configuration = requests
        .iter()
        .find(|r| r.path == "/api/abp/application-configuration" && r.bearer)
        .expect("the configuration after signing in");
    assert_eq!(configuration.method, "GET");
    // The app's own origin served the app and no API call.
    let site = abp.site.api().stats().await;
    assert_eq!(
        (site.login, site.refresh, site.app_config, site.resource),
        (0, 0, 0, 0)
    );
}

#[tokio::test]
async fn after_an_expiry_a_burst_of_five_calls_costs_one_refresh_grant_at_connect_token() {
    let abp = Abp::start(json!({}));
    let api = abp.api.api();
    let app = abp.open().await;
    sign_in(&app, "acme", "wile", "wile123").await;
    app.wait_for_cards("ready").await;
    let tenant = api.tenant_id("acme").await;
    api.reset_stats().await;
    api.expire_access_tokens("wile").await;
    let cards = app.reload_cards().await;
    assert!(
        cards.iter().all(|(_, state, _)| state == "ready"),
        "{cards:?}"
    );
    assert_eq!(api.stats().await.refresh, 1);
    let refresh = api
        .requests()
        .await
        .into_iter()
        .find(|r| r.path == "/connect/token")
        .expect("the refresh grant");
    assert_eq!(
        refresh.tenant,
        Some(tenant),
        "the refresh names the tenant too"
    );
}

#[tokio::test]
async fn a_two_factor_user_is_asked_for_the_code_and_gets_in_with_it() {
    let abp = Abp::start(json!({}));
    let api = abp.api.api();
    let app = abp.open().await;
    sign_in(&app, "acme", "bob", "bob123").await;
    let error = app.find("error-message").await;
    assert_eq!(
        error.attr("data-error").await.expect("attr").as_deref(),
        Some("two-factor")
    );
    assert!(
        app.text("login-error").await.contains("second factor"),
        "said in words, not RequiresTwoFactor"
    );
    app.fill("login-two-factor-code", "000000").await;
    app.click("login-submit").await;
    app.wait_for_text("login-error", "Invalid authenticator code!")
        .await;
    let code = api.two_factor_code("bob").await;
    app.fill("login-two-factor-code", &code).await;
    app.click("login-submit").await;
    app.wait_for_path("/dashboard").await;
    app.wait_for_cards("ready").await;
}

#[tokio::test]
async fn a_client_id_the_server_does_not_know_is_said_to_be_a_configuration_error() {
    let abp = Abp::start(json!({ "ABP_CLIENT_ID": "not-registered" }));
    let app = abp.open().await;
    sign_in(&app, "", "admin", "admin123").await;
    let error = app.find("error-message").await;
    assert_eq!(
        error.attr("data-error").await.expect("attr").as_deref(),
        Some("invalid-client")
    );
    let text = app.text("login-error").await;
    assert!(text.contains("client id (not-registered)"), "{text}");
    assert!(text.contains("configuration error"), "{text}");
    assert!(!text.contains("expired"), "{text}");
    assert!(app.path().await.starts_with("/login"), "still signing in");
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_session_with_one_message() {
    let abp = Abp::start(json!({}));
    let api = abp.api.api();
    let app = abp.open().await;
    sign_in(&app, "", "alice", "alice123").await;
    app.wait_for_cards("ready").await;
    // Someone else spends the app's refresh token first.
    let stolen = app.stored_refresh_request().await.refresh_token;
    let (status, _) = api.refresh_grant(&stolen).await;
    assert_eq!(status, 200);
    api.expire_access_tokens("alice").await;

    app.click("dashboard-reload").await;
    app.wait_for_path("/login").await;
    app.find("session-expired").await;
    assert_eq!(app.count("[role=\"alert\"]").await, 1, "one message");
    assert_eq!(app.local_storage("silent-refresh.session").await, None);
}

#[tokio::test]
async fn an_admin_grants_a_role_through_the_identity_api_and_the_users_reload_shows_it() {
    let abp = Abp::start(json!({}));
    let alice = abp.open().await;
    sign_in(&alice, "", "alice", "alice123").await;
    alice.wait_for_cards("ready").await;
    assert!(!alice.has_menu_item("reports").await);

    let admin = abp.open().await;
    sign_in(&admin, "", "admin", "admin123").await;
    admin.wait_for_cards("ready").await;
    admin.goto("/admin/users").await;
    admin.wait_for_state("admin-users", "ready").await;
    assert_eq!(
        admin.checkbox("admin-role-alice-auditor").await,
        Some(false)
    );
    let page = admin.text("admin-users-page").await;
    assert!(page.contains("of 2"), "{page}");
    admin.click("admin-role-alice-auditor").await;
    admin
        .wait_until("the box shows what the server holds", || async {
            admin.checkbox("admin-role-alice-auditor").await == Some(true)
        })
        .await;
    assert_eq!(abp.api.api().roles_of("alice").await, ["auditor", "user"]);

    alice.reload().await;
    alice.wait_for_menu_item("reports", true).await;
}

#[tokio::test]
async fn a_deployment_file_with_a_mistake_stops_the_app_naming_the_key() {
    let abp = Abp::start(json!({ "API_BSAE": "http://127.0.0.1:1" }));
    let app = abp.open().await;
    let text = app.text("deployment-error").await;
    assert!(text.contains("API_BSAE"), "{text}");
    assert!(text.contains("/app-config.json"), "{text}");
    assert!(!app.is_present("login-username").await);
}
