use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use tokio::task::JoinSet;

use crate::domain::rate_limit::{ADDRESS_FREE_FAILURES, NAME_FREE_FAILURES, PAIR_FREE_FAILURES};
use crate::domain::sessions::MAX_USER_NAME_CHARS;
use crate::http::BODY_LIMIT;
use crate::http::testing::{TestApp, TestResponse};

const SUMMARY: &str = "/api/app/dashboard/summary";

#[tokio::test]
async fn login_returns_a_working_token_pair() {
    let app = TestApp::new();
    let response = app.login_from(None, "alice", "alice123").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(response.header(header::PRAGMA), Some("no-cache"));
    let body = response.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["expiresIn"], 30);
    let refresh = body["refreshToken"].as_str().unwrap_or_default();
    assert_eq!(refresh.len(), 43, "256 bits in base64url");
    let token = body["token"].as_str().unwrap_or_default();
    let config = app
        .get("/api/abp/application-configuration", Some(token))
        .await
        .json();
    assert_eq!(config["currentUser"]["userName"], "alice");
    assert_eq!(config["currentUser"]["id"], body["userId"]);
}

#[tokio::test]
async fn token_answers_say_what_is_left_of_the_refresh_tokens_lifetime() {
    let app = TestApp::with(|c| c.refresh_ttl = Duration::from_secs(3_600));
    let login = app.login_from(None, "alice", "alice123").await.json();
    assert_eq!(login["refreshExpiresIn"], 3_600);

    app.time.advance(Duration::from_secs(600));
    let user = login["userId"].as_str().unwrap_or_default();
    let refresh = login["refreshToken"].as_str().unwrap_or_default();
    let rotated = app.refresh(user, refresh).await.json();
    assert_eq!(
        rotated["refreshExpiresIn"], 3_000,
        "rotation never extends the absolute lifetime"
    );
}

#[tokio::test]
async fn expires_in_rounds_partial_seconds_up() {
    let app = TestApp::with(|c| c.access_ttl = Duration::from_millis(1500));
    let response = app.login_from(None, "alice", "alice123").await;
    assert_eq!(response.json()["expiresIn"], 2);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = TestApp::new();
    for (user, password) in [("alice", "wrong"), ("nobody", "alice123"), ("", "")] {
        let response = app.login_from(None, user, password).await;
        let error = response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(error["message"], "Invalid username or password!");
        assert!(response.json().get("token").is_none());
    }
}

#[tokio::test]
async fn user_names_are_case_insensitive() {
    let app = TestApp::new();
    assert_eq!(
        app.login_from(None, "ALICE", "alice123").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login_from(None, "alice", "ALICE123").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn failed_logins_are_limited_per_user_name() {
    let app = TestApp::new();
    for _ in 0..5 {
        assert_eq!(
            app.login_from(None, "alice", "nope").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    app.time.advance(Duration::from_secs(15));
    let limited = app.login_from(None, "Alice", "nope").await;
    limited.assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert_eq!(limited.header(header::RETRY_AFTER), Some("45"));
    // Other names are not affected, and the limit lifts after the window.
    assert_eq!(
        app.login_from(None, "admin", "nope").await.status,
        StatusCode::UNAUTHORIZED
    );
    app.time.advance(Duration::from_secs(61));
    assert_eq!(
        app.login_from(None, "alice", "nope").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn failed_logins_are_limited_per_address() {
    let app = TestApp::new();
    let attacker = Some(SocketAddr::from(([10, 0, 0, 1], 5000)));
    let other = Some(SocketAddr::from(([10, 0, 0, 2], 5000)));
    for i in 0..ADDRESS_FREE_FAILURES {
        let name = format!("guess{i}");
        assert_eq!(
            app.login_from(attacker, &name, "x").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login_from(attacker, "guess99", "x").await;
    limited.assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert_eq!(limited.header(header::RETRY_AFTER), Some("60"));
    assert_eq!(
        app.login_from(other, "guess99", "x").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn successful_logins_do_not_count_towards_the_failure_limit() {
    let app = TestApp::new();
    let peer = Some(SocketAddr::from(([127, 0, 0, 1], 4000)));
    for _ in 0..8 {
        assert_eq!(
            app.login_from(peer, "alice", "alice123").await.status,
            StatusCode::OK
        );
    }
    for _ in 0..5 {
        assert_eq!(
            app.login_from(peer, "alice", "bad").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login_from(peer, "alice", "bad").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Once locked out, the right password is refused as well from there.
    app.login_from(peer, "alice", "alice123")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

#[tokio::test]
async fn a_locked_out_login_gets_429_whatever_the_password_without_a_password_check() {
    let app = TestApp::new();
    let attacker = Some(SocketAddr::from(([10, 0, 0, 1], 5000)));
    let owner = Some(SocketAddr::from(([10, 0, 0, 2], 5000)));
    for _ in 0..5 {
        app.login_from(attacker, "alice", "guess")
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    app.time.advance(Duration::from_secs(20));
    // Take every password check slot: a login that reached the password
    // check would now wait forever, so answering proves it never did.
    let slots = app.state.sessions.password_check_slots();
    let all = u32::try_from(slots.available_permits()).expect("a few permits");
    let held = slots.acquire_many_owned(all).await.expect("permits");
    for password in ["guess", "alice123"] {
        let locked = tokio::time::timeout(
            Duration::from_secs(5),
            app.login_from(attacker, "ALICE", password),
        )
        .await
        .expect("answered without a password check");
        let error = locked.assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        assert_eq!(locked.header(header::RETRY_AFTER), Some("40"));
        assert_eq!(
            error["message"],
            "Too many failed login attempts. Try again in 40 seconds."
        );
        assert!(locked.json().get("token").is_none());
    }
    drop(held);
    // The owner, elsewhere, is not locked out at all.
    assert_eq!(
        app.login_from(owner, "alice", "alice123").await.status,
        StatusCode::OK
    );
    // Refused attempts do not extend the lockout: it ends on time.
    app.time.advance(Duration::from_secs(39));
    assert_eq!(
        app.login_from(attacker, "alice", "alice123").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.time.advance(Duration::from_secs(1));
    assert_eq!(
        app.login_from(attacker, "alice", "alice123").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn overlong_user_names_are_refused_and_not_counted() {
    let app = TestApp::new();
    let peer = Some(SocketAddr::from(([10, 0, 0, 1], 5000)));
    for _ in 0..10 {
        let name = "a".repeat(MAX_USER_NAME_CHARS + 1);
        let response = app.login_from(peer, &name, "x").await;
        let error = response.assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
        assert_eq!(error["validationErrors"][0]["members"], json!(["userName"]));
    }
    // Characters, not bytes, are counted.
    let longest = "ü".repeat(MAX_USER_NAME_CHARS);
    app.login_from(peer, &longest, "x")
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    // None of the refused names counted against the address: it has all
    // but one of its free failures left.
    for i in 1..ADDRESS_FREE_FAILURES {
        app.login_from(peer, &format!("nobody{i}"), "x")
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    app.login_from(peer, "nobody", "x")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

fn addr(last: u8) -> Option<SocketAddr> {
    Some(SocketAddr::from(([198, 51, 100, last], 40_000)))
}

/// Five failures for alice from five addresses locked her
/// out everywhere for a minute.
#[tokio::test]
async fn failures_from_other_addresses_do_not_lock_the_real_user_out() {
    let app = TestApp::new();
    for i in 1..=5 {
        app.login_from(addr(i), "alice", "guess")
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let owner = app.login_from(addr(6), "alice", "alice123").await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text());
}

/// One burst of 50 guesses locked admin out. Now it stops
/// the guesser, right password included, and nobody else.
#[tokio::test]
async fn a_burst_of_guesses_stops_the_guesser_not_the_user() {
    let app = TestApp::new();
    let guesser = addr(66);
    let mut statuses = Vec::new();
    for i in 0..50 {
        statuses.push(
            app.login_from(guesser, "admin", &format!("guess{i}"))
                .await
                .status,
        );
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 45), "{statuses:?}");
    // Stopped: even the right password is refused from there ...
    app.login_from(guesser, "admin", "admin123")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // ... while the real admin, elsewhere, gets in at once.
    let owner = app.login_from(addr(1), "admin", "admin123").await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text());
}

/// Each lockout of a guesser is twice the one before, up to
/// a quarter of an hour.
#[tokio::test]
async fn a_guesser_is_slowed_progressively() {
    let app = TestApp::new();
    let guesser = addr(66);
    for _ in 0..5 {
        app.login_from(guesser, "alice", "guess").await;
    }
    for expected in [60, 120, 240, 480, 900, 900] {
        let locked = app.login_from(guesser, "alice", "guess").await;
        locked.assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        assert_eq!(
            locked.header(header::RETRY_AFTER),
            Some(&*expected.to_string())
        );
        app.time.advance(Duration::from_secs(expected - 1));
        assert_eq!(
            app.login_from(guesser, "alice", "guess").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        app.time.advance(Duration::from_secs(1));
        app.login_from(guesser, "alice", "guess")
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // A quiet hour and the slate is clean.
    app.time.advance(Duration::from_secs(3600));
    for _ in 0..5 {
        app.login_from(guesser, "alice", "guess")
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
}

/// A guesser with many addresses meets the per-name ceiling;
/// a real user at an address they have logged in from still gets in.
#[tokio::test]
async fn the_per_name_ceiling_spares_addresses_the_user_logged_in_from() {
    let app = TestApp::new();
    let home = addr(250);
    assert_eq!(
        app.login_from(home, "alice", "alice123").await.status,
        StatusCode::OK
    );
    for bot in 0..NAME_FREE_FAILURES / PAIR_FREE_FAILURES {
        for _ in 0..PAIR_FREE_FAILURES {
            let peer = Some(SocketAddr::from((
                [203, 0, 113, u8::try_from(bot).expect("few")],
                1,
            )));
            app.login_from(peer, "alice", "guess")
                .await
                .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        }
    }
    // A new address must wait, whatever the password ...
    app.login_from(addr(7), "alice", "alice123")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // ... but alice at home gets in, and other users are untouched.
    assert_eq!(
        app.login_from(home, "alice", "alice123").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login_from(addr(7), "admin", "admin123").await.status,
        StatusCode::OK
    );
}

/// Behind a proxy everybody shared the proxy's address, so
/// one guesser locked out all of them.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_limited_alone() {
    let proxy = SocketAddr::from(([10, 0, 0, 1], 443));
    let app = TestApp::with(|c| c.trusted_proxies = vec!["10.0.0.0/30".parse().expect("cidr")]);
    // One client behind the proxy sprays many names ...
    for i in 0..ADDRESS_FREE_FAILURES {
        app.login_via(Some(proxy), Some("203.0.113.9"), &format!("name{i}"), "x")
            .await
            .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    app.login_via(Some(proxy), Some("203.0.113.9"), "nameX", "x")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // ... another client behind it is not affected, nor one whose header
    // passed a second trusted proxy, with a spoofed entry on the left.
    app.login_via(Some(proxy), Some("203.0.113.10"), "nameX", "x")
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let owner = app
        .login_via(
            Some(proxy),
            Some("203.0.113.9, 192.0.2.44, 10.0.0.2"),
            "alice",
            "alice123",
        )
        .await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text());
    // The spoofing client itself is still itself.
    app.login_via(Some(proxy), Some("192.0.2.99, 203.0.113.9"), "nameY", "x")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // A peer that is no trusted proxy cannot pick its address.
    let direct = addr(9);
    for i in 0..ADDRESS_FREE_FAILURES {
        app.login_via(
            direct,
            Some(&format!("192.0.2.{i}")),
            &format!("name{i}"),
            "x",
        )
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    app.login_via(direct, Some("192.0.2.200"), "nameZ", "x")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

/// Each login started a session of its own, without end.
#[tokio::test]
async fn a_login_beyond_max_sessions_ends_the_oldest_session() {
    let app = TestApp::with(|c| c.max_sessions = 3);
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(app.alice().await);
    }
    let admin = app.admin().await;
    let oldest = &sessions[0];
    app.get(SUMMARY, Some(&oldest.token))
        .await
        .assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
    app.refresh(&oldest.user_id, &oldest.refresh_token)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    for session in &sessions[1..] {
        assert_eq!(
            app.get(SUMMARY, Some(&session.token)).await.status,
            StatusCode::OK
        );
    }
    // Rotation keeps a session, it does not start one.
    let rotated = app
        .refresh(&sessions[1].user_id, &sessions[1].refresh_token)
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    for session in &sessions[2..] {
        assert_eq!(
            app.refresh(&session.user_id, &session.refresh_token)
                .await
                .status,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.get(SUMMARY, Some(&admin.token)).await.status,
        StatusCode::OK
    );
}

/// 40 threads made 998 logins in 10.7 s. Now a flood of
/// successful logins is throttled per user and per address.
#[tokio::test]
async fn a_flood_of_successful_logins_is_throttled() {
    let app = TestApp::new();
    let peer = addr(20);
    // The defaults leave a test's handful of logins (and several tabs) alone.
    for _ in 0..10 {
        assert_eq!(
            app.login_from(peer, "alice", "alice123").await.status,
            StatusCode::OK
        );
    }
    let throttled = app.login_from(peer, "alice", "alice123").await;
    let error = throttled.assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_logins");
    assert_eq!(throttled.header(header::RETRY_AFTER), Some("6"));
    assert_eq!(error["message"], "Too many logins. Try again in 6 seconds.");
    // Throttled everywhere (it is alice's), before any password check.
    assert_eq!(
        app.login_from(addr(21), "alice", "wrong").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.login_from(peer, "admin", "admin123").await.status,
        StatusCode::OK
    );
    app.time.advance(Duration::from_secs(6));
    assert_eq!(
        app.login_from(peer, "alice", "alice123").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login_from(peer, "alice", "alice123").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Per address, across users.
    let app = TestApp::with(|c| c.address_logins_per_minute = 3);
    for user in [
        ("alice", "alice123"),
        ("admin", "admin123"),
        ("alice", "alice123"),
    ] {
        assert_eq!(
            app.login_from(peer, user.0, user.1).await.status,
            StatusCode::OK
        );
    }
    app.login_from(peer, "admin", "admin123")
        .await
        .assert_abp_error(StatusCode::TOO_MANY_REQUESTS, "too_many_logins");
    assert_eq!(
        app.login_from(addr(21), "admin", "admin123").await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_cannot_all_slip_past_the_limit() {
    let app = Arc::new(TestApp::new());
    let slots = app.state.sessions.free_password_checks();
    let mut guesses = JoinSet::new();
    for i in 0..24 {
        let app = Arc::clone(&app);
        guesses.spawn(async move {
            app.login_from(None, "alice", &format!("guess{i}"))
                .await
                .status
        });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + limited, statuses.len(), "{statuses:?}");
    // Each slot lets at most one guess past a check that has not yet
    // seen the failures in flight.
    let free = usize::try_from(PAIR_FREE_FAILURES).expect("small");
    assert!(checked >= free, "{checked}");
    assert!(checked < free + slots, "{checked} with {slots} slots");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_with_one_token_let_exactly_one_through() {
    let app = Arc::new(TestApp::new());
    let alice = app.alice().await;
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let mut racers = JoinSet::new();
    for _ in 0..2 {
        let (app, barrier) = (Arc::clone(&app), Arc::clone(&barrier));
        let (user_id, token) = (alice.user_id.clone(), alice.refresh_token.clone());
        racers.spawn(async move {
            barrier.wait().await;
            app.refresh(&user_id, &token).await
        });
    }
    let mut responses = racers.join_all().await;
    responses.sort_by_key(|response| response.status);
    let [winner, loser] = &responses[..] else {
        panic!("two responses");
    };
    assert_eq!(winner.status, StatusCode::OK, "{}", winner.text());
    let error = loser.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        error["message"],
        "The refresh token was already used; the session has been revoked."
    );
    // The loser presented a spent token, which revoked the family: the
    // winner's new refresh token is refused too.
    let newest = winner.refresh_token();
    let after = app.refresh(&alice.user_id, &newest).await;
    let error = after.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(error["message"], "The refresh token has been revoked.");
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_is_refused() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let response = app.refresh(&alice.user_id, &alice.refresh_token).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
    let body = response.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["expiresIn"], 30);
    assert!(body.get("userId").is_none());
    let new_refresh = body["refreshToken"].as_str().unwrap_or_default();
    assert_ne!(new_refresh, alice.refresh_token);
    let token = body["token"].as_str().unwrap_or_default();
    assert_eq!(app.get(SUMMARY, Some(token)).await.status, StatusCode::OK);

    let replay = app.refresh(&alice.user_id, &alice.refresh_token).await;
    replay.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(replay.json()["success"], false);
    assert_eq!(replay.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(replay.header(header::PRAGMA), Some("no-cache"));
}

#[tokio::test]
async fn a_replayed_token_revokes_its_whole_family() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let other_login = app.alice().await;
    let rotated = app
        .refresh(&alice.user_id, &alice.refresh_token)
        .await
        .json();
    let newest = rotated["refreshToken"].as_str().unwrap_or_default();
    app.refresh(&alice.user_id, &alice.refresh_token)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // The newest token of the family is refused too ...
    app.refresh(&alice.user_id, newest)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // ... but another login's family is untouched.
    let other = app
        .refresh(&other_login.user_id, &other_login.refresh_token)
        .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn within_the_grace_period_a_just_rotated_token_gets_a_fresh_pair() {
    let app = TestApp::with(|c| c.reuse_grace = Duration::from_secs(5));
    let alice = app.alice().await;
    let first = app
        .refresh(&alice.user_id, &alice.refresh_token)
        .await
        .json();
    app.time.advance(Duration::from_millis(4_999));
    let again = app.refresh(&alice.user_id, &alice.refresh_token).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_ne!(again.json()["refreshToken"], first["refreshToken"]);
    // Past the grace period the replay counts as reuse.
    app.time.advance(Duration::from_millis(1));
    app.refresh(&alice.user_id, &alice.refresh_token)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    let newest = again.refresh_token();
    app.refresh(&alice.user_id, &newest)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[tokio::test]
async fn a_token_presented_for_another_user_is_refused_without_revoking() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let admin = app.admin().await;
    app.refresh(&admin.user_id, &alice.refresh_token)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    app.refresh("no-such-user", &alice.refresh_token)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        app.refresh(&alice.user_id, &alice.refresh_token)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn rotation_never_extends_the_absolute_lifetime() {
    let app = TestApp::with(|c| c.refresh_ttl = Duration::from_secs(3600));
    let alice = app.alice().await;
    app.time.advance(Duration::from_secs(3599));
    let rotated = app.refresh(&alice.user_id, &alice.refresh_token).await;
    assert_eq!(rotated.status, StatusCode::OK);
    app.time.advance(Duration::from_secs(1));
    let newest = rotated.refresh_token();
    let expired = app.refresh(&alice.user_id, &newest).await;
    let error = expired.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(error["message"], "The refresh token has expired.");
}

#[tokio::test]
async fn refresh_ignores_an_expired_bearer_and_garbage_tokens_are_refused() {
    let app = TestApp::new();
    let alice = app.alice().await;
    app.time.advance(Duration::from_secs(60));
    let body = json!({ "userId": alice.user_id, "refreshToken": alice.refresh_token });
    let response = app
        .post("/api/app/account/refresh-token", Some(&alice.token), body)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    for garbage in ["", "x", "ü", &"a".repeat(5000)] {
        let refused = app.refresh(&alice.user_id, garbage).await;
        refused.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(refused.header(header::CACHE_CONTROL), Some("no-store"));
    }
}

/// Logout demanded a valid bearer, so once the access token
/// had expired it got `401` and the session stayed alive.
#[tokio::test]
async fn logout_needs_only_the_refresh_token_even_after_the_access_token_expired() {
    let app = TestApp::with(|c| c.access_ttl = Duration::from_secs(2));
    let alice = app.alice().await;
    let bare = app.alice().await;
    app.time.advance(Duration::from_secs(3));
    assert_eq!(
        app.get(SUMMARY, Some(&alice.token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // With the expired bearer the app sends along ...
    let body = json!({ "refreshToken": alice.refresh_token });
    let response = app
        .post("/api/account/logout", Some(&alice.token), body)
        .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{}",
        response.text()
    );
    // ... with no bearer, or a bearer that is not a token at all.
    for (session, bearer) in [(&bare, None), (&bare, Some("not-a-jwt"))] {
        let body = json!({ "refreshToken": session.refresh_token });
        let response = app.post("/api/account/logout", bearer, body).await;
        assert_eq!(
            response.status,
            StatusCode::NO_CONTENT,
            "{}",
            response.text()
        );
    }
    for session in [&alice, &bare] {
        let refused = app.refresh(&session.user_id, &session.refresh_token).await;
        let error = refused.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(error["message"], "The refresh token has been revoked.");
    }
    // An unknown token is no error either (RFC 7009 §2.2), and revokes nothing.
    let kept = app.alice().await;
    let response = app
        .post(
            "/api/account/logout",
            None,
            json!({ "refreshToken": "never-issued" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.refresh(&kept.user_id, &kept.refresh_token).await.status,
        StatusCode::OK
    );
}

/// After a logout the session's access tokens kept working
/// until they expired.
#[tokio::test]
async fn after_logout_the_sessions_access_tokens_are_refused_at_once() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let elsewhere = app.alice().await;
    let rotated = app.refresh(&alice.user_id, &alice.refresh_token).await;
    let rotated_token = rotated.json()["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let body = json!({ "refreshToken": rotated.refresh_token() });
    let response = app.post("/api/account/logout", None, body).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    for token in [&alice.token, &rotated_token] {
        for path in [SUMMARY, "/api/abp/application-configuration"] {
            let refused = app.get(path, Some(token)).await;
            refused.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
            assert_eq!(
                refused.header(header::WWW_AUTHENTICATE),
                Some(r#"Bearer error="invalid_token""#)
            );
        }
    }
    // The user's other session is untouched.
    assert_eq!(
        app.get(SUMMARY, Some(&elsewhere.token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn after_logout_the_logged_out_refresh_token_is_refused() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let elsewhere = app.alice().await;
    // A session that has already rotated once: logout presents its newest token.
    let rotated = app.refresh(&alice.user_id, &alice.refresh_token).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text());
    let current = rotated.refresh_token();

    let body = json!({ "refreshToken": current });
    let response = app
        .post("/api/account/logout", Some(&alice.token), body)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert!(response.body.is_empty());

    let refused = app.refresh(&alice.user_id, &current).await;
    let error = refused.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(error["message"], "The refresh token has been revoked.");
    assert_eq!(refused.json()["success"], false);
    // Over the OAuth2 endpoint too.
    let form = format!("grant_type=refresh_token&refresh_token={current}");
    let oauth = app.token(&form).await;
    assert_eq!(oauth.status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth.json()["error"], "invalid_grant");
    // Only that login's family: the user's other session stays signed in.
    assert_eq!(
        app.refresh(&elsewhere.user_id, &elsewhere.refresh_token)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_bodies_get_4xx_in_the_abp_shape() {
    let app = TestApp::new();
    let raw = |content_type: Option<&str>, body: String| {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/account/login");
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        request.body(Body::from(body)).expect("request")
    };
    let json = Some("application/json");
    app.send(raw(json, "{\"userName\":".into()))
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_json");
    app.send(raw(json, "{\"userName\":\"alice\"}".into()))
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
    app.send(raw(json, "{\"userName\":1,\"password\":2}".into()))
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
    app.send(raw(Some("text/plain"), "{}".into()))
        .await
        .assert_abp_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    app.send(raw(None, "{}".into()))
        .await
        .assert_abp_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let huge = format!(
        "{{\"userName\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(BODY_LIMIT)
    );
    app.send(raw(json, huge))
        .await
        .assert_abp_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let refresh = Request::post("/api/app/account/refresh-token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"refreshToken\":\"x\"}"))
        .expect("request");
    app.send(refresh)
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "validation_error");
}

#[tokio::test]
async fn wrong_method_is_405_in_the_abp_shape() {
    let app = TestApp::new();
    for (method, path) in [
        (Method::GET, "/api/account/login"),
        (Method::DELETE, "/api/identity/users"),
        (Method::POST, "/api/app/orders"),
        (Method::GET, "/connect/token"),
    ] {
        app.call(method, path, None, None)
            .await
            .assert_abp_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    }
}

/// A refresh sent with an `Idempotency-Key`.
async fn refresh_with_key(app: &TestApp, user_id: &str, token: &str, key: &str) -> TestResponse {
    let request = Request::post("/api/app/account/refresh-token")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", format!("\"{key}\""))
        .body(Body::from(
            json!({ "userId": user_id, "refreshToken": token }).to_string(),
        ))
        .expect("request");
    app.send(request).await
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_same_pair_and_revokes_nothing() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let first = refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    app.time.advance(Duration::from_secs(5));
    let again = refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let (first, again) = (first.json(), again.json());
    assert_eq!(again["token"], first["token"]);
    assert_eq!(again["refreshToken"], first["refreshToken"]);
    assert_eq!(again["expiresIn"], 25, "what is left of the access token");
    // The session lives on: the new token rotates, the access token works.
    let new = first["refreshToken"].as_str().unwrap_or_default();
    assert_eq!(
        app.refresh(&alice.user_id, new).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn another_key_no_key_or_a_late_retry_is_a_reuse() {
    for retry in ["another key", "no key", "after the window"] {
        let app = TestApp::new();
        let alice = app.alice().await;
        let first = refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1").await;
        assert_eq!(first.status, StatusCode::OK);
        let replay = match retry {
            "another key" => {
                refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k2").await
            }
            "no key" => app.refresh(&alice.user_id, &alice.refresh_token).await,
            _ => {
                app.time.advance(Duration::from_secs(60));
                refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1").await
            }
        };
        let error = replay.assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("already used"),
            "{retry}: {error}"
        );
        // The family is revoked: the new token is refused too.
        let new = first.json()["refreshToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            app.refresh(&alice.user_id, &new).await.status,
            StatusCode::BAD_REQUEST,
            "{retry}"
        );
    }
}

#[tokio::test]
async fn without_a_window_a_retry_with_the_same_key_is_a_reuse() {
    let app = TestApp::with(|c| c.idempotency_window = Duration::ZERO);
    let alice = app.alice().await;
    let first = refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1").await;
    assert_eq!(first.status, StatusCode::OK);
    refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1")
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
}

#[tokio::test]
async fn a_replay_is_for_the_tokens_user_only() {
    let app = TestApp::new();
    let alice = app.alice().await;
    let admin = app.admin().await;
    refresh_with_key(&app, &alice.user_id, &alice.refresh_token, "k1").await;
    refresh_with_key(&app, &admin.user_id, &alice.refresh_token, "k1")
        .await
        .assert_abp_error(StatusCode::BAD_REQUEST, "invalid_grant");
}
