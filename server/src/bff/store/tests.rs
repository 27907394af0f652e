//! The stores' lease and fence, alike in SQLite and in a real Redis
//! (`redis-server` on a free port, started here).

use std::sync::Arc;
use std::time::Duration;

use super::{Acquired, Lease, RedisSessions, SessionStore, SqliteSessions, Written};
use crate::domain::clock::{Clock, ManualTime};

const TTL: Duration = Duration::from_secs(60);
const LEASE: Duration = Duration::from_secs(10);

/// A `redis-server` on a free loopback port, killed when dropped.
pub(crate) struct RedisServer {
    pub(crate) url: String,
    child: tokio::process::Child,
}

impl RedisServer {
    pub(crate) async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = tokio::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server (scripts/install-tools.sh --test installs it)");
        let url = format!("redis://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self { url, child };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on {port}");
    }

    /// The server's keys and values, for looking behind the store.
    pub(crate) async fn dump(&self) -> String {
        let client = redis::Client::open(self.url.as_str()).expect("url");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .expect("connection");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut connection)
            .await
            .expect("keys");
        let mut dump = String::new();
        for key in keys {
            let values: Vec<String> = redis::cmd("HVALS")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .unwrap_or_default();
            dump.push_str(&format!("{key} {values:?}\n"));
        }
        dump
    }

    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

fn sqlite() -> (SessionStore, ManualTime) {
    let (clock, time) = Clock::manual(1_700_000_000_000);
    let store = crate::schema::open(std::path::Path::new(":memory:")).expect("database");
    (
        SessionStore::Sqlite(SqliteSessions::new(Arc::new(store), clock)),
        time,
    )
}

fn held(acquired: Acquired) -> Lease {
    match acquired {
        Acquired::Held(lease) => lease,
        other => panic!("expected the lease, got {other:?}"),
    }
}

/// One lease at a time; a write only from the live holder with the newest
/// fence; a deleted session takes no writes and gives no lease.
async fn leases_are_exclusive_and_writes_fenced(
    store: &SessionStore,
    expire_lease: impl AsyncFn(),
) {
    store.create("k", "v0", TTL).await.expect("create");
    let first = held(store.acquire("k", LEASE).await.expect("acquire"));
    assert!(matches!(
        store.acquire("k", LEASE).await.expect("acquire"),
        Acquired::Busy(_)
    ));
    assert_eq!(
        store.write("k", &first, "v1", TTL).await.expect("write"),
        Written::Kept
    );
    assert!(store.renew("k", &first, LEASE).await.expect("renew"));

    // The first holder stalls past its lease; a second takes over.
    expire_lease().await;
    let second = held(store.acquire("k", LEASE).await.expect("acquire"));
    assert!(second.fence > first.fence, "fences grow");
    assert_eq!(
        store.write("k", &first, "stale", TTL).await.expect("write"),
        Written::LeaseLost,
        "a lapsed holder writes nothing"
    );
    assert!(!store.renew("k", &first, LEASE).await.expect("renew"));
    store.release("k", &first).await.expect("release");
    assert_eq!(
        store.write("k", &second, "v2", TTL).await.expect("write"),
        Written::Kept,
        "another's release leaves the lease"
    );
    let record = store.get("k").await.expect("get").expect("a session");
    assert_eq!((record.doc.as_str(), record.fence), ("v2", second.fence));

    store.release("k", &second).await.expect("release");
    let third = held(store.acquire("k", LEASE).await.expect("acquire"));
    store.delete("k").await.expect("delete");
    assert_eq!(
        store.write("k", &third, "v3", TTL).await.expect("write"),
        Written::Gone,
        "a logout during a refresh wins"
    );
    assert_eq!(store.get("k").await.expect("get"), None);
    assert_eq!(
        store.acquire("k", LEASE).await.expect("acquire"),
        Acquired::Gone
    );
}

#[tokio::test]
async fn sqlite_leases_are_exclusive_and_writes_fenced() {
    let (store, time) = sqlite();
    leases_are_exclusive_and_writes_fenced(&store, async || time.advance(LEASE)).await;
}

#[tokio::test]
async fn redis_leases_are_exclusive_and_writes_fenced() {
    let redis = RedisServer::start().await;
    let store = SessionStore::Redis(RedisSessions::open(&redis.url).expect("url"));
    // Redis keeps its own time: wait the lease out (a short one).
    let short = Duration::from_millis(300);
    store.create("k", "v0", TTL).await.expect("create");
    let lease = held(store.acquire("k", short).await.expect("acquire"));
    tokio::time::sleep(short * 2).await;
    assert_eq!(
        store.write("k", &lease, "late", TTL).await.expect("write"),
        Written::LeaseLost
    );
    store.delete("k").await.expect("delete");
    leases_are_exclusive_and_writes_fenced(&store, async || {
        // Drop every lease key, as their expiry would.
        let client = redis::Client::open(redis.url.as_str()).expect("url");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .expect("connection");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("bff:*:lease")
            .query_async(&mut connection)
            .await
            .expect("keys");
        for key in keys {
            let _: () = redis::cmd("DEL")
                .arg(key)
                .query_async(&mut connection)
                .await
                .expect("del");
        }
    })
    .await;
}

#[tokio::test]
async fn a_session_outlives_a_redis_outage_and_calls_fail_meanwhile() {
    let redis = RedisServer::start().await;
    let store = SessionStore::Redis(RedisSessions::open(&redis.url).expect("url"));
    store.create("k", "v0", TTL).await.expect("create");
    let pid = redis.pid().expect("a pid");
    let signal = |name: &str| {
        std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .expect("kill")
    };
    signal("STOP");
    let started = std::time::Instant::now();
    assert!(store.get("k").await.is_err(), "unavailable, not a hang");
    assert!(started.elapsed() < Duration::from_secs(5));
    signal("CONT");
    let mut back = None;
    for _ in 0..40 {
        if let Ok(record) = store.get("k").await {
            back = record;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        back.map(|r| r.doc),
        Some("v0".to_owned()),
        "the session is still there"
    );
}
