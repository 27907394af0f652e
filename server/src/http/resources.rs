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

use crate::domain::policy::Policy;
use crate::domain::refresh_tokens;
use crate::domain::users;
use crate::http::AppError;
use crate::http::guard::require_policy;
use crate::http::tracking::track;
use crate::state::AppState;

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
    let (total_users, active_sessions) = state.store.with(|conn| {
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
mod tests;
