//! Call counters, injected faults and (with `--oidc-issuer`) access token
//! cut-offs behind the test controls.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use std::collections::VecDeque;

use axum::http::StatusCode;
use silent_refresh_contract::test_controls::{CallCounts, Endpoint, LoggedRequest, Stats};

/// How many calls the request log keeps (the oldest go first).
pub const REQUEST_LOG_CAPACITY: usize = 1_000;

/// What the next calls of an endpoint suffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fault {
    /// Wait this long first.
    pub delay: Duration,
    /// Then close the connection without any response.
    pub drop: bool,
    /// Or answer with this status (when not dropping); `None` handles the call normally.
    pub status: Option<StatusCode>,
    /// Once handled (and committed), wait this long before answering.
    pub answer_delay: Duration,
    /// Once handled (and committed), close the connection instead of
    /// answering.
    pub drop_answer: bool,
}

/// What the controls hold: the counters, the pending faults and the
/// cut-offs.
#[derive(Default)]
struct State {
    calls: CallCounts,
    faults: HashMap<Endpoint, (u32, Fault)>,
    /// User name or subject → the second up to which (inclusive) the
    /// provider's tokens for it are refused.
    cut_offs: HashMap<String, u64>,
    /// The last calls, with the headers ABP's clients send.
    requests: VecDeque<LoggedRequest>,
    /// Refresh tokens taken as reused.
    reuse_detected: u64,
    /// Refreshes answered again from their idempotency record.
    replayed: u64,
}

/// Counters, pending faults and cut-offs, shared by all requests.
#[derive(Default)]
pub struct Controls {
    state: Mutex<State>,
}

impl Controls {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call of `endpoint` and returns the fault it must suffer, if
    /// one is pending (using up one of the fault's calls).
    pub fn record_call(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut state = self.state();
        *state.calls.of(endpoint) += 1;
        let (remaining, fault) = state.faults.get_mut(&endpoint)?;
        let fault = *fault;
        *remaining -= 1;
        if *remaining == 0 {
            state.faults.remove(&endpoint);
        }
        Some(fault)
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        let state = self.state();
        Stats {
            calls: state.calls,
            reuse_detected: state.reuse_detected,
            replayed: state.replayed,
        }
    }

    /// Counts a refresh token taken as reused.
    pub fn record_reuse(&self) {
        self.state().reuse_detected += 1;
    }

    /// Counts a refresh answered again from its idempotency record.
    pub fn record_replay(&self) {
        self.state().replayed += 1;
    }

    /// Sets every counter to zero and empties the request log.
    pub fn reset_calls(&self) {
        let mut state = self.state();
        state.calls = CallCounts::default();
        state.reuse_detected = 0;
        state.replayed = 0;
        state.requests.clear();
    }

    /// Adds a call to the request log.
    pub fn log_request(&self, request: LoggedRequest) {
        let mut state = self.state();
        if state.requests.len() == REQUEST_LOG_CAPACITY {
            state.requests.pop_front();
        }
        state.requests.push_back(request);
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state().requests.iter().cloned().collect()
    }

    /// Makes the next `count` calls of `endpoint` suffer `fault`, replacing
    /// any fault pending there; a `count` of 0 clears it.
    pub fn set_fault(&self, endpoint: Endpoint, count: u32, fault: Fault) {
        let faults = &mut self.state().faults;
        if count == 0 {
            faults.remove(&endpoint);
        } else {
            faults.insert(endpoint, (count, fault));
        }
    }

    /// Clears every pending fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Refuses the identity provider's tokens for `user_name` (their
    /// `preferred_username` or `sub`) issued up to now, `now_ms`: every one
    /// whose `iat` is at or before this second. `iat` counts whole seconds,
    /// so a token of this very second may have been issued before the call
    /// or after it; it is refused too, as the call must catch every earlier
    /// token. Tokens from the next second on are accepted.
    pub fn cut_off(&self, user_name: &str, now_ms: u64) {
        self.state()
            .cut_offs
            .insert(user_name.to_owned(), now_ms / 1000);
    }

    /// Whether a provider's token for a user known by `names`, issued at
    /// `issued_at` (seconds), is refused by a [`Controls::cut_off`]; a token
    /// without `iat` is refused whenever its user has a cut-off.
    pub fn is_cut_off<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
        issued_at: Option<u64>,
    ) -> bool {
        let state = self.state();
        names.into_iter().any(|name| {
            state
                .cut_offs
                .get(name)
                .is_some_and(|&cut_off| issued_at.is_none_or(|iat| iat <= cut_off))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAIL: Fault = Fault {
        delay: Duration::ZERO,
        drop: false,
        status: Some(StatusCode::INTERNAL_SERVER_ERROR),
        answer_delay: Duration::ZERO,
        drop_answer: false,
    };

    #[test]
    fn faults_apply_to_the_next_n_calls_of_their_endpoint_only() {
        let controls = Controls::default();
        controls.set_fault(Endpoint::Refresh, 2, FAIL);
        assert_eq!(controls.record_call(Endpoint::Login), None);
        assert_eq!(controls.record_call(Endpoint::Refresh), Some(FAIL));
        assert_eq!(controls.record_call(Endpoint::Refresh), Some(FAIL));
        assert_eq!(controls.record_call(Endpoint::Refresh), None);
        assert_eq!(
            controls.stats().calls,
            CallCounts {
                login: 1,
                refresh: 3,
                ..CallCounts::default()
            }
        );
        controls.reset_calls();
        assert_eq!(controls.stats().calls, CallCounts::default());
    }

    #[test]
    fn every_endpoint_has_its_own_counter() {
        let controls = Controls::default();
        for (endpoint, times) in [
            (Endpoint::Login, 1),
            (Endpoint::Refresh, 2),
            (Endpoint::Logout, 3),
            (Endpoint::AppConfig, 4),
            (Endpoint::Resource, 5),
            (Endpoint::BffRefresh, 6),
        ] {
            for _ in 0..times {
                controls.record_call(endpoint);
            }
        }
        assert_eq!(
            controls.stats().calls,
            CallCounts {
                login: 1,
                refresh: 2,
                logout: 3,
                app_config: 4,
                resource: 5,
                bff_refresh: 6,
            }
        );
        controls.reset_calls();
        assert_eq!(controls.stats().calls, CallCounts::default());
    }

    #[test]
    fn a_cut_off_refuses_tokens_up_to_its_second_inclusive() {
        let controls = Controls::default();
        assert!(!controls.is_cut_off(["alice"], Some(100)));
        controls.cut_off("alice", 100_999);
        assert!(controls.is_cut_off(["alice"], Some(99)));
        assert!(controls.is_cut_off(["alice"], Some(100)));
        assert!(controls.is_cut_off(["sub-1", "alice"], Some(100)));
        assert!(controls.is_cut_off(["alice"], None));
        assert!(!controls.is_cut_off(["alice"], Some(101)));
        assert!(!controls.is_cut_off(["bob"], Some(1)));
        assert!(!controls.is_cut_off(["bob"], None));
    }

    #[test]
    fn clearing_and_zero_counts_remove_faults() {
        let controls = Controls::default();
        controls.set_fault(Endpoint::Resource, 3, FAIL);
        controls.set_fault(Endpoint::Resource, 0, FAIL);
        assert_eq!(controls.record_call(Endpoint::Resource), None);
        controls.set_fault(Endpoint::AppConfig, 3, FAIL);
        controls.clear_faults();
        assert_eq!(controls.record_call(Endpoint::AppConfig), None);
    }
}
