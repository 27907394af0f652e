//! The end-to-end harness: the real server binary on a free port with a fresh
//! database and its test controls, serving a real build of the app, and
//! headless Chromium driven over WebDriver. Every process is started in its
//! own process group and killed with it on drop, so a failing test leaves
//! nothing behind.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use fantoccini::{Client, ClientBuilder};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, body::Bytes};
use hyper_util::{
    client::legacy::{Client as HttpClient, connect::HttpConnector},
    rt::TokioExecutor,
};
use serde::Serialize;
use serde_json::{Value, json};

/// Which build of the app the server serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// Built with `REFRESH_ROLE=on`.
    RoleRefreshOn,
    /// Built with `REFRESH_ROLE=off`.
    RoleRefreshOff,
    /// The minimal example app of `examples/minimal`.
    MinimalExample,
    /// The sign-in without a session layer of `examples/size-floor`.
    SizeFloor,
    /// Built with `AUTH_MODE=oidc` for the [`Provider`] (and
    /// `REFRESH_ROLE=on`).
    Oidc,
    /// Built with `AUTH_MODE=abp` (and `REFRESH_ROLE=on`); pointed at its
    /// server by a deployment file (see [`deployment`]).
    Abp,
    /// Built with `AUTH_MODE=bff` (and `REFRESH_ROLE=on`), for the server
    /// as a Backend-for-Frontend.
    Bff,
}

impl Build {
    fn dist(self) -> PathBuf {
        let name = match self {
            Self::RoleRefreshOn => "role-on",
            Self::RoleRefreshOff => "role-off",
            Self::MinimalExample => "minimal",
            Self::SizeFloor => "size-floor",
            Self::Oidc => "oidc",
            Self::Abp => "abp",
            Self::Bff => "bff",
        };
        artifact(&format!("target/e2e/{name}"), "a release build of the app")
    }
}

/// A copy of `build` with `document` as its `app-config.json`, to serve
/// with [`ServerOptions::static_dir`].
pub fn deployment(build: Build, document: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("a temporary directory");
    let source = build.dist();
    for entry in std::fs::read_dir(&source).expect("the build's folder") {
        let entry = entry.expect("an entry");
        if entry.file_type().expect("a type").is_file() {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).expect("a copy");
        }
    }
    std::fs::write(copy.path().join("app-config.json"), document).expect("the deployment file");
    copy
}

/// A path below the workspace root that scripts/test.sh builds, or explain.
pub fn artifact(relative: &str, what: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    assert!(
        path.exists(),
        "{} is missing ({what}); run scripts/test.sh, which builds it",
        path.display()
    );
    path
}

/// Kills a process group when dropped.
pub struct ProcessGroup(Child);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

pub fn spawn_in_own_group(command: &mut Command) -> ProcessGroup {
    let child = command
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    ProcessGroup(child)
}

/// How the server is started.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The app build it serves.
    pub build: Build,
    /// `--access-ttl`.
    pub access_ttl: &'static str,
    /// `--oidc-issuer`: accept this provider's tokens instead of its own.
    pub oidc_issuer: Option<String>,
    /// The port to listen on (0: any free one).
    pub port: u16,
    /// Serve this folder instead of the build's (a copy with a deployment
    /// file, say).
    pub static_dir: Option<PathBuf>,
    /// More flags (`--cors-origin=…`, `--client-id=…`).
    pub extra_args: Vec<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            build: Build::RoleRefreshOn,
            access_ttl: "5m",
            oidc_issuer: None,
            port: 0,
            static_dir: None,
            extra_args: Vec::new(),
        }
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits for a child's `listening on URL` line on its stdout; returns URL.
fn announced_url(process: &mut ProcessGroup, what: &str) -> String {
    let stdout = process.0.stdout.take().expect("piped stdout");
    let (found, url) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = found.send(url.to_owned());
            }
        }
    });
    url.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{what} prints `listening on http://ADDR`"))
}

/// Sends `request` (`what`, for the failure message); returns the status
/// and the whole body.
async fn exchange(
    http: &HttpClient<HttpConnector, Full<Bytes>>,
    request: Request<Full<Bytes>>,
    what: &str,
) -> (u16, Bytes) {
    let response = http
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a readable body")
        .to_bytes();
    (status, body)
}

/// The reference server, running with `--test-controls`.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    _process: ProcessGroup,
    _data: tempfile::TempDir,
}

impl Server {
    /// Starts the server binary on a free port with a fresh database.
    pub fn start(options: ServerOptions) -> Self {
        // A benchmark measures a release build (scripts/bff-bench.sh).
        let binary = std::env::var_os("SERVER_BINARY").map_or_else(
            || artifact("target/debug/silent-refresh-server", "the server binary"),
            PathBuf::from,
        );
        let data = tempfile::tempdir().expect("a temporary directory");
        let static_dir = options
            .static_dir
            .clone()
            .unwrap_or_else(|| options.build.dist());
        let mut command = Command::new(binary);
        command
            .arg(format!("--addr=127.0.0.1:{}", options.port))
            .arg(format!("--db={}", data.path().join("e2e.sqlite").display()))
            .arg(format!("--static-dir={}", static_dir.display()))
            .arg(format!("--access-ttl={}", options.access_ttl))
            .arg("--test-controls")
            // Its request log would drown the test output; warnings stay.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(issuer) = &options.oidc_issuer {
            command.arg(format!("--oidc-issuer={issuer}"));
        }
        command.args(&options.extra_args);
        let mut process = spawn_in_own_group(&mut command);
        let url = announced_url(&mut process, "the server");
        Self {
            url,
            _process: process,
            _data: data,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("the server's URL ends in its port")
    }

    /// A client for the server's API and test controls.
    pub fn api(&self) -> Api {
        Api {
            base: self.url.clone(),
            http: HttpClient::builder(TokioExecutor::new()).build_http(),
        }
    }
}

pub use silent_refresh_contract::test_controls::{
    CallCounts, Endpoint, FaultRequest, LoggedRequest,
};
use silent_refresh_contract::{
    ListResult, LoginRequest, PagedResult, RefreshRequest, TokenResponse,
    identity::{IdentityRole, IdentityUser, UpdateRolesRequest},
    paths::{self, test_controls},
    tenants::FindTenantResult,
    test_controls::{RequestLog, Stats, TwoFactorCode, UserRequest},
};

/// The server's API, for the test controls and for playing another user.
#[derive(Clone)]
pub struct Api {
    base: String,
    http: HttpClient<HttpConnector, Full<Bytes>>,
}

impl Api {
    /// Sends a JSON request; returns the status and the decoded body (`Null`
    /// when empty).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let request = request.body(Full::from(body)).expect("a valid request");
        let (status, bytes) = exchange(&self.http, request, path).await;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        (status, value)
    }

    async fn control(&self, path: &str, body: impl Serialize) {
        let body = serde_json::to_value(body).expect("a JSON document");
        let (status, answer) = self.send(Method::POST, path, None, Some(body)).await;
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
    }

    /// The call counts.
    pub async fn stats(&self) -> CallCounts {
        self.rotation_stats().await.calls
    }

    /// The call counts, and what rotations did: reuses detected, answers
    /// given again.
    pub async fn rotation_stats(&self) -> Stats {
        let (_, body) = self
            .send(Method::GET, test_controls::STATS, None, None)
            .await;
        serde_json::from_value(body).expect("the stats document")
    }

    /// The calls the API saw since the last reset, with ABP's headers.
    pub async fn requests(&self) -> Vec<LoggedRequest> {
        let (_, body) = self
            .send(Method::GET, test_controls::REQUESTS, None, None)
            .await;
        let log: RequestLog = serde_json::from_value(body).expect("the request log");
        log.requests
    }

    /// The code `user`'s authenticator app shows now.
    pub async fn two_factor_code(&self, user: &str) -> String {
        let body = json!(UserRequest {
            user_name: user.to_owned()
        });
        let (status, code) = self
            .send(
                Method::POST,
                test_controls::TWO_FACTOR_CODE,
                None,
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{code}");
        let code: TwoFactorCode = serde_json::from_value(code).expect("a code");
        code.code
    }

    /// The id of the tenant called `name`.
    pub async fn tenant_id(&self, name: &str) -> String {
        let (_, found) = self
            .send(
                Method::GET,
                &format!("{}/{name}", paths::TENANT_BY_NAME),
                None,
                None,
            )
            .await;
        let found: FindTenantResult = serde_json::from_value(found).expect("a lookup");
        found.tenant_id.expect("the tenant exists")
    }

    /// A `refresh_token` grant at `/connect/token` with `refresh_token`;
    /// the status and the answer.
    pub async fn refresh_grant(&self, refresh_token: &str) -> (u16, Value) {
        let form = format!(
            "grant_type=refresh_token&client_id=silent-refresh-app&refresh_token={refresh_token}"
        );
        let request = Request::post(format!("{}{}", self.base, paths::OAUTH2_TOKEN))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::from(form))
            .expect("a valid request");
        let (status, body) = exchange(&self.http, request, "the token endpoint").await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Sets every count to zero.
    pub async fn reset_stats(&self) {
        self.control(test_controls::STATS_RESET, Value::Null).await;
    }

    /// Injects `fault`.
    pub async fn fault(&self, fault: FaultRequest) {
        self.control(test_controls::FAULTS, fault).await;
    }

    /// Removes every pending fault.
    pub async fn clear_faults(&self) {
        let (status, body) = self
            .send(Method::DELETE, test_controls::FAULTS, None, None)
            .await;
        assert_eq!(status, 204, "{body}");
    }

    /// Holds the next call of `endpoint` for `delay_ms` before handling it.
    pub async fn delay_next(&self, endpoint: Endpoint, delay_ms: u64) {
        self.fault(FaultRequest {
            delay_ms,
            ..FaultRequest::new(endpoint, 1)
        })
        .await;
    }

    /// Every access token issued to `user` so far now gets 401.
    pub async fn expire_access_tokens(&self, user: &str) {
        let user = UserRequest {
            user_name: user.to_owned(),
        };
        self.control(test_controls::EXPIRE_ACCESS_TOKENS, user)
            .await;
    }

    /// Revokes every refresh token of `user`.
    pub async fn revoke_refresh_tokens(&self, user: &str) {
        let user = UserRequest {
            user_name: user.to_owned(),
        };
        self.control(test_controls::REVOKE_REFRESH_TOKENS, user)
            .await;
    }

    /// Logs in over the API; returns the access token.
    pub async fn login(&self, user: &str, password: &str) -> String {
        let request = LoginRequest {
            user_name: user.to_owned(),
            password: password.to_owned(),
        };
        let (status, body) = self
            .send(Method::POST, paths::LOGIN, None, Some(json!(request)))
            .await;
        assert_eq!(status, 200, "{body}");
        let answer: TokenResponse = serde_json::from_value(body).expect("a token answer");
        answer.token
    }

    /// Waits for the logout the page sent to have been handled, then checks
    /// that a refresh with `logged_out` is refused (`400 invalid_grant`).
    /// The logout is counted as it arrives, so its handler gets half a
    /// second to revoke; polling the refresh instead would spend the token
    /// and pass on reuse detection alone.
    pub async fn assert_revoked_after_logout(&self, logged_out: &RefreshRequest) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while self.stats().await.logout == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no logout call came"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (status, body) = self
            .send(Method::POST, paths::REFRESH, None, Some(json!(logged_out)))
            .await;
        assert_eq!(
            status, 400,
            "the logged-out refresh token is revoked: {body}"
        );
        assert_eq!(body["error"]["code"], "invalid_grant");
    }

    /// As `admin`, the user named `user` as the server holds it.
    async fn identity_user(&self, token: &str, user: &str) -> IdentityUser {
        let (_, users) = self
            .send(Method::GET, paths::IDENTITY_USERS, Some(token), None)
            .await;
        let users: PagedResult<IdentityUser> =
            serde_json::from_value(users).expect("a page of users");
        users
            .items
            .into_iter()
            .find(|u| u.user_name == user)
            .unwrap_or_else(|| panic!("no user {user}"))
    }

    /// The roles the server holds for `user`, sorted.
    pub async fn roles_of(&self, user: &str) -> Vec<String> {
        let token = self.login("admin", "admin123").await;
        let id = self.identity_user(&token, user).await.id;
        let (status, roles) = self
            .send(Method::GET, &paths::user_roles(&id), Some(&token), None)
            .await;
        assert_eq!(status, 200, "{roles}");
        let roles: ListResult<IdentityRole> =
            serde_json::from_value(roles).expect("a list of roles");
        let mut names: Vec<String> = roles.items.into_iter().map(|role| role.name).collect();
        names.sort();
        names
    }

    /// As `admin`, gives `user` exactly `roles`.
    pub async fn set_roles(&self, user: &str, roles: &[&str]) {
        let token = self.login("admin", "admin123").await;
        let id = self.identity_user(&token, user).await.id;
        let request = UpdateRolesRequest {
            role_names: roles.iter().map(|r| (*r).to_owned()).collect(),
        };
        let (status, body) = self
            .send(
                Method::PUT,
                &paths::user_roles(&id),
                Some(&token),
                Some(json!(request)),
            )
            .await;
        assert_eq!(status, 204, "{body}");
    }
}

/// The Chromium settings the browser tests use (`webdriver.json`), plus
/// what the end-to-end tests need on top: headless in a container, a fixed
/// window, and `profile` as a fresh profile.
fn chromium_capabilities(profile: &tempfile::TempDir) -> serde_json::Map<String, Value> {
    let mut capabilities: serde_json::Map<String, Value> =
        serde_json::from_str(include_str!("../../webdriver.json")).expect("webdriver.json");
    let args = capabilities["goog:chromeOptions"]["args"]
        .as_array_mut()
        .expect("webdriver.json lists Chromium's args");
    args.extend(
        [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ]
        .map(Value::from),
    );
    capabilities
}

/// Headless Chromium behind its own ChromeDriver.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: ProcessGroup,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a Chromium session with a
    /// fresh profile.
    pub async fn start() -> Self {
        let port = free_port();
        let driver = spawn_in_own_group(
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let profile = tempfile::tempdir().expect("a temporary directory");
        let capabilities = chromium_capabilities(&profile);
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..100 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        _profile: profile,
                        _driver: driver,
                    };
                }
                Err(error) => {
                    last_error = Some(error);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("ChromeDriver did not start: {last_error:?}");
    }
}

/// The test provider and, on a port picked first (the provider must know
/// the app's origin), the server as its resource server, serving the
/// `oidc` build; the provider's access tokens live `access_ttl_secs`.
pub async fn start_with_provider(access_ttl_secs: u64) -> (Provider, Server) {
    let port = free_port();
    let provider = Provider::start(&format!("http://127.0.0.1:{port}"), access_ttl_secs).await;
    let server = Server::start(ServerOptions {
        build: Build::Oidc,
        oidc_issuer: Some(provider.issuer.clone()),
        port,
        ..ServerOptions::default()
    });
    (provider, server)
}

/// The port the `oidc` build's issuer is on (`OIDC_ISSUER` in
/// scripts/build-e2e.sh): fixed, because the app learns it at build time.
pub const PROVIDER_PORT: u16 = 9417;

/// One provider at a time can hold [`PROVIDER_PORT`].
static PROVIDER_PORT_HELD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the provider counted (`GET /__test/stats` of
/// tests/oidc-provider/provider.mjs).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStats {
    /// Codes exchanged.
    pub authorization_code: u64,
    /// `refresh_token` grants that succeeded.
    pub refresh_token: u64,
    /// Refresh tokens revoked (RFC 7009).
    pub revocations: u64,
    /// Grants revoked, for whatever reason.
    pub grants_revoked: u64,
    /// Rotated refresh tokens presented again.
    pub reuse_detected: u64,
    /// The last OAuth errors it answered.
    pub errors: Vec<String>,
    /// The same counters per client id.
    #[serde(default)]
    pub by_client: std::collections::BTreeMap<String, ClientStats>,
}

/// What the provider counted for one client.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientStats {
    /// Codes exchanged.
    pub authorization_code: u64,
    /// `refresh_token` grants that succeeded.
    pub refresh_token: u64,
    /// Refresh tokens revoked (RFC 7009).
    pub revocations: u64,
    /// Rotated refresh tokens presented again.
    pub reuse_detected: u64,
}

/// The npm `oidc-provider` of tests/oidc-provider on [`PROVIDER_PORT`],
/// with a `roles` claim read from a file the test writes.
pub struct Provider {
    /// The issuer, `http://127.0.0.1:PORT`.
    pub issuer: String,
    roles: tempfile::NamedTempFile,
    http: HttpClient<HttpConnector, Full<Bytes>>,
    _process: ProcessGroup,
    _port: tokio::sync::MutexGuard<'static, ()>,
}

impl Provider {
    /// Starts the provider for the app at `app_origin`, its access tokens
    /// living `access_ttl_secs`; admin has role `admin`, alice `user`.
    pub async fn start(app_origin: &str, access_ttl_secs: u64) -> Self {
        Self::launch(app_origin, access_ttl_secs, &[]).await
    }

    /// Starts the provider with the confidential client `bff` too, for a
    /// Backend-for-Frontend at `bff_origin` holding `secret`. Its issuer is
    /// on `localhost`, another site than the BFF's `127.0.0.1`: its
    /// redirects back are cross-site, as a real provider's are (and
    /// `SameSite=Strict` cookies are not sent on them).
    pub async fn start_for_bff(bff_origin: &str, secret: &str, access_ttl_secs: u64) -> Self {
        let args = [
            format!("--bff-origin={bff_origin}"),
            format!("--bff-secret={secret}"),
            "--issuer-host=localhost".to_owned(),
        ];
        Self::launch(bff_origin, access_ttl_secs, &args).await
    }

    async fn launch(app_origin: &str, access_ttl_secs: u64, extra_args: &[String]) -> Self {
        let port = PROVIDER_PORT_HELD.lock().await;
        let script = artifact(
            "tests/oidc-provider/provider.mjs",
            "the test identity provider",
        );
        artifact(
            "tests/oidc-provider/node_modules",
            "its npm packages (npm ci)",
        );
        let roles = tempfile::NamedTempFile::new().expect("a roles file");
        let mut process = spawn_in_own_group(
            Command::new("node")
                .arg(script)
                .arg(format!("--port={PROVIDER_PORT}"))
                .arg(format!("--app-origin={app_origin}"))
                .arg(format!("--roles-file={}", roles.path().display()))
                .arg(format!("--access-ttl={access_ttl_secs}"))
                .args(extra_args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        let provider = Self {
            issuer: announced_url(&mut process, "the provider"),
            roles,
            http: HttpClient::builder(TokioExecutor::new()).build_http(),
            _process: process,
            _port: port,
        };
        provider.set_roles(&[("admin", &["admin"]), ("alice", &["user"])]);
        provider
    }

    /// Gives each user exactly its roles, from their next token on.
    pub fn set_roles(&self, roles: &[(&str, &[&str])]) {
        let document: serde_json::Map<String, Value> = roles
            .iter()
            .map(|(user, roles)| ((*user).to_owned(), json!(roles)))
            .collect();
        std::fs::write(self.roles.path(), Value::Object(document).to_string())
            .expect("the roles file is written");
    }

    /// What it counted so far.
    pub async fn stats(&self) -> ProviderStats {
        let request = Request::get(format!("{}/__test/stats", self.issuer))
            .body(Full::default())
            .expect("a valid request");
        let (_, body) = exchange(&self.http, request, "the provider's stats").await;
        serde_json::from_slice(&body).expect("the provider's stats document")
    }

    /// Holds the next `count` token answers `delay_ms` after the grant is
    /// done (the refresh token already rotated), as a slow network would.
    pub async fn hold_answers(&self, delay_ms: u64, count: u32) {
        let body = json!({ "delayAnswerMs": delay_ms, "count": count }).to_string();
        let request = Request::post(format!("{}/__test/faults", self.issuer))
            .header("content-type", "application/json")
            .body(Full::from(body))
            .expect("a valid request");
        let (status, _) = exchange(&self.http, request, "the provider's faults").await;
        assert_eq!(status, 200);
    }

    /// A `refresh_token` grant with `refresh_token`; returns the status and
    /// the answer's `error`, if any.
    pub async fn try_refresh(
        &self,
        refresh_token: &str,
        app_origin: &str,
    ) -> (u16, Option<String>) {
        let form = format!(
            "grant_type=refresh_token&client_id=silent-refresh-app&refresh_token={refresh_token}"
        );
        let request = Request::post(format!("{}/token", self.issuer))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", app_origin)
            .body(Full::from(form))
            .expect("a valid request");
        let (status, body) = exchange(&self.http, request, "the token endpoint").await;
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        (status, answer["error"].as_str().map(str::to_owned))
    }
}
