use super::*;

fn status(f: impl FnOnce(&mut RefreshStatus)) -> RefreshStatus {
    let mut status = RefreshStatus::default();
    f(&mut status);
    status
}

fn kinds(log: &EventLog) -> Vec<&Event> {
    log.entries().map(|e| &e.event).collect()
}

#[test]
fn the_ring_keeps_the_latest_events_and_numbers_on() {
    let mut log = EventLog::with_capacity(3);
    for i in 0..10 {
        log.push(f64::from(i), Event::Unauthorized);
    }
    let seqs: Vec<u64> = log.entries().map(|e| e.seq).collect();
    assert_eq!(seqs, [8, 9, 10], "bounded, the oldest dropped first");
    let mut full = EventLog::default();
    for i in 0..(CAPACITY as u32 * 3) {
        full.observe(status(|s| s.unauthorized = u64::from(i) + 1), f64::from(i));
    }
    assert_eq!(
        full.entries().count(),
        CAPACITY,
        "no growth over a long session"
    );
    assert_eq!(
        std::mem::size_of::<Entry>(),
        40,
        "an event takes 40 bytes: the ring at most 80 KiB"
    );
}

#[test]
fn a_refresh_after_a_401_is_one_span_with_its_trigger_duration_and_outcome() {
    let mut log = EventLog::default();
    log.observe(
        status(|s| {
            s.unauthorized = 2;
            s.refreshing = true;
            s.trigger = Some(RefreshTrigger::Unauthorized);
            s.waiting = 1;
        }),
        1_000.0,
    );
    assert_eq!(
        log.refresh_in_flight(),
        Some((1_000.0, Some(Trigger::Unauthorized)))
    );
    log.observe(
        status(|s| {
            s.unauthorized = 2;
            s.refreshing = true;
            s.trigger = Some(RefreshTrigger::Unauthorized);
            s.waiting = 5;
        }),
        1_020.0,
    );
    log.observe(
        status(|s| {
            s.unauthorized = 2;
            s.refreshes = 1;
        }),
        1_042.0,
    );
    assert_eq!(log.refresh_in_flight(), None);
    assert_eq!(
        kinds(&log),
        [
            &Event::Unauthorized,
            &Event::Unauthorized,
            &Event::Waiting { calls: 5 },
            &Event::Refresh {
                trigger: Some(Trigger::Unauthorized),
                tab: Tab::This,
                duration_ms: 42.0,
                outcome: RefreshOutcome::Refreshed,
            },
            &Event::Waiting { calls: 0 },
        ]
    );
    let refresh = log.entries().nth(3).unwrap();
    assert_eq!(refresh.at_ms, 1_000.0, "drawn from its start");
}

#[test]
fn a_failed_refresh_records_the_back_off_and_a_refused_one_ends() {
    let mut log = EventLog::default();
    let refreshing = status(|s| {
        s.refreshing = true;
        s.trigger = Some(RefreshTrigger::Proactive);
    });
    log.observe(refreshing, 0.0);
    log.observe(
        status(|s| {
            s.failures = 1;
            s.retry_at_ms = Some(5_000);
        }),
        300.0,
    );
    let retrying = status(|s| {
        s.refreshing = true;
        s.trigger = Some(RefreshTrigger::Proactive);
        s.failures = 1;
        s.retry_at_ms = Some(5_000);
    });
    log.observe(retrying, 6_000.0);
    log.observe(
        status(|s| {
            s.failures = 1;
            s.retry_at_ms = Some(5_000);
        }),
        6_100.0,
    );
    assert_eq!(
        kinds(&log),
        [
            &Event::Refresh {
                trigger: Some(Trigger::Proactive),
                tab: Tab::This,
                duration_ms: 300.0,
                outcome: RefreshOutcome::Failed,
            },
            &Event::Backoff {
                until_ms: 5_000.0,
                failures: 1
            },
            &Event::Refresh {
                trigger: Some(Trigger::Proactive),
                tab: Tab::This,
                duration_ms: 100.0,
                outcome: RefreshOutcome::Ended,
            },
        ]
    );
}

#[test]
fn a_burst_of_waiting_calls_is_a_few_samples_at_its_peak() {
    let mut log = EventLog::default();
    for calls in 1..=5_000 {
        // 5000 calls join within 50 ms.
        log.observe(
            status(|s| s.waiting = calls),
            f64::from(calls as u32) / 100.0,
        );
    }
    log.observe(RefreshStatus::default(), 80.0);
    assert_eq!(
        kinds(&log),
        [
            &Event::Waiting { calls: 5_000 },
            &Event::Waiting { calls: 0 }
        ]
    );
}

#[test]
fn the_json_report_names_each_event_and_its_fields() {
    let mut log = EventLog::default();
    log.push(
        1.5,
        Event::Token {
            expires_at_ms: Some(30_001.5),
            source: TokenSource::Login,
        },
    );
    log.push(
        2.0,
        Event::Logout {
            reason: LogoutReason::OtherTab,
        },
    );
    let report: serde_json::Value = serde_json::from_str(&log.to_json()).unwrap();
    assert_eq!(report["capacity"], CAPACITY);
    assert_eq!(
        report["events"],
        serde_json::json!([
            {"seq": 1, "atMs": 1.5, "kind": "token", "expiresAtMs": 30001.5, "source": "login"},
            {"seq": 2, "atMs": 2.0, "kind": "logout", "reason": "otherTab"},
        ])
    );
}
