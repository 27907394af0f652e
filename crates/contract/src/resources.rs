//! The sample resources the dashboard and the reports page load.

use serde::{Deserialize, Serialize};

/// ABP's paged list, `{"items":[…],"totalCount":n}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PagedResult<T> {
    /// This page's items.
    #[serde(
        default = "Vec::new",
        deserialize_with = "crate::nullable::or_default",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub items: Vec<T>,
    /// How many there are in all.
    #[serde(default, deserialize_with = "crate::nullable::or_default")]
    pub total_count: u64,
}

impl<T> PagedResult<T> {
    /// All of `items` as one page.
    pub fn all(items: Vec<T>) -> Self {
        Self {
            total_count: items.len() as u64,
            items,
        }
    }
}

/// ABP's unpaged list, `{"items":[…]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResult<T> {
    /// The items.
    #[serde(
        default = "Vec::new",
        deserialize_with = "crate::nullable::or_default",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub items: Vec<T>,
}

/// `GET /api/app/dashboard/summary`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSummary {
    /// Registered users.
    pub total_users: u64,
    /// Sessions alive now.
    pub active_sessions: u64,
    /// Revenue to date.
    pub revenue: f64,
    /// When the figures were taken (RFC 3339).
    pub generated_at: String,
}

/// An item of `GET /api/app/orders`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The order id.
    pub id: String,
    /// Who ordered.
    pub customer: String,
    /// The order's total.
    pub total: f64,
    /// Its state.
    pub status: String,
}

/// An item of `GET /api/app/notifications`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The notification id.
    pub id: String,
    /// What it says.
    pub title: String,
    /// When it was raised (RFC 3339).
    pub created_at: String,
    /// Whether it has been read.
    pub read: bool,
}

/// An item of `GET /api/app/activity`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The entry id.
    pub id: String,
    /// Who did it.
    pub user_name: String,
    /// What they did.
    pub action: String,
    /// When (RFC 3339).
    pub at: String,
}

/// `GET /api/app/system/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemHealth {
    /// `healthy` when all is well.
    pub status: String,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
    /// The server's version.
    pub version: String,
}

/// An item of `GET /api/app/reports`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The report id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The period it covers.
    pub period: String,
    /// Its headline figure.
    pub value: f64,
}
