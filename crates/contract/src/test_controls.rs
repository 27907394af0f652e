//! The documents of the server's test controls (`/api/_test/…`, mounted only
//! with `--test-controls`).

use serde::{Deserialize, Serialize};

/// The endpoints (or groups of endpoints) that are counted and can be faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Endpoint {
    /// `POST /api/account/login`.
    Login,
    /// `POST /api/app/account/refresh-token` and `POST /connect/token`.
    Refresh,
    /// `POST /api/account/logout`.
    Logout,
    /// `GET /api/abp/application-configuration`.
    AppConfig,
    /// The six sample resources under `/api/app/`.
    Resource,
    /// A BFF's `refresh_token` grants at its provider (a fault's delay
    /// holds the grant while the BFF holds the session's lease).
    BffRefresh,
}

/// Calls per endpoint since start or the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallCounts {
    /// Login calls.
    pub login: u64,
    /// Refresh calls, both endpoints.
    pub refresh: u64,
    /// Logout calls.
    pub logout: u64,
    /// Application configuration calls.
    pub app_config: u64,
    /// Sample resource calls.
    pub resource: u64,
    /// A BFF's refresh grants at its provider.
    #[serde(default)]
    pub bff_refresh: u64,
}

impl CallCounts {
    /// The counter of `endpoint`. The match is exhaustive, so a new
    /// [`Endpoint`] cannot compile without its counter.
    pub fn of(&mut self, endpoint: Endpoint) -> &mut u64 {
        match endpoint {
            Endpoint::Login => &mut self.login,
            Endpoint::Refresh => &mut self.refresh,
            Endpoint::Logout => &mut self.logout,
            Endpoint::AppConfig => &mut self.app_config,
            Endpoint::Resource => &mut self.resource,
            Endpoint::BffRefresh => &mut self.bff_refresh,
        }
    }
}

/// `GET /api/_test/stats`: `{"calls":{…},"reuseDetected":n,"replayed":n}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// The counts.
    pub calls: CallCounts,
    /// Spent refresh tokens presented again and taken as reuse (their
    /// family revoked).
    #[serde(default)]
    pub reuse_detected: u64,
    /// Refreshes answered again with the pair they had already been given
    /// (the same refresh token and `Idempotency-Key` within the window).
    #[serde(default)]
    pub replayed: u64,
}

/// `POST /api/_test/faults`: the next `count` calls of `endpoint` wait
/// `delayMs`, then are dropped (`drop`), answered with `status`, or (with
/// neither) handled normally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRequest {
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// How many calls get it.
    pub count: u32,
    /// Answer with this status (4xx or 5xx).
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long first, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Close the connection without an answer (before any handling).
    #[serde(default)]
    pub drop: bool,
    /// Handle the call completely, commit, then close the connection
    /// without an answer: the answer is lost after the work.
    #[serde(default)]
    pub drop_answer: bool,
    /// Handle the call completely, commit, then wait this long before
    /// answering, in milliseconds.
    #[serde(default)]
    pub delay_answer_ms: u64,
}

impl FaultRequest {
    /// `count` calls of `endpoint` with no fault yet: add one with the fields.
    pub fn new(endpoint: Endpoint, count: u32) -> Self {
        Self {
            endpoint,
            count,
            status: None,
            delay_ms: 0,
            drop: false,
            drop_answer: false,
            delay_answer_ms: 0,
        }
    }
}

/// `POST /api/_test/expire-access-tokens` and `…/revoke-refresh-tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRequest {
    /// The user concerned.
    pub user_name: String,
}

/// `POST /api/_test/two-factor-code`'s answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorCode {
    /// The code an authenticator app shows now.
    pub code: String,
}

/// `GET /api/_test/requests`: the last calls of the API and of the token
/// endpoints since start or the last stats reset, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLog {
    /// The calls.
    pub requests: Vec<LoggedRequest>,
}

/// One call, with the headers ABP's own clients send on every call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// The method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// `__tenant`.
    pub tenant: Option<String>,
    /// `Accept-Language`.
    pub accept_language: Option<String>,
    /// `X-Requested-With`.
    pub requested_with: Option<String>,
    /// Whether it carried `Authorization: Bearer`.
    pub bearer: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_request_without_optional_fields_reads() {
        let fault: FaultRequest =
            serde_json::from_str(r#"{"endpoint":"appConfig","count":2}"#).unwrap();
        assert_eq!(fault, FaultRequest::new(Endpoint::AppConfig, 2));
    }
}
