//! The whole app under the server's Content Security Policy: every page,
//! in both builds, with no violation.

use serde_json::json;

use crate::{
    harness::{Server, ServerOptions, start_with_provider},
    pages::App,
};

/// Keeps every CSP violation the page reports in `window.__cspViolations`.
const RECORD_VIOLATIONS: &str = "
  window.__cspViolations = [];
  addEventListener('securitypolicyviolation', e =>
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));";

/// The violations recorded on the current page.
async fn violations(app: &App) -> Vec<String> {
    let found = app.run("return window.__cspViolations ?? []", vec![]).await;
    serde_json::from_value(found).expect("a list of violations")
}

/// The policy the server sends with the app's page.
async fn policy(app: &App) -> String {
    app.run(
        "return fetch('/').then(r => r.headers.get('content-security-policy') ?? '')",
        vec![],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn record_violations(app: &App) {
    app.devtools(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": RECORD_VIOLATIONS }),
    )
    .await;
}

#[tokio::test]
async fn every_page_runs_under_the_policy_without_a_violation() {
    let server = Server::start(ServerOptions::default());
    let app = App::open(&server).await;
    record_violations(&app).await;
    app.goto("/login").await;
    let csp = policy(&app).await;
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");

    app.log_in_to_dashboard("admin", "admin123").await;
    for page in [
        "reports",
        "admin-users",
        "profile",
        "diagnostics",
        "dashboard",
    ] {
        app.click(&format!("nav-item-{page}")).await;
        app.find(page).await;
    }
    app.run(
        "const s = document.querySelector('[data-testid=\"lang-switch\"]');
         s.value = 'zh-CN'; s.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await;
    app.reload().await;
    app.wait_for_cards("ready").await;
    assert_eq!(violations(&app).await, Vec::<String>::new());

    // The policy is enforced, not only sent, and the recorder hears it:
    // an inline script the page adds is refused and reported.
    let ran = app
        .run(
            "const s = document.createElement('script');
             s.textContent = 'window.__probe = 1';
             document.head.append(s);
             return window.__probe === 1;",
            vec![],
        )
        .await;
    assert_eq!(ran, json!(false), "an inline script ran: no policy applied");
    app.wait_until("the probe's violation", || async {
        violations(&app).await.len() == 1
    })
    .await;
}

#[tokio::test]
async fn the_oidc_build_reaches_its_provider_under_the_policy() {
    let (provider, server) = start_with_provider(300).await;
    let app = App::open(&server).await;
    record_violations(&app).await;
    app.goto("/login").await;
    assert!(policy(&app).await.contains(&provider.issuer));
    app.sign_in_to_dashboard("alice").await;
    assert_eq!(violations(&app).await, Vec::<String>::new());
}
