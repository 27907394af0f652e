//! The sample resources the dashboard and reports pages load, each behind a
//! policy. The data is fixed, except the summary's live counts.

use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use silent_refresh_contract::PagedResult;
use silent_refresh_contract::paths;
use silent_refresh_contract::resources::{
    Activity, DashboardSummary, Notification, Order, Report, SystemHealth,
};
use silent_refresh_contract::test_controls::Endpoint;

use crate::http::AppError;
use crate::http::guard::require_policy;
use crate::http::tracking::track;
use crate::policy::Policy;
use crate::refresh_tokens;
use crate::state::AppState;
use crate::users;

/// The six sample resources under `/api/app/`, counted as one endpoint: five
/// for the dashboard behind `Dashboard.View`, the reports behind `Reports.View`.
pub fn router(state: &AppState) -> Router<AppState> {
    let guard = |policy| from_fn_with_state((state.clone(), policy), require_policy);
    let reports = Router::new()
        .route(paths::REPORTS, get(reports))
        .route_layer(guard(Policy::ReportsView));
    Router::new()
        .route(paths::DASHBOARD_SUMMARY, get(summary))
        .route(paths::ORDERS, get(orders))
        .route(paths::NOTIFICATIONS, get(notifications))
        .route(paths::ACTIVITY, get(activity))
        .route(paths::SYSTEM_HEALTH, get(health))
        .route_layer(guard(Policy::DashboardView))
        .merge(reports)
        // Outermost, so refused calls are counted too.
        .route_layer(from_fn_with_state(
            (state.clone(), Endpoint::Resource),
            track,
        ))
}

/// The fixed orders.
fn sample_orders() -> Vec<Order> {
    #[rustfmt::skip]
    let orders = [
        ("ord-1001", "Cheshire Cat Ltd", 1250.0, "shipped"),
        ("ord-1002", "Mad Hatter & Co", 89.5, "pending"),
        ("ord-1003", "White Rabbit Watches", 432.75, "delivered"),
        ("ord-1004", "Queen of Hearts Gardens", 2210.0, "cancelled"),
        ("ord-1005", "Dormouse Teas", 64.2, "shipped"),
        ("ord-1006", "Caterpillar Hookahs", 318.0, "pending"),
    ];
    orders
        .into_iter()
        .map(|(id, customer, total, status)| Order {
            id: id.into(),
            customer: customer.into(),
            total,
            status: status.into(),
        })
        .collect()
}

/// The fixed notifications.
fn sample_notifications() -> Vec<Notification> {
    #[rustfmt::skip]
    let notifications = [
        ("ntf-1", "Quarterly report is ready", "2025-01-06T09:00:00Z", false),
        ("ntf-2", "Order ord-1004 was cancelled", "2025-01-05T16:42:00Z", false),
        ("ntf-3", "New user registered", "2025-01-04T11:15:00Z", true),
        ("ntf-4", "Scheduled maintenance on Sunday", "2025-01-03T08:30:00Z", true),
    ];
    notifications
        .into_iter()
        .map(|(id, title, created_at, read)| Notification {
            id: id.into(),
            title: title.into(),
            created_at: created_at.into(),
            read,
        })
        .collect()
}

/// The fixed activity log.
fn sample_activity() -> Vec<Activity> {
    #[rustfmt::skip]
    let activity = [
        ("act-1", "admin", "Granted role auditor to alice", "2025-01-06T10:05:00Z"),
        ("act-2", "alice", "Viewed the dashboard", "2025-01-06T09:58:00Z"),
        ("act-3", "admin", "Exported orders", "2025-01-05T17:20:00Z"),
        ("act-4", "alice", "Signed in", "2025-01-05T08:01:00Z"),
    ];
    activity
        .into_iter()
        .map(|(id, user_name, action, at)| Activity {
            id: id.into(),
            user_name: user_name.into(),
            action: action.into(),
            at: at.into(),
        })
        .collect()
}

/// The fixed reports.
fn sample_reports() -> Vec<Report> {
    #[rustfmt::skip]
    let reports = [
        ("rpt-1", "Revenue", "2024-Q4", 48_250.0),
        ("rpt-2", "Orders", "2024-Q4", 1_312.0),
        ("rpt-3", "Refund rate (%)", "2024-Q4", 2.4),
        ("rpt-4", "New customers", "2024-Q4", 87.0),
    ];
    reports
        .into_iter()
        .map(|(id, title, period, value)| Report {
            id: id.into(),
            title: title.into(),
            period: period.into(),
            value,
        })
        .collect()
}

async fn summary(State(state): State<AppState>) -> Result<Json<DashboardSummary>, AppError> {
    let now = state.clock.now_ms();
    let (total_users, active_sessions) = state.db.with(|conn| {
        Ok::<_, rusqlite::Error>((
            users::count(conn)?,
            refresh_tokens::active_families(conn, now)?,
        ))
    })?;
    let generated_at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(now);
    Ok(Json(DashboardSummary {
        total_users,
        active_sessions,
        revenue: sample_orders().iter().map(|order| order.total).sum(),
        generated_at: humantime::format_rfc3339_seconds(generated_at).to_string(),
    }))
}

async fn orders() -> Json<PagedResult<Order>> {
    Json(PagedResult::all(sample_orders()))
}

async fn notifications() -> Json<PagedResult<Notification>> {
    Json(PagedResult::all(sample_notifications()))
}

async fn activity() -> Json<PagedResult<Activity>> {
    Json(PagedResult::all(sample_activity()))
}

async fn health(State(state): State<AppState>) -> Json<SystemHealth> {
    Json(SystemHealth {
        status: "healthy".into(),
        uptime_seconds: state.clock.now_ms().saturating_sub(state.started_ms) / 1000,
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

async fn reports() -> Json<PagedResult<Report>> {
    Json(PagedResult::all(sample_reports()))
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
        assert_eq!(summary["generatedAt"], "2023-11-14T22:13:20Z");

        for (path, count, first) in [
            (
                "/api/app/orders",
                6,
                json!({"id": "ord-1001", "customer": "Cheshire Cat Ltd", "total": 1250.0, "status": "shipped"}),
            ),
            (
                "/api/app/notifications",
                4,
                json!({"id": "ntf-1", "title": "Quarterly report is ready", "createdAt": "2025-01-06T09:00:00Z", "read": false}),
            ),
            (
                "/api/app/activity",
                4,
                json!({"id": "act-1", "userName": "admin", "action": "Granted role auditor to alice", "at": "2025-01-06T10:05:00Z"}),
            ),
            (
                REPORTS,
                4,
                json!({"id": "rpt-1", "title": "Revenue", "period": "2024-Q4", "value": 48250.0}),
            ),
        ] {
            let list = get(path).await;
            let keys: Vec<&String> = list
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            assert_eq!(keys, ["items", "totalCount"], "{path}");
            assert_eq!(list["totalCount"], count, "{path}");
            assert_eq!(
                list["items"].as_array().map(Vec::len),
                Some(count),
                "{path}"
            );
            assert_eq!(list["items"][0], first, "{path}");
        }
        assert_eq!(summary["revenue"], 4364.45);

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
