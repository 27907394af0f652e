//! A fake OpenID Connect provider on `127.0.0.1` for the server's tests:
//! discovery, the JWKS (counting its fetches) signed with the test keys in
//! `server/tests/keys/`, and a token endpoint and revocation for one
//! confidential client (the BFF's tests).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::domain::clock::Clock;
use crate::http::testing::TestApp;

/// A private key of `server/tests/keys/` with its public JWK.
pub(crate) struct SigningKey {
    pub(crate) kid: &'static str,
    pub(crate) algorithm: Algorithm,
    encoding: EncodingKey,
    /// The public JWK as the provider publishes it.
    pub(crate) jwk: Value,
}

/// The DER inside a PEM file.
fn der(pem: &str) -> Vec<u8> {
    let base64: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD.decode(base64).expect("PEM base64")
}

impl SigningKey {
    pub(crate) fn new(kid: &'static str, algorithm: Algorithm, pem: &str) -> Self {
        let encoding = match algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_der(&der(pem)),
            _ => EncodingKey::from_ec_der(&der(pem)),
        };
        let mut jwk =
            serde_json::to_value(Jwk::from_encoding_key(&encoding, algorithm).expect("public JWK"))
                .expect("JWK JSON");
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        if algorithm == Algorithm::ES256 {
            // Without `alg` the algorithm comes from the key type and curve.
            jwk.as_object_mut().map(|object| object.remove("alg"));
        }
        Self {
            kid,
            algorithm,
            encoding,
            jwk,
        }
    }

    /// A token for `claims`, its header naming this key and its algorithm.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.algorithm, Some(self.kid), claims)
    }

    /// A token signed with this key whose header says `alg` and `kid`.
    pub(crate) fn sign_as(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.typ = Some("at+jwt".into());
        header.kid = kid.map(str::to_owned);
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("header")),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims"))
        );
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &self.encoding, self.algorithm)
                .expect("sign");
        format!("{message}.{signature}")
    }
}

pub(crate) fn rsa_1() -> SigningKey {
    SigningKey::new(
        "rsa-1",
        Algorithm::RS256,
        include_str!("../../tests/keys/rsa-1.pem"),
    )
}

pub(crate) fn rsa_2(kid: &'static str) -> SigningKey {
    SigningKey::new(
        kid,
        Algorithm::RS256,
        include_str!("../../tests/keys/rsa-2.pem"),
    )
}

pub(crate) fn ec_1(kid: &'static str) -> SigningKey {
    SigningKey::new(
        kid,
        Algorithm::ES256,
        include_str!("../../tests/keys/ec-1.pem"),
    )
}

/// What the fake provider serves, and what its token endpoint did.
struct Published {
    /// The `issuer` its discovery document names.
    issuer: String,
    /// The JWKS; `null` answers `500`.
    jwks: Value,
    /// Signs the tokens the token endpoint issues.
    signer: Option<Arc<SigningKey>>,
    /// The clock the issued tokens' `iat` and `exp` follow.
    clock: Option<Clock>,
    /// Unspent refresh tokens (single use: a refresh rotates them).
    refresh_tokens: Vec<String>,
    /// The answers of refreshes sent with an `Idempotency-Key`, by spent
    /// token and key: the same request again gets the same answer.
    answered: HashMap<(String, String), Value>,
    /// How many refresh answers to lose after the rotation (answered `502`,
    /// as a proxy whose connection to the provider dropped).
    answers_to_lose: u32,
    issued: u64,
    /// What the token and revocation endpoints were asked.
    pub grants: Grants,
}

/// The fake provider's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Grants {
    /// Codes exchanged.
    pub(crate) codes: u32,
    /// `refresh_token` grants answered with tokens.
    pub(crate) refreshes: u32,
    /// Refresh tokens presented again after their rotation.
    pub(crate) reused: u32,
    /// Refreshes answered again for the same token and `Idempotency-Key`.
    pub(crate) replayed: u32,
    /// Tokens revoked.
    pub(crate) revocations: u32,
}

/// A fake provider on `127.0.0.1`; stops when dropped. Its token endpoint
/// knows one confidential client, [`CLIENT_ID`] with [`CLIENT_SECRET`]: a
/// code is answered with tokens for alice (the code is the ID token's
/// nonce), a refresh token is single use.
pub(crate) struct Provider {
    pub(crate) issuer: String,
    published: Arc<Mutex<Published>>,
    fetches: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

/// The confidential client the fake provider knows.
pub(crate) const CLIENT_ID: &str = "bff";
/// Its secret.
pub(crate) const CLIENT_SECRET: &str = "bff-secret";
/// The audience of the access tokens it issues.
pub(crate) const AUDIENCE: &str = "silent-refresh-api";
/// How long the access tokens it issues live, in seconds.
pub(crate) const ACCESS_TTL_SECS: u64 = 300;

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Shared = (Arc<Mutex<Published>>, Arc<AtomicUsize>);

async fn discovery(State((published, _)): State<Shared>) -> Json<Value> {
    let published = published.lock().unwrap_or_else(PoisonError::into_inner);
    let issuer = &published.issuer;
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/jwks"),
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "end_session_endpoint": format!("{issuer}/session/end"),
        "id_token_signing_alg_values_supported": ["RS256", "ES256"]
    }))
}

async fn jwks(State((published, fetches)): State<Shared>) -> Response {
    fetches.fetch_add(1, Ordering::SeqCst);
    let published = published.lock().unwrap_or_else(PoisonError::into_inner);
    match &published.jwks {
        Value::Null => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        jwks => Json(jwks.clone()).into_response(),
    }
}

impl Provider {
    /// A provider publishing `keys`.
    pub(crate) async fn start(keys: &[&SigningKey]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let published = Arc::new(Mutex::new(Published {
            issuer: issuer.clone(),
            jwks: Value::Null,
            signer: None,
            clock: None,
            refresh_tokens: Vec::new(),
            answered: HashMap::new(),
            answers_to_lose: 0,
            issued: 0,
            grants: Grants::default(),
        }));
        let fetches = Arc::new(AtomicUsize::new(0));
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/revoke", post(revoke))
            .with_state((Arc::clone(&published), Arc::clone(&fetches)));
        let task = tokio::spawn(crate::serve::serve(
            listener,
            router,
            16,
            std::future::pending(),
        ));
        let provider = Self {
            issuer,
            published,
            fetches,
            task,
        };
        provider.publish(keys);
        provider
    }

    /// From now on the JWKS holds exactly `keys`.
    pub(crate) fn publish(&self, keys: &[&SigningKey]) {
        let jwks = json!({ "keys": keys.iter().map(|key| key.jwk.clone()).collect::<Vec<_>>() });
        self.publish_jwks(jwks);
    }

    pub(crate) fn publish_jwks(&self, jwks: Value) {
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .jwks = jwks;
    }

    /// How often the JWKS was fetched.
    pub(crate) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// From now on the token endpoint issues tokens signed by `key`, dated
    /// by `clock`.
    pub(crate) fn issue_with(&self, key: SigningKey, clock: Clock) {
        let mut published = self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        published.signer = Some(Arc::new(key));
        published.clock = Some(clock);
    }

    /// What the token and revocation endpoints did.
    pub(crate) fn grants(&self) -> Grants {
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .grants
    }

    /// Loses the next refresh's answer after rotating: the token is spent,
    /// the new pair issued (and kept for its `Idempotency-Key`), the caller
    /// gets `502`.
    pub(crate) fn lose_next_answer(&self) {
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .answers_to_lose += 1;
    }

    /// Revokes `tokens`, as a logout elsewhere would.
    pub(crate) fn forget_refresh_tokens(&self, tokens: &[String]) {
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .refresh_tokens
            .retain(|live| !tokens.contains(live));
    }

    /// The refresh tokens issued and not spent.
    pub(crate) fn live_refresh_tokens(&self) -> Vec<String> {
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .refresh_tokens
            .clone()
    }

    /// The app in resource-server mode for this provider, started (keys
    /// loaded) with the test controls.
    pub(crate) async fn app(&self) -> TestApp {
        let issuer = self.issuer.clone();
        TestApp::started(move |config| {
            config.oidc_issuer = Some(issuer);
            config.test_controls = true;
        })
        .await
    }
}

/// The form of a token or revocation request.
#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    refresh_token: Option<String>,
    token: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

fn client_authenticated(headers: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    headers
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == expected.as_bytes())
}

/// Tokens for alice, `nonce` in the ID token.
fn issue(published: &mut Published, nonce: Option<&str>) -> Value {
    let Some(signer) = published.signer.clone() else {
        return json!({ "error": "no signer" });
    };
    let now = published
        .clock
        .as_ref()
        .map_or(0, |clock| clock.now_ms() / 1000);
    published.issued += 1;
    let n = published.issued;
    let access = signer.sign(&json!({
        "iss": published.issuer, "aud": AUDIENCE, "sub": "sub-alice",
        "preferred_username": "alice", "name": "Alice Liddell", "roles": ["user"],
        "iat": now, "exp": now + ACCESS_TTL_SECS, "jti": format!("at-{n}"),
    }));
    let refresh = format!("provider-refresh-{n}");
    published.refresh_tokens.push(refresh.clone());
    let mut answer = json!({
        "access_token": access, "token_type": "Bearer",
        "expires_in": ACCESS_TTL_SECS, "refresh_token": refresh,
    });
    if let Some(nonce) = nonce {
        answer["id_token"] = json!(signer.sign(&json!({
            "iss": published.issuer, "aud": CLIENT_ID, "sub": "sub-alice",
            "name": "Alice Liddell", "nonce": nonce, "iat": now, "exp": now + 3600,
        })));
    }
    answer
}

/// What the provider holds, for a request its client authenticated.
fn for_client<'a>(
    published: &'a Mutex<Published>,
    headers: &HeaderMap,
) -> Option<MutexGuard<'a, Published>> {
    client_authenticated(headers).then(|| published.lock().unwrap_or_else(PoisonError::into_inner))
}

async fn token(
    State((published, _)): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let Some(mut published) = for_client(&published, &headers) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    match form.grant_type.as_deref() {
        Some("authorization_code") => {
            published.grants.codes += 1;
            let answer = issue(&mut published, form.code.as_deref());
            Json(answer).into_response()
        }
        Some("refresh_token") => {
            let presented = form.refresh_token.unwrap_or_default();
            let key = headers
                .get("idempotency-key")
                .and_then(|value| value.to_str().ok())
                .map(|key| (presented.clone(), key.to_owned()));
            if let Some(answer) = key.as_ref().and_then(|key| published.answered.get(key)) {
                let answer = answer.clone();
                published.grants.replayed += 1;
                return Json(answer).into_response();
            }
            let before = published.refresh_tokens.len();
            published.refresh_tokens.retain(|live| *live != presented);
            if published.refresh_tokens.len() == before {
                published.grants.reused += 1;
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            published.grants.refreshes += 1;
            let answer = issue(&mut published, None);
            if let Some(key) = key {
                published.answered.insert(key, answer.clone());
            }
            if published.answers_to_lose > 0 {
                published.answers_to_lose -= 1;
                return StatusCode::BAD_GATEWAY.into_response();
            }
            Json(answer).into_response()
        }
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

async fn revoke(
    State((published, _)): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let Some(mut published) = for_client(&published, &headers) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let presented = form.token.unwrap_or_default();
    published.refresh_tokens.retain(|live| *live != presented);
    published.grants.revocations += 1;
    StatusCode::OK.into_response()
}
