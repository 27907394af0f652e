//! Sessions in Redis, so that several instances share them. Per session:
//! `bff:{key}:sess`, a hash of the document (`doc`), the fence of its last
//! writer (`fence`) and the lease counter (`fseq`), expiring with the
//! session; and `bff:{key}:lease`, `"<fence>:<owner>"`, expiring with the
//! lease. The checks and their writes run as Lua scripts, each atomic in
//! Redis; the braces keep a session's keys in one slot of a cluster.

use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Client, Script};

use super::{Acquired, Lease, Record, Unavailable, Written, owner};
use crate::domain::clock::millis;

/// The longest one store operation may take, reconnecting included: past
/// it, the call fails as "temporarily unavailable" rather than hang.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);

/// Takes the lease unless held; `{1, fence}`, `{0, ms left}` or `{-1, 0}`
/// (no such session).
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, 0} end
        if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('PTTL', KEYS[1])} end
        local fence = redis.call('HINCRBY', KEYS[2], 'fseq', 1)
        redis.call('SET', KEYS[1], fence .. ':' .. ARGV[1], 'PX', ARGV[2])
        return {1, fence}
        ",
    )
});

/// Extends the lease if it is the caller's: 1, else 0.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        ",
    )
});

/// Drops the lease if it is the caller's.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        ",
    )
});

/// Writes the document if the lease is the caller's and no newer fence
/// wrote: 1; -1 lease lost; -2 a newer fence wrote; -3 the session is gone
/// (a logout during the refresh wins).
static WRITE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        if redis.call('EXISTS', KEYS[2]) == 0 then return -3 end
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
        local stored = tonumber(redis.call('HGET', KEYS[2], 'fence') or '0')
        if stored > tonumber(ARGV[2]) then return -2 end
        redis.call('HSET', KEYS[2], 'doc', ARGV[3], 'fence', ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return 1
        ",
    )
});

/// The Redis session store.
pub struct RedisSessions {
    connection: ConnectionManager,
}

fn session_key(key: &str) -> String {
    format!("bff:{{{key}}}:sess")
}

fn lease_key(key: &str) -> String {
    format!("bff:{{{key}}}:lease")
}

fn lease_value(lease: &Lease) -> String {
    format!("{}:{}", lease.fence, lease.owner)
}

fn ms(duration: Duration) -> u64 {
    millis(duration).max(1)
}

impl RedisSessions {
    /// The store at `url` (`redis://host:port`, `rediss://…`). Connects on
    /// first use, so an instance starts while Redis is down (its calls
    /// fail as unavailable until Redis is back); a URL that cannot be a
    /// Redis address is refused here.
    pub fn open(url: &str) -> Result<Self, redis::RedisError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_millis(500));
        let connection = Client::open(url)?.get_connection_manager_lazy(config)?;
        Ok(Self { connection })
    }

    /// Runs `op` on a connection within [`OPERATION_TIMEOUT`].
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, Unavailable>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = Result<T, redis::RedisError>>,
    {
        match tokio::time::timeout(OPERATION_TIMEOUT, op(self.connection.clone())).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(Unavailable(error.to_string())),
            Err(_) => Err(Unavailable(format!(
                "no answer within {OPERATION_TIMEOUT:?}"
            ))),
        }
    }

    pub(super) async fn get(&self, key: &str) -> Result<Option<Record>, Unavailable> {
        let key = session_key(key);
        let (doc, fence): (Option<String>, Option<u64>) = self
            .run(|mut c| async move {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("doc")
                    .arg("fence")
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(doc.map(|doc| Record {
            doc,
            fence: fence.unwrap_or(0),
        }))
    }

    pub(super) async fn create(
        &self,
        key: &str,
        doc: &str,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        let key = session_key(key);
        self.run(|mut c| async move {
            redis::pipe()
                .atomic()
                .hset_multiple(&key, &[("doc", doc), ("fence", "0")])
                .ignore()
                .pexpire(&key, ms(ttl) as i64)
                .ignore()
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    pub(super) async fn delete(&self, key: &str) -> Result<(), Unavailable> {
        let keys = [session_key(key), lease_key(key)];
        self.run(|mut c| async move { c.del::<_, ()>(&keys).await })
            .await
    }

    pub(super) async fn acquire(&self, key: &str, ttl: Duration) -> Result<Acquired, Unavailable> {
        let owner = owner()?;
        let (lease, session) = (lease_key(key), session_key(key));
        let answer = owner.clone();
        let (status, value): (i64, i64) = self
            .run(|mut c| async move {
                ACQUIRE
                    .key(&lease)
                    .key(&session)
                    .arg(&answer)
                    .arg(ms(ttl))
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(match status {
            1 => Acquired::Held(Lease {
                owner,
                fence: u64::try_from(value).unwrap_or(0),
            }),
            0 => Acquired::Busy(Duration::from_millis(u64::try_from(value).unwrap_or(0))),
            _ => Acquired::Gone,
        })
    }

    pub(super) async fn renew(
        &self,
        key: &str,
        lease: &Lease,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let (key, value) = (lease_key(key), lease_value(lease));
        let renewed: i64 = self
            .run(|mut c| async move {
                RENEW
                    .key(&key)
                    .arg(&value)
                    .arg(ms(ttl))
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(renewed == 1)
    }

    pub(super) async fn release(&self, key: &str, lease: &Lease) -> Result<(), Unavailable> {
        let (key, value) = (lease_key(key), lease_value(lease));
        self.run(|mut c| async move {
            RELEASE
                .key(&key)
                .arg(&value)
                .invoke_async::<i64>(&mut c)
                .await
        })
        .await
        .map(drop)
    }

    pub(super) async fn write(
        &self,
        key: &str,
        lease: &Lease,
        doc: &str,
        ttl: Duration,
    ) -> Result<Written, Unavailable> {
        let (lease_key, session_key, value) =
            (lease_key(key), session_key(key), lease_value(lease));
        let fence = lease.fence;
        let written: i64 = self
            .run(|mut c| async move {
                WRITE
                    .key(&lease_key)
                    .key(&session_key)
                    .arg(&value)
                    .arg(fence)
                    .arg(doc)
                    .arg(ms(ttl))
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(match written {
            1 => Written::Kept,
            -2 => Written::Stale,
            -3 => Written::Gone,
            _ => Written::LeaseLost,
        })
    }
}
