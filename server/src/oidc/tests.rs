//! The resource-server mode end to end: a fake OpenID Connect provider on
//! `127.0.0.1` (`test_provider`: discovery and JWKS, counting the JWKS
//! fetches), signing with the test keys in `server/tests/keys/`, and the app
//! on its manual clock.

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::http::testing::{TestApp, TestResponse, config};
use crate::oidc::test_provider::{AUDIENCE, Provider, ec_1, rsa_1, rsa_2};
use crate::oidc::{LEEWAY_SECS, REFETCH_INTERVAL};
use crate::state::AppState;

const CONFIG: &str = "/api/abp/application-configuration";
const SUMMARY: &str = "/api/app/dashboard/summary";
const REPORTS: &str = "/api/app/reports";

/// The app's clock now, in whole seconds.
fn now(app: &TestApp) -> u64 {
    app.state.clock.now_ms() / 1000
}

/// Claims as a provider sends them for alice (role `user`), issued now.
fn claims(app: &TestApp, issuer: &str) -> Value {
    json!({
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": "sub-alice",
        "preferred_username": "alice",
        "name": "Alice Liddell",
        "email": "alice@example.org",
        "roles": ["user"],
        "iat": now(app),
        "exp": now(app) + 300,
        "jti": "t1",
        "client_id": "silent-refresh-app",
        "scope": "openid profile offline_access"
    })
}

/// `claims` with `changes` applied (a `null` removes the claim).
fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().expect("changes").clone() {
        if value.is_null() {
            claims.as_object_mut().map(|object| object.remove(&name));
        } else {
            claims[name] = value;
        }
    }
    claims
}

fn assert_refused(response: &TestResponse, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        response.text()
    );
    response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(
        response.header(header::WWW_AUTHENTICATE),
        Some(r#"Bearer error="invalid_token""#),
        "{what}"
    );
}

#[tokio::test]
async fn rs256_and_es256_tokens_are_accepted_and_their_roles_grant_policies() {
    let (rsa, ec) = (rsa_1(), ec_1("ec-1"));
    let provider = Provider::start(&[&rsa, &ec]).await;
    let app = provider.app().await;
    let alice = claims(&app, &provider.issuer);
    for key in [&rsa, &ec] {
        let token = key.sign(&alice);
        let body = app.get(CONFIG, Some(&token)).await.json();
        assert_eq!(
            body["currentUser"],
            json!({
                "isAuthenticated": true,
                "id": "sub-alice",
                "tenantId": null,
                "userName": "alice",
                "name": "Alice Liddell",
                "surName": null,
                "email": "alice@example.org",
                "roles": ["user"]
            }),
            "{:?}",
            key.algorithm
        );
        assert_eq!(
            body["auth"]["grantedPolicies"],
            json!({ "Dashboard.View": true })
        );
        assert_eq!(app.get(SUMMARY, Some(&token)).await.status, StatusCode::OK);
        app.get(REPORTS, Some(&token))
            .await
            .assert_abp_error(StatusCode::FORBIDDEN, "Volo.Authorization:010001");
    }

    // Roles the table does not know grant nothing; one string is one role;
    // no preferred_username, name or email: the user name is `sub`.
    for (roles, summary, reports, policies) in [
        (
            json!(["auditor", "pirate"]),
            200,
            200,
            json!({ "Dashboard.View": true, "Reports.View": true }),
        ),
        (
            json!("admin"),
            200,
            200,
            json!({
                "AbpIdentity.Users": true,
                "AbpIdentity.Users.Update": true,
                "Dashboard.View": true,
                "Reports.View": true
            }),
        ),
        (json!(["pirate"]), 403, 403, json!({})),
        (Value::Null, 403, 403, json!({})),
    ] {
        let token = rsa.sign(&with(
            alice.clone(),
            json!({ "sub": "u-42", "preferred_username": null, "name": null, "email": null, "roles": roles }),
        ));
        let body = app.get(CONFIG, Some(&token)).await.json();
        assert_eq!(body["currentUser"]["id"], "u-42");
        assert_eq!(body["currentUser"]["userName"], "u-42");
        assert_eq!(body["currentUser"]["name"], "u-42");
        assert_eq!(body["currentUser"]["email"], Value::Null);
        assert_eq!(body["auth"]["grantedPolicies"], policies, "{roles}");
        assert_eq!(
            app.get(SUMMARY, Some(&token)).await.status.as_u16(),
            summary,
            "{roles}"
        );
        assert_eq!(
            app.get(REPORTS, Some(&token)).await.status.as_u16(),
            reports,
            "{roles}"
        );
    }

    // `aud` may be an array that holds the audience among others.
    let token = rsa.sign(&with(
        alice.clone(),
        json!({ "aud": ["account", AUDIENCE] }),
    ));
    assert_eq!(app.get(SUMMARY, Some(&token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_roles_claim_is_configurable() {
    let rsa = rsa_1();
    let provider = Provider::start(&[&rsa]).await;
    let issuer = provider.issuer.clone();
    let app = TestApp::started(move |config| {
        config.oidc_issuer = Some(issuer);
        config.oidc_roles_claim = "https://example.org/groups".into();
    })
    .await;
    let token = rsa.sign(&with(
        claims(&app, &provider.issuer),
        json!({ "roles": ["admin"], "https://example.org/groups": ["auditor"] }),
    ));
    let body = app.get(CONFIG, Some(&token)).await.json();
    assert_eq!(body["currentUser"]["roles"], json!(["auditor"]));
    assert_eq!(app.get(REPORTS, Some(&token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn forged_mismatched_and_expired_tokens_are_refused_with_401() {
    let (rsa, ec) = (rsa_1(), ec_1("ec-1"));
    let provider = Provider::start(&[&rsa, &ec]).await;
    let app = provider.app().await;
    let alice = claims(&app, &provider.issuer);
    let payload = URL_SAFE_NO_PAD.encode(alice.to_string());

    // The classic confusion: HS256 with the RSA public key as the secret.
    let public_key = rsa.jwk.to_string();
    let hs256_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"rsa-1"}"#);
    let message = format!("{hs256_header}.{payload}");
    let mut hs256 = Vec::new();
    for secret in [
        public_key.as_bytes().to_vec(),
        URL_SAFE_NO_PAD
            .decode(rsa.jwk["n"].as_str().expect("n"))
            .expect("n bytes"),
    ] {
        let signature = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(&secret).expect("hmac key"),
            Algorithm::HS256,
        )
        .expect("hmac");
        hs256.push(format!("{message}.{signature}"));
    }
    let none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"rsa-1"}"#)
    );
    let lower_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"None","typ":"JWT","kid":"ec-1"}"#)
    );
    let expired = now(&app) - LEEWAY_SECS;
    const KID: &str = "unknown signing key";
    const ALG: &str = "unsupported algorithm or header";
    const AUD: &str = "wrong audience";
    const ISS: &str = "wrong issuer";
    const EXPIRED: &str = "token expired";
    const MALFORMED: &str = "malformed token";
    let cases = [
        (
            "unknown kid",
            rsa.sign_as(Algorithm::RS256, Some("nope"), &alice),
            KID,
        ),
        ("no kid", rsa.sign_as(Algorithm::RS256, None, &alice), KID),
        // Signed by the EC key, the header says ES256 but names the RSA key.
        (
            "ES256 header on the RSA key",
            ec.sign_as(Algorithm::ES256, Some("rsa-1"), &alice),
            ALG,
        ),
        (
            "RS256 header on the EC key",
            rsa.sign_as(Algorithm::RS256, Some("ec-1"), &alice),
            ALG,
        ),
        ("HS256 with the public JWK", hs256[0].clone(), ALG),
        ("HS256 with the modulus", hs256[1].clone(), ALG),
        ("alg none", none, ALG),
        ("alg None", lower_none, ALG),
        (
            "wrong aud",
            rsa.sign(&with(alice.clone(), json!({ "aud": "another-api" }))),
            AUD,
        ),
        (
            "aud array without ours",
            rsa.sign(&with(alice.clone(), json!({ "aud": ["a", "b"] }))),
            AUD,
        ),
        (
            "no aud",
            rsa.sign(&with(alice.clone(), json!({ "aud": null }))),
            MALFORMED,
        ),
        (
            "wrong iss",
            rsa.sign(&with(alice.clone(), json!({ "iss": "http://127.0.0.1:1" }))),
            ISS,
        ),
        (
            "iss with a slash",
            rsa.sign(&with(
                alice.clone(),
                json!({ "iss": format!("{}/", provider.issuer) }),
            )),
            ISS,
        ),
        (
            "expired",
            rsa.sign(&with(alice.clone(), json!({ "exp": expired }))),
            EXPIRED,
        ),
        (
            "no exp",
            rsa.sign(&with(alice.clone(), json!({ "exp": null }))),
            MALFORMED,
        ),
        (
            "no sub",
            rsa.sign(&with(alice.clone(), json!({ "sub": null }))),
            MALFORMED,
        ),
        ("garbage", "not.a.jwt".to_owned(), MALFORMED),
    ];
    for (what, token, reason) in &cases {
        for path in [SUMMARY, CONFIG] {
            let response = app.get(path, Some(token)).await;
            assert_refused(&response, what);
            let error = response.json()["error"]["message"].clone();
            assert_eq!(
                error,
                format!("The access token is not valid ({reason})."),
                "{what}"
            );
        }
    }
    // Within the leeway an expired token still passes.
    let just_expired = rsa.sign(&with(alice.clone(), json!({ "exp": expired + 1 })));
    assert_eq!(
        app.get(SUMMARY, Some(&just_expired)).await.status,
        StatusCode::OK
    );
    app.time.advance(Duration::from_secs(1));
    assert_refused(&app.get(SUMMARY, Some(&just_expired)).await, "expired now");
    // A tampered payload breaks the signature.
    let good = rsa.sign(&alice);
    let admin =
        URL_SAFE_NO_PAD.encode(with(alice.clone(), json!({ "roles": ["admin"] })).to_string());
    let mut parts: Vec<&str> = good.split('.').collect();
    parts[1] = &admin;
    assert_refused(&app.get(REPORTS, Some(&parts.join("."))).await, "tampered");
}

#[tokio::test]
async fn a_rotated_key_is_fetched_and_unknown_kids_refetch_at_most_once_per_interval() {
    let (old, new, newer) = (rsa_1(), rsa_2("rsa-2"), ec_1("ec-2"));
    let provider = Provider::start(&[&old]).await;
    let app = provider.app().await;
    assert_eq!(provider.fetches(), 1, "the keys are loaded at start");
    let alice = claims(&app, &provider.issuer);
    assert_eq!(
        app.get(SUMMARY, Some(&old.sign(&alice))).await.status,
        StatusCode::OK
    );
    assert_eq!(provider.fetches(), 1, "a known key needs no fetch");

    // The provider rotates: the new key is fetched and accepted at once,
    // and the old key, no longer published, is refused.
    provider.publish(&[&new]);
    assert_eq!(
        app.get(SUMMARY, Some(&new.sign(&alice))).await.status,
        StatusCode::OK
    );
    assert_eq!(provider.fetches(), 2);
    assert_refused(
        &app.get(SUMMARY, Some(&old.sign(&alice))).await,
        "retired key",
    );
    assert_eq!(provider.fetches(), 2, "within the interval: no fetch");

    // Another new key within the interval is not fetched: refused.
    provider.publish(&[&new, &newer]);
    assert_refused(
        &app.get(SUMMARY, Some(&newer.sign(&alice))).await,
        "within the interval",
    );
    assert_eq!(provider.fetches(), 2);

    // After the interval it is.
    app.time.advance(REFETCH_INTERVAL);
    assert_eq!(
        app.get(SUMMARY, Some(&newer.sign(&alice))).await.status,
        StatusCode::OK
    );
    assert_eq!(provider.fetches(), 3);

    // Many calls at once with one new key cost one fetch.
    app.time.advance(REFETCH_INTERVAL);
    let newest = rsa_2("rsa-3");
    provider.publish(&[&newest]);
    let token = newest.sign(&alice);
    let (a, b, c, d) = tokio::join!(
        app.get(SUMMARY, Some(&token)),
        app.get(CONFIG, Some(&token)),
        app.get(SUMMARY, Some(&token)),
        app.get(REPORTS, Some(&token)),
    );
    for response in [a, b, c] {
        assert_eq!(response.status, StatusCode::OK);
    }
    assert_eq!(d.status, StatusCode::FORBIDDEN);
    assert_eq!(provider.fetches(), 4);

    // A failed fetch keeps the keys there were.
    app.time.advance(REFETCH_INTERVAL);
    provider.publish_jwks(Value::Null);
    assert_refused(
        &app.get(SUMMARY, Some(&old.sign(&alice))).await,
        "unknown kid",
    );
    assert_eq!(provider.fetches(), 5);
    assert_eq!(app.get(SUMMARY, Some(&token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn expire_access_tokens_refuses_the_users_tokens_issued_so_far() {
    let rsa = rsa_1();
    let provider = Provider::start(&[&rsa]).await;
    let app = provider.app().await;
    let alice = claims(&app, &provider.issuer);
    let bob = with(
        alice.clone(),
        json!({ "sub": "sub-bob", "preferred_username": "bob" }),
    );
    let carol = with(
        alice.clone(),
        json!({ "sub": "sub-carol", "preferred_username": "carol" }),
    );
    let earlier = rsa.sign(&with(alice.clone(), json!({ "iat": now(&app) - 100 })));
    let (alice_token, bob_token, carol_token) =
        (rsa.sign(&alice), rsa.sign(&bob), rsa.sign(&carol));
    for token in [&earlier, &alice_token, &bob_token, &carol_token] {
        assert_eq!(app.get(SUMMARY, Some(token)).await.status, StatusCode::OK);
    }
    app.time.advance(Duration::from_millis(400));
    for user_name in ["alice", "sub-carol"] {
        let response = app
            .post(
                "/api/_test/expire-access-tokens",
                None,
                json!({ "userName": user_name }),
            )
            .await;
        assert_eq!(response.status, StatusCode::NO_CONTENT);
    }
    // Matched by preferred_username (alice) or by sub (carol).
    for (what, token) in [
        ("earlier", &earlier),
        ("alice", &alice_token),
        ("carol", &carol_token),
    ] {
        assert_refused(&app.get(SUMMARY, Some(token)).await, what);
    }
    assert_eq!(
        app.get(SUMMARY, Some(&bob_token)).await.status,
        StatusCode::OK
    );
    // Issued in the second of the call: it may predate the call, so it is
    // refused too; so is a token that does not say when it was issued.
    let same_second = rsa.sign(&with(
        alice.clone(),
        json!({ "iat": now(&app), "jti": "t2" }),
    ));
    assert_refused(&app.get(SUMMARY, Some(&same_second)).await, "same second");
    let undated = rsa.sign(&with(alice.clone(), json!({ "iat": null })));
    assert_refused(&app.get(SUMMARY, Some(&undated)).await, "no iat");
    // From the next second on, new tokens are accepted.
    app.time.advance(Duration::from_millis(600));
    let later = rsa.sign(&with(alice.clone(), json!({ "iat": now(&app) })));
    assert_eq!(app.get(SUMMARY, Some(&later)).await.status, StatusCode::OK);
    assert_eq!(
        app.get(CONFIG, Some(&later)).await.json()["currentUser"]["userName"],
        "alice"
    );
}

#[tokio::test]
async fn own_sign_in_tokens_and_user_admin_answer_managed_by_identity_provider() {
    let rsa = rsa_1();
    let provider = Provider::start(&[&rsa]).await;
    let app = provider.app().await;
    let admin = rsa.sign(&with(
        claims(&app, &provider.issuer),
        json!({ "roles": ["admin"] }),
    ));
    let alice_id = app
        .state
        .store
        .with(|conn| crate::domain::users::id_by_name(conn, "alice"))
        .expect("db")
        .expect("alice");
    let roles_path = format!("/api/identity/users/{alice_id}/roles");
    let login = json!({ "userName": "admin", "password": "admin123" });
    let refresh = json!({ "userId": alice_id, "refreshToken": "x" });
    let roles = json!({ "roles": ["admin"] });
    for (method, path, token, body) in [
        (Method::POST, "/api/account/login", None, Some(login)),
        (
            Method::POST,
            "/api/app/account/refresh-token",
            None,
            Some(refresh),
        ),
        (
            Method::POST,
            "/api/account/logout",
            Some(&admin),
            Some(json!({ "refreshToken": "x" })),
        ),
        (
            Method::PUT,
            roles_path.as_str(),
            Some(&admin),
            Some(roles.clone()),
        ),
        (Method::PUT, roles_path.as_str(), None, Some(roles)),
        (Method::GET, "/api/identity/users", Some(&admin), None),
        (Method::GET, "/api/identity/users", None, None),
        (
            Method::POST,
            "/api/_test/revoke-refresh-tokens",
            None,
            Some(json!({ "userName": "alice" })),
        ),
    ] {
        let response = app
            .call(method, path, token.map(String::as_str), body)
            .await;
        let error =
            response.assert_abp_error(StatusCode::BAD_REQUEST, "managed_by_identity_provider");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&provider.issuer), "{path}: {message}");
    }
    let form = app.token("grant_type=refresh_token&refresh_token=x").await;
    form.assert_abp_error(StatusCode::BAD_REQUEST, "managed_by_identity_provider");
    assert_eq!(form.header(header::CACHE_CONTROL), Some("no-store"));
    // Wrong methods are still 405; the role table is still readable.
    app.get("/api/account/login", None)
        .await
        .assert_abp_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let roles = app.get("/api/identity/roles", Some(&admin)).await;
    assert_eq!(roles.status, StatusCode::OK, "{}", roles.text());
    // Calls are counted and faults injected as in the other mode.
    let stats = app.get("/api/_test/stats", None).await.json();
    assert_eq!(
        stats["calls"],
        json!({ "login": 1, "refresh": 2, "logout": 1, "appConfig": 0, "resource": 0, "bffRefresh": 0 })
    );
    let fault = json!({ "endpoint": "resource", "count": 1, "status": 503 });
    assert_eq!(
        app.post("/api/_test/faults", None, fault).await.status,
        StatusCode::NO_CONTENT
    );
    app.get(SUMMARY, Some(&admin))
        .await
        .assert_abp_error(StatusCode::SERVICE_UNAVAILABLE, "injected_fault");
    assert_eq!(app.get(SUMMARY, Some(&admin)).await.status, StatusCode::OK);
}

/// Start-up with `issuer`: the error's text.
async fn start_error(issuer: &str) -> String {
    let mut config = config();
    config.oidc_issuer = Some(issuer.to_owned());
    let (clock, _) = crate::domain::clock::Clock::manual(crate::http::testing::T0);
    match AppState::start(config, clock).await {
        Ok(_) => panic!("started with {issuer}"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn start_up_fails_with_the_reason_when_the_provider_cannot_be_used() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let message = start_error(&closed).await;
    assert!(
        message.contains(&format!("identity provider {closed}")),
        "{message}"
    );
    assert!(message.contains("cannot fetch"), "{message}");
    assert!(
        message.contains(".well-known/openid-configuration"),
        "{message}"
    );

    let provider = Provider::start(&[]).await;
    // The same server under another name is another issuer.
    let port = provider.issuer.rsplit(':').next().expect("port");
    let message = start_error(&format!("http://localhost:{port}")).await;
    assert!(message.contains("is for the issuer"), "{message}");

    for (jwks, says) in [
        (Value::Null, "500"),
        (json!({ "keys": [] }), "no RS256 or ES256 signing key"),
        (
            json!({ "keys": [{ "kty": "oct", "kid": "h", "k": "c2VjcmV0" }] }),
            "no RS256 or ES256",
        ),
        (json!({ "no": "keys" }), "document expected"),
        (
            json!({ "keys": [], "padding": "x".repeat(70 * 1024) }),
            "more than 65536 bytes",
        ),
    ] {
        provider.publish_jwks(jwks);
        let message = start_error(&provider.issuer).await;
        assert!(message.contains(says), "{says}: {message}");
        assert!(message.contains("/jwks"), "{message}");
    }
}
