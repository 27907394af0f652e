//! The SQLite database: opening, schema migrations (`rusqlite_migration`,
//! which counts them in `PRAGMA user_version`) and the single shared
//! connection.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use rusqlite_migration::{HookError, HookResult, M, Migrations, SchemaVersion};
use tokio::runtime::RuntimeFlavor;

use crate::seed;
use crate::state::StartupError;

/// The first schema; applying it also seeds the demo data, in the same
/// transaction.
const SCHEMA_V1: &str = r"
CREATE TABLE policies (name TEXT PRIMARY KEY);
CREATE TABLE roles (name TEXT PRIMARY KEY);
CREATE TABLE role_policies (
    role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    policy TEXT NOT NULL REFERENCES policies(name) ON DELETE CASCADE,
    PRIMARY KEY (role, policy)
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- serial of the newest access token issued to the user
    access_serial INTEGER NOT NULL DEFAULT 0,
    -- access tokens with a lower serial are refused
    access_valid_from INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role)
);
-- one family per login; rotation adds tokens to it, never extends it
CREATE TABLE refresh_families (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at_ms INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_families_by_user ON refresh_families(user_id);
CREATE TABLE refresh_tokens (
    hash BLOB PRIMARY KEY, -- SHA-256 of the token; the token itself is never stored
    family_id INTEGER NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    used_at_ms INTEGER -- set when rotated
);
";

/// The schema migrations, oldest first; the database's `user_version` is
/// how many have run. Append, never edit.
fn migrations() -> Vec<M<'static>> {
    vec![M::up_with_hook(SCHEMA_V1, seed_demo_data)]
}

fn seed_demo_data(tx: &Transaction<'_>) -> HookResult {
    seed::seed(tx).map_err(|error| match error {
        StartupError::Db(cause) => HookError::RusqliteError(cause),
        other => HookError::Hook(other.to_string()),
    })
}

/// How long a statement waits for another connection (another server
/// process on the same file) to release its lock before failing with
/// "database is locked". Writes take the lock up front (immediate
/// transactions), so they wait here instead of failing at once.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The database behind a mutex: queries are short and synchronous, so they
/// run on the async threads while holding it, never across an `.await`.
pub struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating the parent folder and the file if needed) and migrates
    /// the database at `path`; a fresh database is seeded with the demo data.
    /// `:memory:` opens a private in-memory database.
    pub fn open(path: &Path) -> Result<Self, StartupError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StartupError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
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

fn migrate(conn: &mut Connection) -> Result<(), StartupError> {
    let steps = migrations();
    let supported = steps.len();
    let migrations = Migrations::new(steps);
    // `to_latest` refuses a newer schema too; this says so in our words.
    if let SchemaVersion::Outside(found) = migrations.current_version(conn)? {
        return Err(StartupError::SchemaTooNew {
            found: found.get(),
            supported,
        });
    }
    migrations.to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(db: &Db, sql: &str) -> rusqlite::Result<i64> {
        db.with(|conn| conn.query_row(sql, [], |row| row.get(0)))
    }

    #[test]
    fn the_migrations_apply_to_an_empty_database() {
        assert_eq!(Migrations::new(migrations()).validate(), Ok(()));
    }

    #[test]
    fn first_open_creates_folder_migrates_and_seeds_once() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("nested/folder/test.sqlite");
        let db = Db::open(&path)?;
        assert_eq!(count(&db, "PRAGMA user_version")?, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users")?, 2);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM roles")?, 3);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM role_policies WHERE role = 'admin'"
            )?,
            4
        );
        drop(db);

        // Reopening neither re-runs the migration nor seeds again.
        let db = Db::open(&path)?;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users")?, 2);
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("future.sqlite");
        Connection::open(&path)?.pragma_update(None, "user_version", 99)?;
        assert!(matches!(
            Db::open(&path),
            Err(StartupError::SchemaTooNew { found: 99, .. })
        ));
        Ok(())
    }
}
