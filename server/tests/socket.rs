//! Over a real socket: the connection loop (dropped connections, graceful
//! shutdown) and the binary itself (flags from the environment, the start
//! line, SIGTERM).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use silent_refresh_server::{AppState, Clock, Config, HEADER_READ_TIMEOUT, app, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    start_with(|_| {}).await
}

/// A server on a fresh database in its own folder, its configuration as
/// changed by `change`.
async fn start_with(change: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db/test.sqlite");
    start_on(dir, db, change).await
}

/// A server on the database `db`, which other servers may share.
async fn start_on(dir: tempfile::TempDir, db: PathBuf, change: impl FnOnce(&mut Config)) -> Server {
    let mut config = Config::try_parse_from([
        "silent-refresh-server",
        "--addr=127.0.0.1:0",
        "--refresh-ttl=1h",
        "--test-controls",
    ])
    .expect("flags");
    config.db = db;
    config.static_dir = dir.path().to_path_buf();
    change(&mut config);
    let max_connections = usize::try_from(config.max_connections).expect("fits");
    let state = AppState::new(config, Clock::system()).expect("state");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app(state), max_connections, async {
        stopped.await.ok();
    }));
    Server {
        addr,
        stop: Some(stop),
        task,
        _dir: dir,
    }
}

fn request(method: &str, path: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Sends a raw request and reads until the server closes the connection.
async fn exchange(addr: SocketAddr, raw: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(raw.as_bytes()).await?;
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await?;
    Ok(String::from_utf8_lossy(&received).into_owned())
}

/// A JSON request with extra header lines (each ending in `\r\n`).
fn request_with(method: &str, path: &str, headers: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The status code of a raw response.
fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {response:?}"))
}

/// The body of a raw response (after the blank line) as JSON.
fn json_of(response: &str) -> serde_json::Value {
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {response:?}"))
}

/// Logs in over the socket; returns the login answer.
async fn login(addr: SocketAddr, user: &str, password: &str) -> serde_json::Value {
    let body = format!(r#"{{"userName":"{user}","password":"{password}"}}"#);
    let answer = exchange(addr, &request("POST", "/api/account/login", &body))
        .await
        .expect("login");
    assert_eq!(status_of(&answer), 200, "{answer}");
    json_of(&answer)
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_without_a_response() {
    let server = start().await;
    let login = exchange(
        server.addr,
        &request(
            "POST",
            "/api/account/login",
            r#"{"userName":"alice","password":"alice123"}"#,
        ),
    )
    .await
    .expect("login");
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(
        login
            .to_ascii_lowercase()
            .contains("cache-control: no-store"),
        "{login}"
    );

    let fault = r#"{"endpoint":"appConfig","count":1,"drop":true,"delayMs":50}"#;
    let set = exchange(server.addr, &request("POST", "/api/_test/faults", fault))
        .await
        .expect("fault");
    assert!(set.starts_with("HTTP/1.1 204"), "{set}");

    let config = request("GET", "/api/abp/application-configuration", "");
    match exchange(server.addr, &config).await {
        Ok(received) => assert_eq!(received, "", "expected no response at all"),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
    }
    // Only the next call was faulted, and it was counted.
    let after = exchange(server.addr, &config).await.expect("after");
    assert!(after.starts_with("HTTP/1.1 200"), "{after}");
    let stats = exchange(server.addr, &request("GET", "/api/_test/stats", ""))
        .await
        .expect("stats");
    assert!(stats.contains(r#""appConfig":2"#), "{stats}");
}

#[tokio::test]
async fn the_connection_loop_gives_handlers_the_client_address() {
    let server = start().await;
    // Failures under twenty names share only the client's address ...
    for i in 0..20 {
        let body = format!(r#"{{"userName":"guess{i}","password":"x"}}"#);
        let refused = exchange(server.addr, &request("POST", "/api/account/login", &body))
            .await
            .expect("login");
        assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    }
    // ... so another name from the same address is limited.
    let body = r#"{"userName":"guess20","password":"x"}"#;
    let limited = exchange(server.addr, &request("POST", "/api/account/login", body))
        .await
        .expect("login");
    assert!(limited.starts_with("HTTP/1.1 429"), "{limited}");
    assert!(
        limited.to_ascii_lowercase().contains("retry-after: "),
        "{limited}"
    );
}

/// Reads until the server closes the connection, or gives up after `limit`
/// (on a paused clock, at once when nothing else can happen).
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut received = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut received)).await {
        Ok(Ok(_)) => Some(String::from_utf8_lossy(&received).into_owned()),
        Ok(Err(error)) => panic!("read failed: {error}"),
        Err(_) => None,
    }
}

/// A request body that stalls after one byte held its
/// connection for ever (the header timeout covers headers only).
#[tokio::test(start_paused = true)]
async fn a_stalled_request_body_gets_408_and_the_connection_is_closed() {
    let timeout = Duration::from_secs(15);
    let server = start_with(|c| c.request_timeout = timeout).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let started = tokio::time::Instant::now();
    stream
        .write_all(
            b"POST /api/account/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n{",
        )
        .await
        .expect("head and one byte");
    let answer = read_until_closed(&mut stream, timeout * 4)
        .await
        .expect("answered and closed, not held open");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(
        json_of(&answer)["error"]["code"],
        "request_timeout",
        "{answer}"
    );
    assert!(started.elapsed() >= timeout);
}

/// Nothing capped connections; 200 stalled ones were all open.
/// Beyond the cap a client waits in the backlog until a connection closes.
#[tokio::test(start_paused = true)]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let server = start_with(|c| c.max_connections = 2).await;
    let first = TcpStream::connect(server.addr).await.expect("first");
    let _second = TcpStream::connect(server.addr).await.expect("second");
    let mut third = TcpStream::connect(server.addr).await.expect("third");
    third
        .write_all(request("GET", "/api/abp/application-configuration", "").as_bytes())
        .await
        .expect("request");
    // The two idle connections hold both places (for up to the header
    // timeout): the third is not served meanwhile.
    assert_eq!(
        read_until_closed(&mut third, HEADER_READ_TIMEOUT / 3).await,
        None,
        "served beyond the cap"
    );
    drop(first);
    let answer = read_until_closed(&mut third, HEADER_READ_TIMEOUT / 3)
        .await
        .expect("served once a place was free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// `Expect: 100-continue` with a body over the limit got
/// `100 Continue` (and then waited for 10 MB); the limit is known from the
/// header alone.
#[tokio::test]
async fn an_oversize_body_is_refused_from_its_length_before_100_continue() {
    let server = start().await;
    for (path, expect) in [
        ("/api/account/login", "Expect: 100-continue\r\n"),
        ("/connect/token", "Expect: 100-continue\r\n"),
        ("/connect/token", ""),
        ("/api/app/account/refresh-token", ""),
    ] {
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{expect}Content-Length: 10485760\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        let answer = read_until_closed(&mut stream, Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("{path}: no answer, the server waits for the body"));
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(!answer.contains("100 Continue"), "{path}: {answer}");
        assert_eq!(
            json_of(&answer)["error"]["code"],
            "payload_too_large",
            "{path}"
        );
    }
}

/// What stays out of reach: hyper answers these itself while
/// reading the request head, before any of our code runs, with a bare
/// status and no body; they still get the right status and a closed
/// connection.
#[tokio::test]
async fn malformed_heads_are_refused_by_hyper_with_a_bare_status() {
    let server = start().await;
    let huge_header = format!(
        "GET /api/identity/users HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let huge_uri = format!(
        "GET /api/{} HTTP/1.1\r\nHost: test\r\n\r\n",
        "a".repeat(70_000)
    );
    let control =
        "GET /api/identity/users HTTP/1.1\r\nHost: test\r\nX-Bad: a\x01b\r\n\r\n".to_owned();
    for (raw, status) in [(huge_header, 431), (huge_uri, 414), (control, 400)] {
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        // A server that has answered may close before all of it is sent.
        stream.write_all(raw.as_bytes()).await.ok();
        let mut received = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut received))
            .await
            .expect("closed");
        if read.is_err() && received.is_empty() && status == 431 {
            // Reset while the megabyte was still going out: hyper had
            // answered and closed with our bytes unread.
            continue;
        }
        let answer = String::from_utf8_lossy(&received).to_ascii_lowercase();
        assert_eq!(status_of(&answer), status, "{answer}");
        assert!(answer.contains("\r\nconnection: close\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\n"), "a bare status: {answer}");
    }
}

/// Paused time: the runtime jumps its clock to the next timer whenever every
/// task waits, so the 30 s timeout passes in an instant.
#[tokio::test(start_paused = true)]
async fn a_client_trickling_its_header_is_cut_off_after_the_header_timeout() {
    let server = start().await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let started = tokio::time::Instant::now();
    stream
        .write_all(b"GET /api/abp/application-configuration HTTP/1.1\r\n")
        .await
        .expect("request line");
    // Slow loris: another header line now and then, never the blank line.
    for i in 0..2 {
        tokio::time::sleep(HEADER_READ_TIMEOUT / 3).await;
        let line = format!("X-Trickle-{i}: 1\r\n");
        stream
            .write_all(line.as_bytes())
            .await
            .expect("header line");
    }
    // Returns once the server closes the connection.
    let mut received = Vec::new();
    if let Err(error) = stream.read_to_end(&mut received).await {
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
    }
    let waited = started.elapsed();
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert!(waited >= HEADER_READ_TIMEOUT, "cut off after {waited:?}");
    assert!(waited < HEADER_READ_TIMEOUT * 2, "cut off after {waited:?}");
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_then_stops_listening() {
    let mut server = start().await;
    let fault = r#"{"endpoint":"appConfig","count":1,"delayMs":300}"#;
    exchange(server.addr, &request("POST", "/api/_test/faults", fault))
        .await
        .expect("fault");
    let addr = server.addr;
    let slow = tokio::spawn(async move {
        exchange(
            addr,
            &request("GET", "/api/abp/application-configuration", ""),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.stop.take().map(|stop| stop.send(()));
    let answered = slow.await.expect("join").expect("slow request");
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("serve returns")
        .expect("join");
    assert!(TcpStream::connect(server.addr).await.is_err());
}

/// Kills the child on drop so a failing test leaves no server behind.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[test]
fn the_binary_reads_the_environment_prints_its_address_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("nested/dev.sqlite");
    let child = Command::new(env!("CARGO_BIN_EXE_silent-refresh-server"))
        .env("SR_ADDR", "127.0.0.1:0")
        .env("SR_DB", &db)
        .env("SR_STATIC_DIR", dir.path())
        .env("SR_ACCESS_TTL", "500ms")
        .env("SR_TEST_CONTROLS", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut child = ChildGuard(child);
    let mut stdout = BufReader::new(child.0.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let addr: SocketAddr = first
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .parse()
        .expect("address");
    assert_ne!(addr.port(), 0);
    for expected in [
        "demo account: admin / admin123 (role admin)",
        "demo account: alice / alice123 (role user)",
        "demo account: wile / wile123 (role admin, tenant acme)",
        "demo account: bob / bob123 (role user, tenant acme, two-factor: add otpauth://totp/silent-refresh:bob?secret=",
    ] {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("demo account line");
        assert!(line.trim_end().starts_with(expected), "{line}");
    }
    assert!(Path::new(&db).exists());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let login = runtime
        .block_on(exchange(
            addr,
            &request(
                "POST",
                "/api/account/login",
                r#"{"userName":"admin","password":"admin123"}"#,
            ),
        ))
        .expect("login");
    assert!(login.contains(r#""expiresIn":1"#), "{login}");
    // The environment cannot turn the test controls on.
    let stats = runtime
        .block_on(exchange(addr, &request("GET", "/api/_test/stats", "")))
        .expect("stats");
    assert!(stats.starts_with("HTTP/1.1 404"), "{stats}");

    let pid = child.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

/// `set_roles` read, then wrote, in a deferred transaction; when
/// another process held the write lock at that moment, SQLite refused the
/// upgrade at once (no busy wait can help a reader that wants to write) and
/// the admin got `500 database is locked`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_wait_for_each_others_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shared.sqlite");
    let first = start_on(tempfile::tempdir().expect("tempdir"), db.clone(), |_| {}).await;
    let second = start_on(tempfile::tempdir().expect("tempdir"), db.clone(), |_| {}).await;
    let admin = login(first.addr, "admin", "admin123").await;
    let alice = login(second.addr, "alice", "alice123").await;
    let token = admin["token"].as_str().expect("token").to_owned();
    let alice_id = alice["userId"].as_str().expect("userId").to_owned();
    let put = |roles: &str| {
        request_with(
            "PUT",
            &format!("/api/identity/users/{alice_id}/roles"),
            &format!("Authorization: Bearer {token}\r\n"),
            &format!(r#"{{"roleNames":{roles}}}"#),
        )
    };

    // A third process is in the middle of a write when the change comes in.
    let writer = rusqlite::Connection::open(&db).expect("open");
    writer.execute_batch("BEGIN IMMEDIATE").expect("write lock");
    let addr = first.addr;
    let change = put(r#"["user","auditor"]"#);
    let pending = tokio::spawn(async move { exchange(addr, &change).await });
    // Give the change time to reach the lock (it waits; before, it failed).
    // A thread of its own, so nothing the server does can hold it up.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        writer.execute_batch("COMMIT").expect("commit");
    })
    .join()
    .expect("the writer commits");
    let answer = pending.await.expect("join").expect("answer");
    assert_eq!(status_of(&answer), 204, "{answer}");
    let roles = exchange(
        first.addr,
        &request_with(
            "GET",
            &format!("/api/identity/users/{alice_id}/roles"),
            &format!("Authorization: Bearer {token}\r\n"),
            "",
        ),
    )
    .await
    .expect("the roles");
    let roles = json_of(&roles);
    let names: Vec<&str> = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|role| role["name"].as_str())
        .collect();
    assert_eq!(names, ["auditor", "user"]);

    // And with the other server logging in and refreshing all the while.
    let refresher = {
        let addr = second.addr;
        tokio::spawn(async move {
            for _ in 0..5 {
                let session = login(addr, "alice", "alice123").await;
                let mut refresh_token = session["refreshToken"].as_str().expect("rt").to_owned();
                for _ in 0..10 {
                    let body = format!(
                        r#"{{"userId":"{}","refreshToken":"{refresh_token}"}}"#,
                        session["userId"].as_str().expect("userId")
                    );
                    let answer = exchange(
                        addr,
                        &request("POST", "/api/app/account/refresh-token", &body),
                    )
                    .await
                    .expect("refresh");
                    assert_eq!(status_of(&answer), 200, "{answer}");
                    refresh_token = json_of(&answer)["refreshToken"]
                        .as_str()
                        .expect("rt")
                        .to_owned();
                }
            }
        })
    };
    for round in 0..60 {
        let roles = if round % 2 == 0 {
            r#"["user"]"#
        } else {
            r#"["user","auditor"]"#
        };
        let answer = exchange(first.addr, &put(roles)).await.expect("put");
        assert_eq!(status_of(&answer), 204, "round {round}: {answer}");
    }
    refresher
        .await
        .expect("the other server's logins and refreshes all worked");
}

/// The binary will not serve test controls on an address other
/// machines can reach unless told so twice.
#[test]
fn the_binary_refuses_test_controls_on_a_public_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = Command::new(env!("CARGO_BIN_EXE_silent-refresh-server"))
        .arg("--addr=0.0.0.0:0")
        .arg(format!("--db={}", dir.path().join("x.sqlite").display()))
        .arg("--test-controls")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut child = ChildGuard(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server started and kept running"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    let mut stdout = String::new();
    use std::io::Read;
    child
        .0
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    child
        .0
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("stdout");
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("--allow-public-test-controls"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

/// The head of a raw response (status line and fields), lowercased.
fn head_of(response: &str) -> String {
    response
        .split_once("\r\n\r\n")
        .map_or(response, |(head, _)| head)
        .to_ascii_lowercase()
}

/// The value of the field `name` (lowercase) in a raw response's head.
fn field_of(response: &str, name: &str) -> Option<String> {
    response
        .split_once("\r\n\r\n")
        .map_or(response, |(head, _)| head)
        .lines()
        .find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
}

/// What a browser's second visit costs over the wire: one conditional
/// request for `index.html`, answered `304` with no body; the hashed files
/// come from its cache (`immutable`), sent the first time as their
/// precompressed copies.
#[tokio::test]
async fn a_second_visit_costs_one_conditional_request_for_index_html() {
    let server = start().await;
    let dir = server._dir.path();
    let index = "<!doctype html><script type=\"module\">import init from '/app-0123456789abcdef.js';</script><body>the app</body>";
    std::fs::write(dir.join("index.html"), index).expect("index");
    std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), b"\0asm-plain").expect("wasm");
    std::fs::write(dir.join("app-0123456789abcdef_bg.wasm.br"), b"brotli-bytes").expect("br");

    let first = exchange(
        server.addr,
        &request_with(
            "GET",
            "/dashboard",
            "Accept-Encoding: gzip, deflate, br\r\n",
            "",
        ),
    )
    .await
    .expect("first visit");
    eprintln!("{}\n", head_of(&first));
    assert_eq!(status_of(&first), 200, "{first}");
    let etag = field_of(&first, "etag").expect("an etag");
    assert_eq!(
        field_of(&first, "cache-control").as_deref(),
        Some("no-cache")
    );
    assert_eq!(field_of(&first, "content-encoding").as_deref(), Some("br"));
    let csp = field_of(&first, "content-security-policy").expect("a csp");
    assert!(csp.contains("'wasm-unsafe-eval' 'sha256-"), "{csp}");

    let wasm = exchange(
        server.addr,
        &request_with(
            "GET",
            "/app-0123456789abcdef_bg.wasm",
            "Accept-Encoding: gzip, deflate, br\r\n",
            "",
        ),
    )
    .await
    .expect("wasm");
    eprintln!("{}\n", head_of(&wasm));
    assert_eq!(status_of(&wasm), 200, "{wasm}");
    assert!(wasm.ends_with("\r\n\r\nbrotli-bytes"), "{wasm}");
    assert_eq!(field_of(&wasm, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        field_of(&wasm, "content-type").as_deref(),
        Some("application/wasm")
    );
    assert_eq!(field_of(&wasm, "vary").as_deref(), Some("accept-encoding"));
    assert_eq!(
        field_of(&wasm, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );

    let second = exchange(
        server.addr,
        &request_with(
            "GET",
            "/dashboard",
            &format!("Accept-Encoding: gzip, deflate, br\r\nIf-None-Match: {etag}\r\n"),
            "",
        ),
    )
    .await
    .expect("second visit");
    eprintln!("{}\n", head_of(&second));
    assert_eq!(status_of(&second), 304, "{second}");
    assert!(
        second.ends_with("\r\n\r\n"),
        "a 304 has no body: {second:?}"
    );
    assert_eq!(
        field_of(&second, "cache-control").as_deref(),
        Some("no-cache")
    );
    assert_eq!(field_of(&second, "content-encoding"), None);
    assert_eq!(field_of(&second, "etag"), Some(etag));
    assert_eq!(field_of(&second, "content-security-policy"), Some(csp));
}
