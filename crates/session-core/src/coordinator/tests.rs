//! Host tests of the refresh core, driven by the fakes of [`crate::testing`]:
//! a counting fake refresher, a fake server that knows which access tokens
//! are valid, and a single-threaded executor. The `regression_…` tests pin
//! the original design's bugs.

use std::{cell::RefCell, rc::Rc};

use futures_channel::oneshot;
use futures_util::{FutureExt, future, task::LocalSpawnExt};

use super::*;
use crate::testing::{CallError, FakeRefresher, FakeServer, FakeStore, LocalPool, ManualRuntime};

type Coordinator = RefreshCoordinator<FakeStore, FakeRefresher, ManualRuntime>;

/// The outcomes of calls run in the background, in the order they settled.
type Outcomes = Rc<RefCell<Vec<Result<&'static str, CallError>>>>;

/// One test's world: a logged-in session whose access token the server no
/// longer accepts (it expired), with a good refresh token.
struct World {
    pool: LocalPool,
    server: Rc<FakeServer>,
    store: FakeStore,
    refresher: FakeRefresher,
    runtime: ManualRuntime,
    coordinator: Coordinator,
    statuses: Rc<RefCell<Vec<RefreshStatus>>>,
}

impl World {
    /// Calls all leave at once (no limit): every one of a burst meets the
    /// expired token before any refresh.
    fn expired_session() -> Self {
        Self::unlimited(FakeStore::logged_in("expired", Some("refresh-0")))
    }

    /// The default options: at most six calls out at once.
    fn with_store(store: FakeStore) -> Self {
        Self::with_options(store, CoordinatorOptions::default())
    }

    /// No limit on calls in flight: every call of a burst leaves at once.
    fn unlimited(store: FakeStore) -> Self {
        Self::with_options(
            store,
            CoordinatorOptions {
                max_in_flight: None,
                ..CoordinatorOptions::default()
            },
        )
    }

    fn with_options(store: FakeStore, options: CoordinatorOptions) -> Self {
        let pool = LocalPool::new();
        let server = Rc::new(FakeServer::default());
        let refresher = FakeRefresher::new(&server);
        let runtime = ManualRuntime::new(&pool);
        let statuses = Rc::new(RefCell::new(Vec::new()));
        let seen = Rc::clone(&statuses);
        let coordinator = RefreshCoordinator::new(
            store.clone(),
            refresher.clone(),
            runtime.clone(),
            options,
            move |status| seen.borrow_mut().push(status),
        );
        Self {
            pool,
            server,
            store,
            refresher,
            runtime,
            coordinator,
            statuses,
        }
    }

    /// Starts `n` calls in the background; their outcomes land in the result.
    fn spawn_calls(&self, n: usize) -> Outcomes {
        let outcomes = Rc::new(RefCell::new(Vec::new()));
        for _ in 0..n {
            let coordinator = self.coordinator.clone();
            let server = Rc::clone(&self.server);
            let outcomes = Rc::clone(&outcomes);
            self.pool
                .spawner()
                .spawn_local(async move {
                    let outcome = coordinator.send(|token| server.answer(token)).await;
                    outcomes.borrow_mut().push(outcome);
                })
                .expect("the pool is alive");
        }
        outcomes
    }

    /// Starts `n` calls that all leave before the first answer comes back
    /// (the server holds its answers until every call that may leave has).
    fn spawn_burst(&mut self, n: usize) -> Outcomes {
        let answer = self.server.hold();
        let outcomes = self.spawn_calls(n);
        self.pool.run_until_stalled();
        answer.send(()).expect("the calls are out");
        outcomes
    }

    /// Holds the refresh, starts `n` calls and runs until they all wait for
    /// it; the refresh goes on when the returned sender fires or is dropped.
    fn calls_waiting_on_a_held_refresh(&mut self, n: usize) -> (oneshot::Sender<()>, Outcomes) {
        let release = self.refresher.hold();
        let outcomes = self.spawn_calls(n);
        self.pool.run_until_stalled();
        (release, outcomes)
    }

    /// Runs one call to completion.
    fn call(&mut self) -> Result<&'static str, CallError> {
        let outcomes = self.spawn_calls(1);
        self.pool.run();
        outcomes.borrow_mut().pop().expect("the call settled")
    }

    fn refreshes(&self) -> usize {
        self.refresher.calls()
    }
}

/// Whether every outcome is the session ending.
fn all_rejected(outcomes: &RefCell<Vec<Result<&'static str, CallError>>>) -> bool {
    outcomes
        .borrow()
        .iter()
        .all(|o| *o == Err(CallError::Refresh(RefreshError::Rejected)))
}

fn unavailable() -> Result<(), RefreshError> {
    Err(RefreshError::Unavailable("503".into()))
}

#[test]
fn thousand_concurrent_401s_cost_one_refresh_and_replay_every_call() {
    let mut world = World::expired_session();
    let release = world.refresher.hold();
    let outcomes = world.spawn_burst(1000);

    world.pool.run_until_stalled();
    assert_eq!(world.refreshes(), 1);
    assert_eq!(
        world.coordinator.status(),
        RefreshStatus {
            refreshing: true,
            trigger: Some(RefreshTrigger::Unauthorized),
            waiting: 1000,
            refreshes: 0,
            unauthorized: 1000,
            ..RefreshStatus::default()
        }
    );
    assert!(
        outcomes.borrow().is_empty(),
        "nobody settles before the refresh"
    );

    release.send(()).expect("the refresher waits");
    world.pool.run();

    assert_eq!(world.refreshes(), 1);
    assert_eq!(outcomes.borrow().len(), 1000);
    assert!(outcomes.borrow().iter().all(|o| *o == Ok("data")));
    assert_eq!(
        world.server.calls.get(),
        2000,
        "1000 sends and 1000 replays"
    );
    assert_eq!(
        world.store.snapshot().access_token.as_deref(),
        Some("access-1")
    );
    assert_eq!(
        world.coordinator.status(),
        RefreshStatus {
            refreshing: false,
            waiting: 0,
            refreshes: 1,
            unauthorized: 1000,
            ..RefreshStatus::default()
        }
    );
}

#[test]
fn with_the_default_limit_a_burst_after_an_expiry_costs_at_most_six_401s() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    let release = world.refresher.hold();
    let outcomes = world.spawn_burst(1000);
    world.pool.run_until_stalled();
    assert_eq!(
        world.server.calls.get(),
        6,
        "the rest wait for the refresh before leaving"
    );
    assert_eq!(world.refreshes(), 1);

    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(outcomes.borrow().len(), 1000);
    assert!(outcomes.borrow().iter().all(|o| *o == Ok("data")));
    assert_eq!(world.server.calls.get(), 6 + 1000);
    assert_eq!(world.refreshes(), 1);
}

#[test]
fn a_call_leaving_during_a_refresh_waits_for_the_new_token() {
    let mut world = World::expired_session();
    let (release, _) = world.calls_waiting_on_a_held_refresh(1);
    assert_eq!(world.server.calls.get(), 1);

    let later = world.spawn_calls(1);
    world.pool.run_until_stalled();
    assert_eq!(
        world.server.calls.get(),
        1,
        "not sent with a token known to be refused"
    );
    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(*later.borrow(), [Ok("data")]);
    assert_eq!(
        world.server.calls.get(),
        3,
        "the first call's replay and the later call"
    );
}

#[test]
fn status_listener_sees_the_queue_grow_and_drain() {
    let mut world = World::expired_session();
    let (release, _) = world.calls_waiting_on_a_held_refresh(3);
    release.send(()).expect("the refresher waits");
    world.pool.run();

    let waiting: Vec<usize> = world.statuses.borrow().iter().map(|s| s.waiting).collect();
    assert_eq!(waiting, [1, 2, 3, 0]);
    assert_eq!(world.statuses.borrow().last().map(|s| s.refreshes), Some(1));
}

#[test]
fn regression_queued_requests_settle_when_the_refresh_is_rejected() {
    let mut world = World::expired_session();
    world
        .refresher
        .answer_next([Err(RefreshError::Rejected), Err(RefreshError::Rejected)]);
    let outcomes = world.spawn_burst(50);
    world.pool.run();

    assert_eq!(world.refreshes(), 1, "a rejection is final: no retry");
    assert_eq!(outcomes.borrow().len(), 50);
    assert!(all_rejected(&outcomes));
    assert_eq!(
        world.store.sessions_ended(),
        1,
        "one logout, not one per call"
    );
    assert_eq!(world.store.snapshot().access_token, None);
    assert_eq!(world.server.calls.get(), 50, "nothing is replayed");
}

#[test]
fn regression_network_errors_keep_the_session_and_fail_waiters_as_unavailable() {
    let mut world = World::expired_session();
    world
        .refresher
        .answer_next([unavailable(), unavailable(), unavailable()]);
    let outcomes = world.spawn_calls(20);
    world.pool.run();

    assert_eq!(world.refreshes(), 3, "the whole retry budget is used");
    assert_eq!(
        world.runtime.slept(),
        [Duration::from_millis(200), Duration::from_millis(400)]
    );
    assert_eq!(outcomes.borrow().len(), 20);
    assert!(
        outcomes
            .borrow()
            .iter()
            .all(|o| matches!(o, Err(CallError::Refresh(RefreshError::Unavailable(_)))))
    );
    assert_eq!(world.store.sessions_ended(), 0);
    assert_eq!(
        world
            .store
            .snapshot()
            .grant
            .map(|g| g.refresh_token)
            .as_deref(),
        Some("refresh-0"),
        "the session is kept"
    );

    // The next call (the service is back) refreshes and succeeds.
    assert_eq!(world.call(), Ok("data"));
    assert_eq!(world.refreshes(), 4);
}

#[test]
fn a_transient_failure_is_retried_within_the_same_refresh() {
    let mut world = World::expired_session();
    world.refresher.answer_next([unavailable()]);
    assert_eq!(world.call(), Ok("data"));
    assert_eq!(world.refreshes(), 2);
    assert_eq!(world.coordinator.status().refreshes, 1);
}

#[test]
fn regression_retry_budget_resets_after_a_successful_refresh() {
    let mut world = World::expired_session();
    world
        .refresher
        .answer_next([unavailable(), unavailable(), Ok(())]);
    assert_eq!(world.call(), Ok("data"));

    world.server.expire_all();
    world
        .refresher
        .answer_next([unavailable(), unavailable(), Ok(())]);
    assert_eq!(
        world.call(),
        Ok("data"),
        "a second expiry gets the full budget again"
    );
    assert_eq!(world.refreshes(), 6);
}

#[test]
fn regression_two_expiries_in_one_session_both_refresh_silently() {
    let mut world = World::expired_session();
    assert_eq!(world.call(), Ok("data"));
    world.server.expire_all();
    assert_eq!(world.call(), Ok("data"));
    world.server.expire_all();
    assert_eq!(world.call(), Ok("data"));

    assert_eq!(world.refreshes(), 3);
    assert_eq!(world.store.sessions_ended(), 0);
    assert_eq!(world.coordinator.status().refreshes, 3);
}

#[test]
fn regression_a_replayed_request_that_gets_401_again_is_not_replayed_again() {
    let mut world = World::expired_session();
    let outcome = world.pool.run_until(world.coordinator.send(|token| {
        world.server.calls.set(world.server.calls.get() + 1);
        let _ = token;
        future::ready(Err::<(), _>(CallError::Unauthorized))
    }));
    assert_eq!(outcome, Err(CallError::Unauthorized));
    assert_eq!(world.server.calls.get(), 2, "sent once, replayed once");
    assert_eq!(world.refreshes(), 1);
}

#[test]
fn regression_a_401_for_an_old_token_generation_is_replayed_without_a_refresh() {
    let mut world = World::expired_session();
    let (answer_late, late) = oneshot::channel::<()>();
    let late_outcome = Rc::new(RefCell::new(None));

    // A slow call leaves with the expired token and is answered after the
    // refresh that a faster call starts.
    {
        let coordinator = world.coordinator.clone();
        let server = Rc::clone(&world.server);
        let late = late.shared();
        let outcome = Rc::clone(&late_outcome);
        world
            .pool
            .spawner()
            .spawn_local(async move {
                let result = coordinator
                    .send(|token| {
                        let server = Rc::clone(&server);
                        let late = late.clone();
                        async move {
                            let _ = late.await;
                            server.answer(token).await
                        }
                    })
                    .await;
                *outcome.borrow_mut() = Some(result);
            })
            .expect("the pool is alive");
    }
    world.pool.run_until_stalled();
    let fast = world.spawn_calls(1);
    world.pool.run_until_stalled();
    assert_eq!(*fast.borrow(), [Ok("data")]);
    assert_eq!(world.refreshes(), 1);

    answer_late.send(()).expect("the slow call waits");
    world.pool.run();
    assert_eq!(*late_outcome.borrow(), Some(Ok("data")));
    assert_eq!(world.refreshes(), 1, "the stale 401 cost no refresh");
}

#[test]
fn regression_missing_refresh_token_means_logged_out_without_a_network_call() {
    let mut world = World::with_store(FakeStore::logged_in("expired", None));
    let release = world.server.hold();
    let outcomes = world.spawn_calls(5);
    world.pool.run_until_stalled();
    release.send(()).expect("the calls wait");
    world.pool.run();

    assert_eq!(world.refreshes(), 0);
    assert!(all_rejected(&outcomes));
    assert_eq!(world.store.sessions_ended(), 1);
    assert_eq!(
        world.server.calls.get(),
        5,
        "nothing is replayed with an empty token"
    );
}

#[test]
fn logout_during_a_refresh_rejects_the_waiters_and_discards_the_result() {
    let mut world = World::expired_session();
    let (release, outcomes) = world.calls_waiting_on_a_held_refresh(3);

    world.store.log_out();
    world.coordinator.abandon();
    world.pool.run_until_stalled();
    assert_eq!(outcomes.borrow().len(), 3, "waiters settle at once");
    assert!(all_rejected(&outcomes));

    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(
        world.store.snapshot().access_token,
        None,
        "result discarded"
    );
    assert_eq!(
        world.coordinator.status(),
        RefreshStatus {
            unauthorized: 1,
            ..RefreshStatus::default()
        },
        "nothing in flight, only the first call's 401 on record"
    );
}

#[test]
fn a_session_change_during_a_refresh_discards_its_result_even_without_abandon() {
    let mut world = World::expired_session();
    let (release, outcomes) = world.calls_waiting_on_a_held_refresh(2);

    world.store.log_out();
    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert!(all_rejected(&outcomes));
    assert_eq!(world.store.snapshot().access_token, None);
    assert_eq!(
        world.store.sessions_ended(),
        0,
        "the user logged out, not expired"
    );
}

#[test]
fn a_call_sent_in_one_session_is_never_replayed_in_the_next() {
    let mut world = World::expired_session();
    let release = world.server.hold();
    let outcomes = world.spawn_calls(1);
    world.pool.run_until_stalled();

    // The user logs out and someone else logs in while the call is out.
    world.store.log_out();
    world.store.log_in("bob-expired", "bob-refresh");
    release.send(()).expect("the call waits");
    world.pool.run();

    assert_eq!(
        *outcomes.borrow(),
        [Err(CallError::Refresh(RefreshError::Rejected))]
    );
    assert_eq!(world.server.calls.get(), 1, "not replayed with bob's token");
    assert_eq!(world.refreshes(), 0);
}

#[test]
fn calls_still_waiting_for_their_turn_are_never_sent_in_the_next_session() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    let answer = world.server.hold();
    let outcomes = world.spawn_calls(10);
    world.pool.run_until_stalled();
    assert_eq!(world.server.arrived.get(), 6, "four wait for their turn");

    world.store.log_out();
    world.store.log_in("bob-expired", "bob-refresh");
    answer.send(()).expect("the calls are out");
    world.pool.run();
    assert_eq!(outcomes.borrow().len(), 10);
    assert!(all_rejected(&outcomes));
    assert_eq!(
        world.server.arrived.get(),
        6,
        "nothing left with bob's token"
    );
    assert_eq!(world.refreshes(), 0);
}

#[test]
fn a_401_in_a_new_session_does_not_wait_for_the_old_sessions_refresh() {
    let mut world = World::expired_session();
    let (release, alice) = world.calls_waiting_on_a_held_refresh(1);
    assert_eq!(world.refreshes(), 1);

    // Another tab logged in as bob; bob's token has expired too.
    world.store.log_in("bob-expired", "bob-refresh");
    let bob = world.spawn_calls(1);
    world.pool.run_until_stalled();
    assert_eq!(
        *alice.borrow(),
        [Err(CallError::Refresh(RefreshError::Rejected))]
    );
    assert_eq!(world.refreshes(), 2, "bob's own refresh");

    release.send(()).expect("the refreshes wait");
    world.pool.run();
    assert_eq!(*bob.borrow(), [Ok("data")]);
    assert_eq!(
        world
            .store
            .snapshot()
            .grant
            .map(|g| g.refresh_token)
            .as_deref(),
        Some("refresh-2"),
        "bob's refresh is the one kept"
    );
}

#[test]
fn an_abandoned_refresh_makes_no_further_attempt() {
    let mut world = World::expired_session();
    world
        .refresher
        .answer_next([unavailable(), unavailable(), unavailable()]);
    let (release, _) = world.calls_waiting_on_a_held_refresh(1);

    world.store.log_out();
    world.coordinator.abandon();
    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(world.refreshes(), 1, "no retry after logout");
    assert!(world.runtime.slept().is_empty());
}

#[test]
fn tokens_refreshed_by_another_tab_during_a_refresh_do_not_fail_the_waiters() {
    let mut world = World::expired_session();
    let (release, outcomes) = world.calls_waiting_on_a_held_refresh(3);

    world
        .store
        .adopt_refreshed(&world.server, "from-the-other-tab");
    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(*outcomes.borrow(), [Ok("data"), Ok("data"), Ok("data")]);
    assert_eq!(world.store.sessions_ended(), 0);
}

#[test]
fn a_cancelled_call_does_not_strand_the_others() {
    let mut world = World::expired_session();
    let release = world.refresher.hold();
    // The call that starts the refresh is cancelled (its page went away).
    let (first, handle) = {
        let coordinator = world.coordinator.clone();
        let server = Rc::clone(&world.server);
        async move { coordinator.send(|token| server.answer(token)).await }.remote_handle()
    };
    world
        .pool
        .spawner()
        .spawn_local(first)
        .expect("the pool is alive");
    world.pool.run_until_stalled();
    drop(handle);
    let outcomes = world.spawn_calls(2);
    world.pool.run_until_stalled();

    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(*outcomes.borrow(), [Ok("data"), Ok("data")]);
    assert_eq!(world.refreshes(), 1);
}

#[test]
fn an_anonymous_401_is_returned_as_is() {
    let mut world = World::with_store(FakeStore::default());
    assert_eq!(world.call(), Err(CallError::Unauthorized));
    assert_eq!(world.refreshes(), 0);
    assert_eq!(world.store.sessions_ended(), 0);
}

#[test]
fn backoff_doubles_from_the_first_pause() {
    let policy = RetryPolicy {
        max_attempts: 5,
        first_backoff: Duration::from_millis(100),
    };
    let pauses: Vec<u128> = (1..5)
        .map(|a| policy.backoff_after(a).as_millis())
        .collect();
    assert_eq!(pauses, [100, 200, 400, 800]);
}

#[test]
fn a_call_after_the_known_expiry_waits_for_a_refresh_instead_of_meeting_a_401() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    world.store.expires_at(world.runtime.now_ms() + 10_000);
    // The machine sleeps past the expiry.
    world.runtime.advance(60_000);

    assert_eq!(world.call(), Ok("data"));
    assert_eq!(world.refreshes(), 1);
    assert_eq!(world.server.calls.get(), 1, "sent once, with the new token");
    assert_eq!(world.coordinator.status().unauthorized, 0);
    assert!(
        world
            .statuses
            .borrow()
            .iter()
            .any(|s| s.trigger == Some(RefreshTrigger::Expired)),
        "the refresh is reported as started by the expiry"
    );
}

#[test]
fn a_call_before_the_known_expiry_leaves_at_once() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    world.store.expires_at(world.runtime.now_ms() + 10_000);
    assert_eq!(world.call(), Ok("data"), "replayed after its 401");
    assert_eq!(world.coordinator.status().unauthorized, 1);
    assert_eq!(world.server.calls.get(), 2);
}

#[test]
fn a_proactive_refresh_is_shared_by_the_calls_that_start_meanwhile() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    let release = world.refresher.hold();
    world.coordinator.refresh_ahead();
    world.coordinator.refresh_ahead();
    let outcomes = world.spawn_calls(3);
    world.pool.run_until_stalled();
    assert_eq!(world.refreshes(), 1, "one refresh, however often asked");
    assert!(outcomes.borrow().is_empty(), "the calls wait for it");
    assert_eq!(world.coordinator.status().waiting, 3);
    assert_eq!(
        world.coordinator.status().trigger,
        Some(RefreshTrigger::Proactive),
        "the calls joining it do not change why it started"
    );

    release.send(()).expect("the refresher waits");
    world.pool.run();
    assert_eq!(*outcomes.borrow(), [Ok("data"), Ok("data"), Ok("data")]);
    assert_eq!(world.server.calls.get(), 3, "no call met a 401");
    assert_eq!(world.coordinator.status().unauthorized, 0);
}

#[test]
fn a_proactive_refresh_needs_a_session() {
    let mut world = World::with_store(FakeStore::default());
    world.coordinator.refresh_ahead();
    world.pool.run();
    assert_eq!(world.refreshes(), 0);
    let store = FakeStore::logged_in("access", None);
    let mut world = World::with_store(store);
    world.coordinator.refresh_ahead();
    world.pool.run();
    assert_eq!(world.refreshes(), 0, "nothing to refresh with");
}

#[test]
fn after_a_failed_refresh_the_proactive_one_backs_off_until_retry_now() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    world
        .refresher
        .answer_next([unavailable(), unavailable(), unavailable()]);
    world.coordinator.refresh_ahead();
    world.pool.run();
    assert_eq!(world.refreshes(), 3, "one refresh, its whole retry budget");
    let status = world.coordinator.status();
    assert_eq!(status.failures, 1);
    let retry_at = status.retry_at_ms.expect("a back-off");
    assert!(retry_at > world.runtime.now_ms());

    world.coordinator.refresh_ahead();
    world.pool.run();
    assert_eq!(world.refreshes(), 3, "backing off");

    world.coordinator.retry_now();
    world.coordinator.refresh_ahead();
    world.pool.run();
    assert_eq!(world.refreshes(), 4, "online again: at once");
    let status = world.coordinator.status();
    assert_eq!(
        (status.failures, status.retry_at_ms),
        (0, None),
        "reset by the success"
    );
}

#[test]
fn a_call_that_succeeds_ends_the_back_off() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    world
        .refresher
        .answer_next([unavailable(), unavailable(), unavailable()]);
    assert!(matches!(
        world.call(),
        Err(CallError::Refresh(RefreshError::Unavailable(_)))
    ));
    assert_eq!(world.coordinator.status().failures, 1);

    world.server.valid.borrow_mut().insert("expired".into());
    assert_eq!(world.call(), Ok("data"));
    let status = world.coordinator.status();
    assert_eq!((status.failures, status.retry_at_ms), (0, None));
}

#[test]
fn a_keep_alive_check_refreshes_when_due_and_a_hidden_failing_tab_waits_to_be_shown() {
    let mut world = World::with_store(FakeStore::logged_in("expired", Some("refresh-0")));
    world.coordinator.keep_alive(KeepAliveCheck::default());
    world.pool.run();
    assert_eq!(world.refreshes(), 0, "not due, nothing failing");

    world
        .refresher
        .answer_next([unavailable(), unavailable(), unavailable()]);
    world.coordinator.keep_alive(KeepAliveCheck {
        refresh_due: true,
        ..KeepAliveCheck::default()
    });
    world.pool.run();
    assert_eq!(world.refreshes(), 3, "one refresh, its retry budget spent");

    let hidden_and_back = KeepAliveCheck {
        came_back: true,
        hidden: true,
        ..KeepAliveCheck::default()
    };
    world.coordinator.keep_alive(hidden_and_back);
    world.pool.run();
    assert_eq!(world.refreshes(), 3, "a hidden failing tab does not retry");

    world.coordinator.keep_alive(KeepAliveCheck {
        came_back: true,
        ..KeepAliveCheck::default()
    });
    world.pool.run();
    assert_eq!(
        world.refreshes(),
        4,
        "shown again: at once, back-off or not"
    );
    assert_eq!(world.coordinator.status().failures, 0);
}

#[test]
fn a_403_is_counted_and_reported_and_costs_no_refresh() {
    let mut world = World::with_store(FakeStore::logged_in("access-0", Some("refresh-0")));
    let answer = world.pool.run_until(
        world
            .coordinator
            .send(|_| async { Err::<(), _>(CallError::Forbidden) }),
    );
    assert_eq!(answer, Err(CallError::Forbidden), "returned as is");
    assert_eq!(world.refreshes(), 0);
    let status = world.coordinator.status();
    assert_eq!((status.forbidden, status.unauthorized), (1, 0));
    assert_eq!(
        world.statuses.borrow().last().map(|s| s.forbidden),
        Some(1),
        "the listener hears of it at once"
    );
    assert_eq!(status.trigger, None, "nothing in flight");
}
