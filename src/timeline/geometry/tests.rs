use super::*;

const MIN: f64 = 60_000.0;

fn window() -> Window {
    Window {
        end_ms: 10.0 * MIN,
        span_ms: 10.0 * MIN,
    }
}

fn token(expires_at_ms: f64, source: TokenSource) -> Event {
    Event::Token {
        expires_at_ms: Some(expires_at_ms),
        source,
    }
}

#[test]
fn positions_scale_with_the_window_and_stay_on_the_lane() {
    let w = window();
    assert_eq!(w.x(0.0), 0.0);
    assert_eq!(w.x(5.0 * MIN), 500.0);
    assert_eq!(w.x(-MIN), 0.0, "before the window: its left edge");
    assert_eq!(w.x(11.0 * MIN), WIDTH, "after it: its right edge");
    let zoomed = Window { span_ms: MIN, ..w };
    assert_eq!(zoomed.x(9.5 * MIN), 500.0);
}

#[test]
fn tokens_last_until_expiry_or_logout_and_alternate_rows() {
    let mut log = EventLog::default();
    log.push(MIN, token(MIN + 30_000.0, TokenSource::Login));
    log.push(MIN + 24_000.0, token(MIN + 54_000.0, TokenSource::Refresh));
    log.push(
        MIN + 40_000.0,
        Event::Logout {
            reason: LogoutReason::ThisTab,
        },
    );
    let marks = marks(&log, window());
    let tokens: Vec<(f64, f64, u8)> = marks
        .iter()
        .filter(|m| m.lane == Lane::Tokens)
        .map(|m| (m.start_ms, m.end_ms, m.row))
        .collect();
    assert_eq!(
        tokens,
        [
            (MIN, MIN + 30_000.0, 0),
            (MIN + 24_000.0, MIN + 40_000.0, 1),
        ],
        "the second cut at the logout; overlapping tokens on two rows"
    );
    assert_eq!(marks[0].width, 50.0, "30 s of 10 min");
    assert_eq!(marks.last().unwrap().kind(), "logout");
    assert_eq!(
        marks.last().unwrap().width,
        MIN_WIDTH,
        "an instant can be seen"
    );

    log.push(9.5 * MIN, token(10.5 * MIN, TokenSource::Login));
    let last = super::marks(&log, window()).pop().unwrap();
    assert_eq!(last.end_ms, 10.5 * MIN, "its own expiry, past the window");
    assert_eq!(
        (last.x, last.width),
        (950.0, 50.0),
        "drawn up to the window's edge"
    );
}

#[test]
fn only_what_overlaps_the_window_is_drawn() {
    let mut log = EventLog::default();
    log.push(0.0, Event::Unauthorized);
    log.push(5.0 * MIN, Event::Forbidden);
    let zoomed = Window {
        end_ms: 10.0 * MIN,
        span_ms: MIN,
    };
    assert!(marks(&log, zoomed).is_empty());
    assert_eq!(marks(&log, window()).len(), 2);
}

#[test]
fn waiting_calls_are_steps_against_the_peak_and_periods_end_when_they_end() {
    let mut log = EventLog::default();
    log.push(MIN, Event::Offline);
    log.push(2.0 * MIN, Event::Online);
    log.push(3.0 * MIN, Event::Waiting { calls: 10 });
    log.push(3.0 * MIN + 100.0, Event::Waiting { calls: 40 });
    log.push(3.0 * MIN + 500.0, Event::Waiting { calls: 0 });
    log.push(
        4.0 * MIN,
        Event::Backoff {
            until_ms: 6.0 * MIN,
            failures: 2,
        },
    );
    log.push(
        5.0 * MIN,
        Event::Refresh {
            trigger: Some(Trigger::Proactive),
            tab: Tab::This,
            duration_ms: 80.0,
            outcome: RefreshOutcome::Refreshed,
        },
    );
    let marks = marks(&log, window());
    let summary: Vec<(&str, f64, f64, f64)> = marks
        .iter()
        .map(|m| (m.kind(), m.start_ms, m.end_ms, m.level))
        .collect();
    assert_eq!(
        summary,
        [
            ("offline", MIN, 2.0 * MIN, 1.0),
            ("waiting", 3.0 * MIN, 3.0 * MIN + 100.0, 0.25),
            ("waiting", 3.0 * MIN + 100.0, 3.0 * MIN + 500.0, 1.0),
            ("backoff", 4.0 * MIN, 5.0 * MIN, 1.0),
            ("refresh", 5.0 * MIN, 5.0 * MIN + 80.0, 1.0),
        ],
        "coming online and no calls waiting are no marks; the back-off ends with the refresh that worked"
    );
}

#[test]
fn the_refresh_under_way_is_drawn_up_to_now() {
    let mut log = EventLog::default();
    log.observe(
        silent_refresh_core::RefreshStatus {
            refreshing: true,
            trigger: Some(silent_refresh_core::RefreshTrigger::Unauthorized),
            ..Default::default()
        },
        9.0 * MIN,
    );
    let marks = marks(&log, window());
    assert_eq!(marks.len(), 1);
    assert!(marks[0].is_in_flight());
    assert_eq!((marks[0].x, marks[0].width), (900.0, 100.0));
    assert_eq!(marks[0].variant(), "reactive");
    assert!(describe(&marks[0], Locale::En, 0.0).ends_with("in flight"));
}

#[test]
fn every_mark_reads_in_words_in_both_languages() {
    let refresh = Mark {
        seq: 1,
        lane: Lane::Refreshes,
        start_ms: 3_723_000.0,
        end_ms: 3_723_042.0,
        x: 0.0,
        width: MIN_WIDTH,
        level: 1.0,
        row: 0,
        event: Event::Refresh {
            trigger: Some(Trigger::Unauthorized),
            tab: Tab::This,
            duration_ms: 42.0,
            outcome: RefreshOutcome::Refreshed,
        },
    };
    assert_eq!(
        describe(&refresh, Locale::En, 0.0),
        "Refresh · after a 401 · this tab · 01:02:03 · 42 ms · new tokens"
    );
    assert_eq!(
        describe(&refresh, Locale::ZhCn, 8.0 * 3_600_000.0),
        "刷新 · 因 401 触发 · 本标签页 · 09:02:03 · 42 ms · 已获得新令牌"
    );
    let token = Mark {
        lane: Lane::Tokens,
        end_ms: 3_753_000.0,
        event: token(3_753_000.0, TokenSource::OtherTab),
        ..refresh
    };
    assert_eq!(
        describe(&token, Locale::En, 0.0),
        "Access token · from another tab · 01:02:03 → 01:02:33 (30 s)"
    );
}

#[test]
fn ticks_fall_on_whole_steps_of_local_time() {
    let w = Window {
        end_ms: 10.0 * MIN + 30_000.0,
        span_ms: MIN,
    };
    let seconds = ticks(w, 20_000.0, 0.0);
    let labels: Vec<&str> = seconds.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["00:09:40", "00:10:00", "00:10:20"]);
    assert!((seconds[0].0 - 1000.0 / 6.0).abs() < 1e-9);
    let hour = Window {
        end_ms: 60.0 * MIN,
        span_ms: 60.0 * MIN,
    };
    let half_hour_ahead = ticks(hour, 10.0 * MIN, 30.0 * MIN);
    assert_eq!(half_hour_ahead.first().unwrap().1, "00:30", "HH:MM");
    assert_eq!(half_hour_ahead.len(), 7);
}
