//! The SQLite file: opening it, and its schema migrations
//! (`rusqlite_migration`, which counts them in `PRAGMA user_version`); a
//! fresh file is seeded with the demo data.

use std::path::Path;

use rusqlite::{Connection, Transaction};
use rusqlite_migration::{HookError, HookResult, M, Migrations, SchemaVersion};

use crate::domain::store::{BUSY_TIMEOUT, Store};
use crate::seed;
use crate::startup_error::StartupError;

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

/// ABP's multi-tenancy, two-factor sign-in and the ids and concurrency
/// stamps of its Identity API; applying it also seeds the demo tenant and
/// the demo two-factor user, in the same transaction.
const SCHEMA_V2: &str = r"
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    is_active INTEGER NOT NULL DEFAULT 1
);
-- a tenant's users are found only when a call names the tenant; NULL: the host
ALTER TABLE users ADD COLUMN tenant_id TEXT REFERENCES tenants(id);
-- the authenticator key of a user who signs in with a second factor
ALTER TABLE users ADD COLUMN two_factor_key BLOB;
-- ABP's optimistic concurrency stamp, new on every change of the user
ALTER TABLE users ADD COLUMN concurrency_stamp TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE roles ADD COLUMN id TEXT;
ALTER TABLE roles ADD COLUMN concurrency_stamp TEXT NOT NULL DEFAULT '';
";

/// Idempotent rotation (`crate::domain::replays`): the answer of a rotation
/// made with an `Idempotency-Key`, sealed under a key only the spent token
/// gives, kept for a retry within the window.
const SCHEMA_V3: &str = r"
CREATE TABLE refresh_replays (
    token_hash BLOB PRIMARY KEY REFERENCES refresh_tokens(hash) ON DELETE CASCADE,
    key_hash BLOB NOT NULL,        -- SHA-256 of the Idempotency-Key
    successor_hash BLOB NOT NULL,  -- SHA-256 of the refresh token issued
    nonce BLOB NOT NULL,
    sealed BLOB NOT NULL,          -- the answer, ChaCha20-Poly1305
    issued_at_ms INTEGER NOT NULL
);
CREATE INDEX refresh_replays_by_age ON refresh_replays(issued_at_ms);
";

/// BFF sessions (`crate::bff::store::SqliteSessions`): the document (its
/// tokens sealed) under the SHA-256 of the session id, the fence of its last
/// writer, and the refresh lease.
const SCHEMA_V4: &str = r"
CREATE TABLE bff_sessions (
    key TEXT PRIMARY KEY,          -- SHA-256 of the session id, hex
    doc TEXT NOT NULL,             -- JSON, the tokens sealed
    fence INTEGER NOT NULL,        -- the lease fence of the last write
    expires_at_ms INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until_ms INTEGER,
    lease_fence INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bff_sessions_by_expiry ON bff_sessions(expires_at_ms);
";

/// The schema migrations, oldest first; the database's `user_version` is
/// how many have run. Append, never edit.
fn migrations() -> Vec<M<'static>> {
    vec![
        M::up_with_hook(SCHEMA_V1, |tx: &Transaction<'_>| hook(seed::seed(tx))),
        M::up_with_hook(SCHEMA_V2, |tx: &Transaction<'_>| {
            hook(seed::seed_tenants_and_two_factor(tx))
        }),
        M::up(SCHEMA_V3),
        M::up(SCHEMA_V4),
    ]
}

/// A seeding outcome as a migration hook's.
fn hook(seeded: Result<(), StartupError>) -> HookResult {
    seeded.map_err(|error| match error {
        StartupError::Db(cause) => HookError::RusqliteError(cause),
        other => HookError::Hook(other.to_string()),
    })
}

/// Opens (creating the parent folder and the file if needed) and migrates
/// the database at `path`; a fresh database is seeded with the demo data.
/// `:memory:` opens a private in-memory database.
pub fn open(path: &Path) -> Result<Store, StartupError> {
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
    Ok(Store::new(conn))
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

    fn count(db: &Store, sql: &str) -> rusqlite::Result<i64> {
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
        let db = open(&path)?;
        assert_eq!(count(&db, "PRAGMA user_version")?, 4);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users")?, 4);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM tenants")?, 1);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM users WHERE tenant_id IS NOT NULL"
            )?,
            2
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM users WHERE two_factor_key IS NOT NULL"
            )?,
            1
        );
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
        let db = open(&path)?;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM users")?, 4);
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("future.sqlite");
        Connection::open(&path)?.pragma_update(None, "user_version", 99)?;
        assert!(matches!(
            open(&path),
            Err(StartupError::SchemaTooNew { found: 99, .. })
        ));
        Ok(())
    }
}
