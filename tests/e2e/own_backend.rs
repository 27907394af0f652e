//! `examples/bring-your-own-backend` against a backend that is not ours: a
//! small server written here, in the test, with its own login, its own
//! renewal (`{"renew"}` in, `{"access", "renew", "ttl"}` out, single-use
//! renewal tokens) and its own resource. The session layer learns it only
//! through the example's `RefreshCall`.

use std::{
    collections::HashMap,
    convert::Infallible,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
};

use http_body_util::{BodyExt, Full};
use hyper::{
    Method, Request, Response, StatusCode, body::Bytes, header, server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use crate::{harness::artifact, pages::App};

/// What the backend has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    logins: u32,
    renewals: u32,
    /// `GET /api/things` answered `200`.
    served: u32,
    /// `GET /api/things` answered `401`.
    refused: u32,
}

#[derive(Default)]
struct State {
    /// Live access tokens.
    access: Vec<String>,
    /// Unspent renewal tokens and their user.
    renew: HashMap<String, String>,
    issued: u32,
    counts: Counts,
}

impl State {
    fn issue(&mut self, user: &str) -> Value {
        self.issued += 1;
        let (access, renew) = (
            format!("own-a{}", self.issued),
            format!("own-r{}", self.issued),
        );
        self.access.push(access.clone());
        self.renew.insert(renew.clone(), user.to_owned());
        json!({ "access": access, "renew": renew, "ttl": 300 })
    }
}

/// The backend, serving the example's build too (one origin, no CORS).
struct OwnBackend {
    url: String,
    state: Arc<Mutex<State>>,
}

impl OwnBackend {
    async fn start() -> Self {
        let dist = artifact("target/e2e/own-backend", "a release build of the example");
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let state = Arc::new(Mutex::new(State::default()));
        let served = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, dist) = (served.clone(), dist.clone());
                let service = service_fn(move |request| {
                    let (state, dist) = (state.clone(), dist.clone());
                    async move { Ok::<_, Infallible>(answer(request, &state, &dist).await) }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        Self { url, state }
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn counts(&self) -> Counts {
        self.with(|state| state.counts)
    }

    /// Every access token expires now (renewal tokens stay good).
    fn expire_access_tokens(&self) {
        self.with(|state| state.access.clear());
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(body.into()))
        .expect("a response")
}

fn json_reply(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    reply(status, "application/json", body.to_string())
}

async fn answer(
    request: Request<hyper::body::Incoming>,
    state: &Mutex<State>,
    dist: &std::path::Path,
) -> Response<Full<Bytes>> {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::to_owned);
    let body = request.into_body().collect().await.map(|b| b.to_bytes());
    let body: Value = body
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    let no = json!({ "message": "no" });
    match (method, path.as_str()) {
        (Method::POST, "/auth/login") => {
            state.counts.logins += 1;
            match (body["user"].as_str(), body["password"].as_str()) {
                (Some(user @ "ada"), Some("lovelace")) => {
                    json_reply(StatusCode::OK, &state.issue(user))
                }
                _ => json_reply(StatusCode::UNAUTHORIZED, &no),
            }
        }
        (Method::POST, "/auth/renew") => {
            state.counts.renewals += 1;
            let spent = body["renew"]
                .as_str()
                .and_then(|token| state.renew.remove(token));
            match spent {
                Some(user) => json_reply(StatusCode::OK, &state.issue(&user)),
                None => json_reply(StatusCode::UNAUTHORIZED, &no),
            }
        }
        (Method::GET, "/api/things") => {
            if bearer.is_some_and(|token| state.access.contains(&token)) {
                state.counts.served += 1;
                json_reply(StatusCode::OK, &json!(["a thing", "another"]))
            } else {
                state.counts.refused += 1;
                json_reply(StatusCode::UNAUTHORIZED, &no)
            }
        }
        (Method::GET, path) => static_file(dist, path),
        _ => reply(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "no"),
    }
}

/// The example's build: its files by name, `index.html` for anything else.
fn static_file(dist: &std::path::Path, path: &str) -> Response<Full<Bytes>> {
    let name = path.trim_start_matches('/');
    let file: PathBuf = if name.is_empty() || name.contains("..") || name.contains('/') {
        dist.join("index.html")
    } else {
        dist.join(name)
    };
    let file = if file.is_file() {
        file
    } else {
        dist.join("index.html")
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript",
        _ => "text/html; charset=utf-8",
    };
    match std::fs::read(&file) {
        Ok(bytes) => reply(StatusCode::OK, content_type, bytes),
        Err(_) => reply(StatusCode::NOT_FOUND, "text/plain", "not found"),
    }
}

#[tokio::test]
async fn a_backend_of_your_own_logs_in_refreshes_once_for_five_calls_and_logs_out() {
    let backend = OwnBackend::start().await;
    let app = App::open_at(&backend.url).await;
    app.wait_for_text("session", "LoggedOut").await;

    app.fill("login-username", "ada").await;
    app.fill("login-password", "wrong").await;
    app.click("login").await;
    app.wait_for_text("login-error", "Wrong user name or password.")
        .await;
    assert_eq!(app.text("session").await, "LoggedOut");

    app.fill("login-password", "lovelace").await;
    app.click("login").await;
    app.wait_for_text("session", "LoggedIn").await;
    app.click("fetch").await;
    app.wait_for_text("result", "5 of 5 loaded").await;
    assert_eq!(backend.counts().served, 5);
    assert_eq!(backend.counts().renewals, 0);

    backend.expire_access_tokens();
    app.click("fetch").await;
    app.wait_until("the five calls and their replays", || async {
        backend.counts().served == 10
    })
    .await;
    app.wait_for_text("result", "5 of 5 loaded").await;
    let counts = backend.counts();
    assert_eq!(counts.renewals, 1, "five expired calls, one renewal");
    assert_eq!(counts.refused, 5, "five refused, then replayed");
    assert_eq!(app.text("refreshes").await, "1");

    app.click("logout").await;
    app.wait_for_text("session", "LoggedOut").await;
    assert_eq!(app.local_storage("byob-example.session").await, None);
    app.reload().await;
    app.wait_for_text("session", "LoggedOut").await;
    assert_eq!(backend.counts().logins, 2, "the wrong password and ada's");
}
