//! The Backend-for-Frontend deployment the BFF tests run against: npm
//! `oidc-provider` with its confidential client, Debian's `redis-server` on
//! a free port, two instances of the reference server with
//! `--session-store redis://…`, and Debian's nginx in front of them, round
//! robin, as the one origin the browser sees.

use std::{
    net::TcpStream,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use crate::harness::{
    Build, ProcessGroup, Provider, Server, ServerOptions, free_port, spawn_in_own_group,
};

/// The BFF's client secret at the test provider.
const CLIENT_SECRET: &str = "bff-e2e-secret";

/// Waits until something listens on `port`.
fn wait_for_port(port: u16, what: &str) {
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not listen on port {port}");
}

/// `redis-server` on a free port, its snapshot in a folder of its own (so a
/// shutdown that saves and a restart keep the sessions, as a real outage
/// with persistence would).
pub struct Redis {
    /// The port it listens on.
    pub port: u16,
    dir: tempfile::TempDir,
    process: Option<ProcessGroup>,
}

impl Redis {
    /// Starts it.
    pub fn start() -> Self {
        let mut redis = Self {
            port: free_port(),
            dir: tempfile::tempdir().expect("a temporary directory"),
            process: None,
        };
        redis.run();
        redis
    }

    fn run(&mut self) {
        let process = spawn_in_own_group(
            Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(self.dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        wait_for_port(self.port, "redis-server");
        self.process = Some(process);
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// `redis-cli` with `args`; its output.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The keys of BFF sessions.
    pub fn session_keys(&self) -> Vec<String> {
        self.cli(&["--scan", "--pattern", "bff:*"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Stops it (saving what it holds first); connections are refused.
    pub fn stop(&mut self) {
        self.cli(&["shutdown", "save"]);
        self.process = None;
        for _ in 0..300 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not stop");
    }

    /// Starts it again on its port, with what it saved.
    pub fn restart(&mut self) {
        self.run();
    }
}

/// nginx in front of the instances, round robin, retrying an idempotent
/// call on the next instance when one is down.
struct Nginx {
    _dir: tempfile::TempDir,
    _process: ProcessGroup,
}

impl Nginx {
    fn start(port: u16, upstreams: &[u16]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        // Its workers may run as another user: they must reach the folder.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("the folder's mode");
        let servers: String = upstreams
            .iter()
            .map(|port| format!("    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n"))
            .collect();
        let prefix = dir.path().display();
        let conf = format!(
            "daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  upstream bff {{
{servers}    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://bff;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host $http_host;
      proxy_next_upstream error timeout http_502;
      proxy_read_timeout 60s;
    }}
  }}
}}
"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("the nginx configuration");
        let process = spawn_in_own_group(
            Command::new(nginx_binary())
                .arg("-p")
                .arg(dir.path())
                .arg("-e")
                .arg(dir.path().join("error.log"))
                .arg("-c")
                .arg(&conf_path)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        wait_for_port(port, "nginx");
        Self {
            _dir: dir,
            _process: process,
        }
    }
}

/// Debian installs nginx outside a normal user's `PATH`.
fn nginx_binary() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

/// The whole deployment.
pub struct BffStack {
    /// `http://127.0.0.1:PORT`: nginx, the one origin of the app.
    pub origin: String,
    /// The two instances (`None`: killed).
    pub instances: [Option<Server>; 2],
    /// The sessions' store.
    pub redis: Redis,
    /// The identity provider.
    pub provider: Provider,
    _nginx: Nginx,
}

impl BffStack {
    /// Starts it, the provider's access tokens living `access_ttl_secs`.
    pub async fn start(access_ttl_secs: u64) -> Self {
        let port = free_port();
        let origin = format!("http://127.0.0.1:{port}");
        let provider = Provider::start_for_bff(&origin, CLIENT_SECRET, access_ttl_secs).await;
        let redis = Redis::start();
        let instance = || {
            Server::start(ServerOptions {
                build: Build::Bff,
                extra_args: vec![
                    format!("--bff-issuer={}", provider.issuer),
                    format!("--bff-client-secret={CLIENT_SECRET}"),
                    format!("--bff-origin={origin}"),
                    format!("--session-store={}", redis.url()),
                ],
                ..ServerOptions::default()
            })
        };
        let instances = [Some(instance()), Some(instance())];
        let ports: Vec<u16> = instances
            .iter()
            .flatten()
            .map(|server| server.port())
            .collect();
        let nginx = Nginx::start(port, &ports);
        Self {
            origin,
            instances,
            redis,
            provider,
            _nginx: nginx,
        }
    }

    /// Instance `index` (0 or 1).
    pub fn instance(&self, index: usize) -> &Server {
        self.instances[index].as_ref().expect("a running instance")
    }

    /// Kills instance `index` at once (its process group, mid-call).
    pub fn kill(&mut self, index: usize) {
        self.instances[index] = None;
    }
}
