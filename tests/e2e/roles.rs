//! Role refresh on reload (`REFRESH_ROLE`), permission-gated menus and
//! routes, and the user-admin page.

use crate::{
    harness::{Build, Endpoint, FaultRequest, Server, ServerOptions},
    pages::App,
};

async fn alice_logged_in(build: Build) -> (Server, App) {
    let options = ServerOptions {
        build,
        ..ServerOptions::default()
    };
    App::logged_in(options, "alice", "alice123").await
}

#[tokio::test]
async fn with_the_flag_on_a_reload_fetches_roles_again_once() {
    let (server, app) = alice_logged_in(Build::RoleRefreshOn).await;
    let api = server.api();
    assert!(!app.has_menu_item("reports").await);
    assert_eq!(app.text("role-list").await, "user");

    api.set_roles("alice", &["user", "auditor"]).await;
    api.reset_stats().await;
    app.reload().await;
    assert_eq!(app.navigation_type().await, "reload");
    app.wait_for_menu_item("reports", true).await;
    app.wait_for_cards("ready").await;
    assert_eq!(api.stats().await.app_config, 1);

    app.click("nav-item-reports").await;
    app.wait_for_path("/reports").await;
    app.wait_until("the reports card", || async {
        app.cards_named("reports").await == ["ready"]
    })
    .await;

    api.set_roles("alice", &["user"]).await;
    app.reload().await;
    app.find("forbidden").await;
    assert_eq!(app.path().await, "/reports");
    assert!(!app.has_menu_item("reports").await);
    assert_eq!(api.stats().await.app_config, 2);
}

#[tokio::test]
async fn with_the_flag_on_a_plain_navigation_does_not_fetch_roles() {
    let (server, app) = alice_logged_in(Build::RoleRefreshOn).await;
    let api = server.api();
    api.reset_stats().await;

    app.goto("/dashboard").await;
    assert_eq!(app.navigation_type().await, "navigate");
    app.wait_for_cards("ready").await;
    assert_eq!(api.stats().await.app_config, 0);
}

#[tokio::test]
async fn with_the_flag_off_a_reload_keeps_the_stored_roles_until_the_next_login() {
    let (server, app) = alice_logged_in(Build::RoleRefreshOff).await;
    let api = server.api();
    api.set_roles("alice", &["user", "auditor"]).await;
    api.reset_stats().await;

    app.reload().await;
    assert_eq!(app.navigation_type().await, "reload");
    app.wait_for_cards("ready").await;
    assert_eq!(api.stats().await.app_config, 0);
    assert!(!app.has_menu_item("reports").await);

    app.click("nav-logout").await;
    app.log_in("alice", "alice123").await;
    app.wait_for_menu_item("reports", true).await;
}

#[tokio::test]
async fn while_roles_load_on_reload_a_guarded_route_waits_and_never_redirects() {
    let (server, app) = alice_logged_in(Build::RoleRefreshOn).await;
    let api = server.api();
    api.delay_next(Endpoint::AppConfig, 2_000).await;

    app.reload().await;
    app.find("loading-permissions").await;
    let mut saw_loading = 0;
    while app.is_present("loading-permissions").await {
        saw_loading += 1;
        assert_eq!(app.path().await, "/dashboard");
        assert!(!app.is_present("forbidden").await);
        assert!(!app.is_present("login-username").await);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(saw_loading >= 5, "the loading state lasted the 2 s delay");
    app.wait_for_cards("ready").await;
}

#[tokio::test]
async fn when_the_role_refresh_fails_the_stored_roles_stay_with_a_warning() {
    let (server, app) = alice_logged_in(Build::RoleRefreshOn).await;
    let api = server.api();
    api.set_roles("alice", &["user", "auditor"]).await;
    app.reload().await;
    app.wait_for_menu_item("reports", true).await;

    api.set_roles("alice", &["user"]).await;
    api.fault(FaultRequest {
        status: Some(503),
        ..FaultRequest::new(Endpoint::AppConfig, 1)
    })
    .await;
    app.reload().await;
    app.find("roles-stale").await;
    app.wait_for_cards("ready").await;
    assert_eq!(app.path().await, "/dashboard");
    assert!(
        app.has_menu_item("reports").await,
        "the last known roles are kept"
    );
}

#[tokio::test]
async fn when_the_session_is_rejected_during_the_role_refresh_the_user_goes_to_login() {
    let (server, app) = alice_logged_in(Build::RoleRefreshOn).await;
    let api = server.api();
    api.revoke_refresh_tokens("alice").await;
    api.expire_access_tokens("alice").await;

    app.reload().await;
    app.wait_for_path("/login").await;
    app.find("session-expired").await;
    assert_eq!(api.stats().await.refresh, 1);
}

#[tokio::test]
async fn a_user_without_the_policy_gets_the_403_page_not_the_login_page() {
    let (_server, app) = alice_logged_in(Build::RoleRefreshOn).await;
    app.goto("/admin/users").await;
    app.find("forbidden").await;
    assert!(!app.has_menu_item("admin-users").await);
}

#[tokio::test]
async fn an_admin_grants_and_revokes_a_role_and_the_menu_follows_without_a_reload() {
    let (server, admin) = App::logged_in(ServerOptions::default(), "admin", "admin123").await;
    admin.click("nav-item-admin-users").await;
    admin.find("admin-users").await;

    admin.click("admin-role-alice-auditor").await;
    admin
        .wait_until("alice to be an auditor", || async {
            admin.checkbox("admin-role-alice-auditor").await == Some(true)
        })
        .await;

    // Alice's open page finds out on a 403 and re-checks on request.
    let alice = App::open(&server).await;
    alice.log_in_to_dashboard("alice", "alice123").await;
    alice.click("nav-item-reports").await;
    alice
        .wait_until("the reports card", || async {
            alice.cards_named("reports").await == ["ready"]
        })
        .await;
    admin.click("admin-role-alice-auditor").await;
    admin
        .wait_until("alice to lose auditor", || async {
            admin.checkbox("admin-role-alice-auditor").await == Some(false)
        })
        .await;
    alice.goto("/reports").await;
    alice.click("recheck-permissions").await;
    alice.find("forbidden").await;
    alice.wait_for_menu_item("reports", false).await;
}

#[tokio::test]
async fn the_last_admin_cannot_lose_the_admin_role_and_the_page_says_why() {
    let (_server, admin) = App::logged_in(ServerOptions::default(), "admin", "admin123").await;
    admin.goto("/admin/users").await;
    admin.click("admin-role-admin-admin").await;
    admin
        .wait_for_text(
            "admin-error",
            "The last administrator cannot lose the admin role.",
        )
        .await;
    admin
        .wait_until("the checkbox to show the truth", || async {
            admin.checkbox("admin-role-admin-admin").await == Some(true)
        })
        .await;
}

#[tokio::test]
async fn a_403_removes_the_revoked_page_from_the_menu_by_itself_in_every_tab() {
    let server = Server::start(ServerOptions::default());
    let api = server.api();
    api.set_roles("alice", &["user", "auditor"]).await;
    let alice = App::open(&server).await;
    alice.log_in_to_dashboard("alice", "alice123").await;
    alice.wait_for_menu_item("reports", true).await;
    let first = alice.open_tab("/dashboard").await;
    alice.wait_for_cards("ready").await;
    let second = alice.switch_to(first).await;
    alice.click("nav-item-reports").await;
    alice
        .wait_until("the reports card", || async {
            alice.cards_named("reports").await == ["ready"]
        })
        .await;

    api.set_roles("alice", &["user"]).await;
    api.reset_stats().await;
    // Away and back through the menu: the page's next call is refused.
    alice.click("nav-item-dashboard").await;
    alice.wait_for_cards("ready").await;
    alice.click("nav-item-reports").await;
    alice.find("forbidden").await;
    alice.wait_for_menu_item("reports", false).await;
    assert_eq!(api.stats().await.app_config, 1, "one re-check, no click");

    alice.switch_to(second).await;
    alice.wait_for_menu_item("reports", false).await;
    assert_eq!(
        api.stats().await.app_config,
        1,
        "the other tab took the roles without fetching them"
    );
}
