//! The sample resources the dashboard and reports pages load, each behind a
//! policy. The data is fixed, except the summary's live counts.

use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::controls::Endpoint;
use crate::http::guard::require_policy;
use crate::http::tracking::track;
use crate::http::{AppError, ListResult};
use crate::policy::Policy;
use crate::refresh_tokens;
use crate::state::AppState;
use crate::users;

/// The six sample resources under `/app/`, counted as one endpoint: five
/// for the dashboard behind `Dashboard.View`, the reports behind `Reports.View`.
pub fn router(state: &AppState) -> Router<AppState> {
    let guard = |policy| from_fn_with_state((state.clone(), policy), require_policy);
    let reports = Router::new()
        .route("/app/reports", get(reports))
        .route_layer(guard(Policy::ReportsView));
    Router::new()
        .route("/app/dashboard/summary", get(summary))
        .route("/app/orders", get(orders))
        .route("/app/notifications", get(notifications))
        .route("/app/activity", get(activity))
        .route("/app/system/health", get(health))
        .route_layer(guard(Policy::DashboardView))
        .merge(reports)
        // Outermost, so refused calls are counted too.
        .route_layer(from_fn_with_state(
            (state.clone(), Endpoint::Resource),
            track,
        ))
}

#[derive(Clone, Copy, Serialize)]
struct Order {
    id: &'static str,
    customer: &'static str,
    total: f64,
    status: &'static str,
}

#[rustfmt::skip]
const ORDERS: [Order; 6] = [
    Order { id: "ord-1001", customer: "Cheshire Cat Ltd", total: 1250.0, status: "shipped" },
    Order { id: "ord-1002", customer: "Mad Hatter & Co", total: 89.5, status: "pending" },
    Order { id: "ord-1003", customer: "White Rabbit Watches", total: 432.75, status: "delivered" },
    Order { id: "ord-1004", customer: "Queen of Hearts Gardens", total: 2210.0, status: "cancelled" },
    Order { id: "ord-1005", customer: "Dormouse Teas", total: 64.2, status: "shipped" },
    Order { id: "ord-1006", customer: "Caterpillar Hookahs", total: 318.0, status: "pending" },
];

#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    id: &'static str,
    title: &'static str,
    created_at: &'static str,
    read: bool,
}

#[rustfmt::skip]
const NOTIFICATIONS: [Notification; 4] = [
    Notification { id: "ntf-1", title: "Quarterly report is ready", created_at: "2025-01-06T09:00:00Z", read: false },
    Notification { id: "ntf-2", title: "Order ord-1004 was cancelled", created_at: "2025-01-05T16:42:00Z", read: false },
    Notification { id: "ntf-3", title: "New user registered", created_at: "2025-01-04T11:15:00Z", read: true },
    Notification { id: "ntf-4", title: "Scheduled maintenance on Sunday", created_at: "2025-01-03T08:30:00Z", read: true },
];

#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    id: &'static str,
    user_name: &'static str,
    action: &'static str,
    at: &'static str,
}

#[rustfmt::skip]
const ACTIVITY: [Activity; 4] = [
    Activity { id: "act-1", user_name: "admin", action: "Granted role auditor to alice", at: "2025-01-06T10:05:00Z" },
    Activity { id: "act-2", user_name: "alice", action: "Viewed the dashboard", at: "2025-01-06T09:58:00Z" },
    Activity { id: "act-3", user_name: "admin", action: "Exported orders", at: "2025-01-05T17:20:00Z" },
    Activity { id: "act-4", user_name: "alice", action: "Signed in", at: "2025-01-05T08:01:00Z" },
];

#[derive(Clone, Copy, Serialize)]
struct Report {
    id: &'static str,
    title: &'static str,
    period: &'static str,
    value: f64,
}

#[rustfmt::skip]
const REPORTS: [Report; 4] = [
    Report { id: "rpt-1", title: "Revenue", period: "2024-Q4", value: 48_250.0 },
    Report { id: "rpt-2", title: "Orders", period: "2024-Q4", value: 1_312.0 },
    Report { id: "rpt-3", title: "Refund rate (%)", period: "2024-Q4", value: 2.4 },
    Report { id: "rpt-4", title: "New customers", period: "2024-Q4", value: 87.0 },
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    total_users: u64,
    active_sessions: u64,
    revenue: f64,
    generated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    status: &'static str,
    uptime_seconds: u64,
    version: &'static str,
}

async fn summary(State(state): State<AppState>) -> Result<Json<Summary>, AppError> {
    let now = state.clock.now_ms();
    let (total_users, active_sessions) = state.db.with(|conn| {
        Ok::<_, rusqlite::Error>((
            users::count(conn)?,
            refresh_tokens::active_families(conn, now)?,
        ))
    })?;
    let generated_at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(now);
    Ok(Json(Summary {
        total_users,
        active_sessions,
        revenue: ORDERS.iter().map(|order| order.total).sum(),
        generated_at: humantime::format_rfc3339_seconds(generated_at).to_string(),
    }))
}

async fn orders() -> Json<ListResult<Order>> {
    Json(ListResult::new(ORDERS.to_vec()))
}

async fn notifications() -> Json<ListResult<Notification>> {
    Json(ListResult::new(NOTIFICATIONS.to_vec()))
}

async fn activity() -> Json<ListResult<Activity>> {
    Json(ListResult::new(ACTIVITY.to_vec()))
}

async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "healthy",
        uptime_seconds: state.clock.now_ms().saturating_sub(state.started_ms) / 1000,
        version: env!("CARGO_PKG_VERSION"),
    })
}

async fn reports() -> Json<ListResult<Report>> {
    Json(ListResult::new(REPORTS.to_vec()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use crate::http::testing::TestApp;

    const DASHBOARD: [&str; 5] = [
        "/api/app/dashboard/summary",
        "/api/app/orders",
        "/api/app/notifications",
        "/api/app/activity",
        "/api/app/system/health",
    ];
    const REPORTS: &str = "/api/app/reports";

    #[tokio::test]
    async fn resources_have_the_documented_shapes() {
        let app = TestApp::new();
        let admin = app.admin().await;
        let get = |path: &'static str| {
            let (app, token) = (&app, admin.token.clone());
            async move {
                let response = app.get(path, Some(&token)).await;
                assert_eq!(
                    response.status,
                    StatusCode::OK,
                    "{path}: {}",
                    response.text()
                );
                response.json()
            }
        };
        let summary = get("/api/app/dashboard/summary").await;
        assert_eq!(summary["totalUsers"], 2);
        assert_eq!(summary["activeSessions"], 1);
        assert!(summary["revenue"].as_f64().is_some_and(|r| r > 0.0));
        assert_eq!(summary["generatedAt"], "2023-11-14T22:13:20Z");

        for (path, fields) in [
            ("/api/app/orders", &["id", "customer", "total", "status"]),
            (
                "/api/app/notifications",
                &["id", "title", "createdAt", "read"],
            ),
            ("/api/app/activity", &["id", "userName", "action", "at"]),
            (REPORTS, &["id", "title", "period", "value"]),
        ] {
            let list = get(path).await;
            let items = list["items"].as_array().cloned().unwrap_or_default();
            assert!(!items.is_empty(), "{path}");
            assert_eq!(list["totalCount"], items.len(), "{path}");
            for field in fields {
                assert!(items[0].get(*field).is_some(), "{path} lacks {field}");
            }
        }

        app.time.advance(Duration::from_secs(7));
        let health = get("/api/app/system/health").await;
        assert_eq!(health["status"], "healthy");
        assert_eq!(health["uptimeSeconds"], 7);
        assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    }

    #[tokio::test]
    async fn policies_guard_the_resources() {
        let app = TestApp::new();
        let alice = app.alice().await;
        for path in DASHBOARD {
            assert_eq!(
                app.get(path, Some(&alice.token)).await.status,
                StatusCode::OK,
                "{path}"
            );
        }
        app.get(REPORTS, Some(&alice.token))
            .await
            .assert_abp_error(StatusCode::FORBIDDEN, "forbidden");
        let admin = app.admin().await;
        assert_eq!(
            app.get(REPORTS, Some(&admin.token)).await.status,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn a_missing_token_gets_a_bare_bearer_challenge() {
        let app = TestApp::new();
        for path in DASHBOARD.iter().chain([&REPORTS]) {
            let response = app.get(path, None).await;
            response.assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
            assert_eq!(
                response.header(header::WWW_AUTHENTICATE),
                Some("Bearer"),
                "{path}"
            );
        }
        // Another scheme is no bearer token either.
        let basic = Request::get(REPORTS)
            .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4xMjM=")
            .body(Body::empty())
            .expect("request");
        app.send(basic)
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }

    #[tokio::test]
    async fn bad_tokens_get_an_invalid_token_challenge() {
        let app = TestApp::new();
        let alice = app.alice().await;
        let parts: Vec<&str> = alice.token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let hs512_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512","typ":"JWT"}"#);
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("payload"))
                .expect("json");
        payload["exp"] = json!(u64::MAX / 2000);
        let longer = URL_SAFE_NO_PAD.encode(payload.to_string());
        let bad = [
            "garbage".to_owned(),
            String::new(),
            format!("{none_header}.{}.", parts[1]),
            format!("{hs512_header}.{}.{}", parts[1], parts[2]),
            format!("{}.{longer}.{}", parts[0], parts[2]),
            format!("{}.{}.{}", parts[0], parts[1], "A".repeat(43)),
        ];
        for token in &bad {
            let response = app.get(DASHBOARD[0], Some(token)).await;
            response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
            assert_eq!(
                response.header(header::WWW_AUTHENTICATE),
                Some(r#"Bearer error="invalid_token""#),
                "{token}"
            );
        }
        assert_eq!(
            app.get(DASHBOARD[0], Some(&alice.token)).await.status,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn access_tokens_expire_after_their_lifetime() {
        let app = TestApp::new();
        let alice = app.alice().await;
        app.time.advance(Duration::from_millis(29_999));
        assert_eq!(
            app.get(DASHBOARD[0], Some(&alice.token)).await.status,
            StatusCode::OK
        );
        app.time.advance(Duration::from_millis(1));
        let response = app.get(DASHBOARD[0], Some(&alice.token)).await;
        let error = response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("expired")
        );
        assert_eq!(
            response.header(header::WWW_AUTHENTICATE),
            Some(r#"Bearer error="invalid_token""#)
        );
    }

    #[tokio::test]
    async fn a_revoked_role_is_refused_at_once() {
        let app = TestApp::new();
        let admin = app.admin().await;
        let alice = app.alice().await;
        let roles = |roles: serde_json::Value| {
            let (app, token, id) = (&app, admin.token.clone(), alice.user_id.clone());
            async move {
                let path = format!("/api/identity/users/{id}/roles");
                let response = app
                    .call(
                        axum::http::Method::PUT,
                        &path,
                        Some(&token),
                        Some(json!({ "roles": roles })),
                    )
                    .await;
                assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            }
        };
        let config = || app.get("/api/abp/application-configuration", Some(&alice.token));

        roles(json!(["user", "auditor"])).await;
        assert_eq!(
            app.get(REPORTS, Some(&alice.token)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            config().await.json()["auth"]["grantedPolicies"]["Reports.View"],
            true
        );

        roles(json!(["user"])).await;
        app.get(REPORTS, Some(&alice.token))
            .await
            .assert_abp_error(StatusCode::FORBIDDEN, "forbidden");
        let after = config().await.json();
        assert!(
            after["auth"]["grantedPolicies"]
                .get("Reports.View")
                .is_none(),
            "{after}"
        );
        assert_eq!(after["currentUser"]["roles"], json!(["user"]));

        roles(json!([])).await;
        app.get(DASHBOARD[1], Some(&alice.token))
            .await
            .assert_abp_error(StatusCode::FORBIDDEN, "forbidden");
    }
}
