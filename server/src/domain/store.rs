//! The one SQLite connection the service shares: queries are short and
//! synchronous, so they run on the async threads while holding it, never
//! across an `.await`. Opening and migrating the file is start-up's
//! (`crate::schema`).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use tokio::runtime::RuntimeFlavor;

/// How long a statement waits for another connection (another server
/// process on the same file) to release its lock before failing with
/// "database is locked". Writes take the lock up front (immediate
/// transactions), so they wait here instead of failing at once.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The database connection behind a mutex.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// The store over an opened and migrated connection.
    pub fn new(conn: Connection) -> Self {
        Self {
            conn: Mutex::new(conn),
        }
    }

    /// Runs `f` with exclusive use of the connection.
    pub fn with<T, E>(&self, f: impl FnOnce(&mut Connection) -> Result<T, E>) -> Result<T, E> {
        let run = || {
            // A panic while holding the lock cannot leave a half-done write
            // behind: an unfinished transaction rolls back when dropped.
            let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        };
        // Usually quick, but another process's write can keep a statement
        // waiting up to BUSY_TIMEOUT: on the multi-threaded runtime, hand this
        // worker's other tasks (and its timers and sockets) to another thread
        // meanwhile, so one wait cannot stall the server. (Seen: a worker
        // blocked in the wait kept the runtime's timer from firing.)
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(run)
            }
            _ => run(),
        }
    }
}
