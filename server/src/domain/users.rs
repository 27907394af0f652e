//! Queries about users: credentials, roles and the access token serials.
//! A user belongs to the host or to one tenant, and is found only in it:
//! every lookup by name takes the tenant (`None`: the host).

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::roles::{self, ADMIN_ROLE};

/// A user and their roles, as stored (the identity API sends it as the
/// contract's `IdentityUser`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// GUID-formatted id.
    pub id: String,
    /// The tenant; `None` for a host user.
    pub tenant_id: Option<String>,
    /// Login name.
    pub user_name: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// ABP's concurrency stamp: new on every change of the user.
    pub concurrency_stamp: String,
    /// Role names, sorted.
    pub roles: Vec<String>,
}

/// What a login is checked against.
pub struct Credentials {
    /// The user id.
    pub id: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// The authenticator key, when the user signs in with a second factor.
    pub two_factor_key: Option<Vec<u8>>,
}

/// The columns [`user_without_roles`] reads, in its order.
const USER_COLUMNS: &str = "id, tenant_id, user_name, name, email, concurrency_stamp";

/// Why a role change was refused.
#[derive(Debug, thiserror::Error)]
pub enum RolesUpdateError {
    /// No user has the id.
    #[error("no such user")]
    UnknownUser,
    /// These role names do not exist.
    #[error("unknown roles: {0:?}")]
    UnknownRoles(Vec<String>),
    /// The change would leave no user with the admin role.
    #[error("the last admin cannot lose the admin role")]
    LastAdmin,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

/// The credentials of the user called `user_name` (case-insensitive) in
/// `tenant` (`None`: the host).
pub fn credentials(
    conn: &Connection,
    tenant: Option<&str>,
    user_name: &str,
) -> rusqlite::Result<Option<Credentials>> {
    conn.query_row(
        "SELECT id, password_hash, two_factor_key FROM users
         WHERE user_name = ?1 AND tenant_id IS ?2",
        params![user_name, tenant],
        |row| {
            Ok(Credentials {
                id: row.get(0)?,
                password_hash: row.get(1)?,
                two_factor_key: row.get(2)?,
            })
        },
    )
    .optional()
}

/// The id of the user called `user_name` (case-insensitive), in any tenant
/// (user names are unique across tenants here; the test controls name
/// users so).
pub fn id_by_name(conn: &Connection, user_name: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM users WHERE user_name = ?1",
        [user_name],
        |row| row.get(0),
    )
    .optional()
}

/// The authenticator key of the user called `user_name`, if they sign in
/// with a second factor.
pub fn two_factor_key(conn: &Connection, user_name: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row(
            "SELECT two_factor_key FROM users WHERE user_name = ?1",
            [user_name],
            |row| row.get::<_, Option<Vec<u8>>>(0),
        )
        .optional()?
        .flatten())
}

/// The user with `id`, with their roles.
pub fn by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<User>> {
    Ok(by_id_with_access_cutoff(conn, id)?.map(|(user, _)| user))
}

/// The user with `id`, with their roles, and the lowest access token serial
/// still accepted for them (see [`expire_access_tokens`]), in one read of
/// the user's row.
pub fn by_id_with_access_cutoff(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(User, u64)>> {
    let found = conn
        .query_row(
            &format!("SELECT {USER_COLUMNS}, access_valid_from FROM users WHERE id = ?1"),
            [id],
            |row| Ok((user_without_roles(row)?, row.get(6)?)),
        )
        .optional()?;
    found
        .map(|(user, valid_from)| Ok((with_roles(conn, user)?, valid_from)))
        .transpose()
}

/// The users of `tenant` (`None`: the host) by user name, `skip` and at
/// most `take` of them, with their roles; and how many there are in all.
pub fn page(
    conn: &Connection,
    tenant: Option<&str>,
    skip: u64,
    take: u64,
) -> rusqlite::Result<(u64, Vec<User>)> {
    let total = conn.query_row(
        "SELECT COUNT(*) FROM users WHERE tenant_id IS ?1",
        [tenant],
        |row| row.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id IS ?1
         ORDER BY user_name LIMIT ?2 OFFSET ?3"
    ))?;
    let users = stmt
        .query_map(
            params![
                tenant,
                i64::try_from(take).unwrap_or(i64::MAX),
                i64::try_from(skip).unwrap_or(i64::MAX)
            ],
            user_without_roles,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let users = users
        .into_iter()
        .map(|user| with_roles(conn, user))
        .collect::<rusqlite::Result<_>>()?;
    Ok((total, users))
}

/// How many users exist, in every tenant.
pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
}

/// Takes the next access token serial for the user.
pub fn next_access_serial(conn: &Connection, user_id: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "UPDATE users SET access_serial = access_serial + 1 WHERE id = ?1 RETURNING access_serial",
        [user_id],
        |row| row.get(0),
    )
}

/// Refuses every access token issued to the user so far; later ones are accepted.
pub fn expire_access_tokens(conn: &Connection, user_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET access_valid_from = access_serial + 1 WHERE id = ?1",
        [user_id],
    )?;
    Ok(())
}

/// Replaces the roles of the user `user_id` of `tenant` with `roles`
/// (duplicates ignored), gives the user a new concurrency stamp, and
/// returns the updated user. Refuses a user of another tenant (as unknown),
/// unknown roles, and taking the admin role from the tenant's only admin.
pub fn set_roles(
    conn: &mut Connection,
    tenant: Option<&str>,
    user_id: &str,
    roles: &[String],
    stamp: &str,
) -> Result<User, RolesUpdateError> {
    // Immediate: the write lock is taken (waiting out the busy timeout)
    // before the reads. A deferred transaction that has read cannot wait for
    // a writer in another process: SQLite refuses its upgrade at once with
    // "database is locked".
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let user = by_id(&tx, user_id)?
        .filter(|user| user.tenant_id.as_deref() == tenant)
        .ok_or(RolesUpdateError::UnknownUser)?;
    let wanted: BTreeSet<&str> = roles.iter().map(String::as_str).collect();
    let known = roles::names(&tx)?;
    let unknown: Vec<String> = wanted
        .iter()
        .filter(|role| !known.contains(**role))
        .map(|role| (*role).to_owned())
        .collect();
    if !unknown.is_empty() {
        return Err(RolesUpdateError::UnknownRoles(unknown));
    }
    let loses_admin =
        user.roles.iter().any(|role| role == ADMIN_ROLE) && !wanted.contains(ADMIN_ROLE);
    if loses_admin && roles::holder_count(&tx, ADMIN_ROLE, tenant)? <= 1 {
        return Err(RolesUpdateError::LastAdmin);
    }
    tx.execute("DELETE FROM user_roles WHERE user_id = ?1", [user_id])?;
    for role in &wanted {
        tx.execute(
            "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)",
            params![user_id, role],
        )?;
    }
    tx.execute(
        "UPDATE users SET concurrency_stamp = ?2 WHERE id = ?1",
        params![user_id, stamp],
    )?;
    let updated = by_id(&tx, user_id)?.ok_or(RolesUpdateError::UnknownUser)?;
    tx.commit()?;
    Ok(updated)
}

fn user_without_roles(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        tenant_id: row.get(1)?,
        user_name: row.get(2)?,
        name: row.get(3)?,
        email: row.get(4)?,
        concurrency_stamp: row.get(5)?,
        roles: Vec::new(),
    })
}

fn with_roles(conn: &Connection, mut user: User) -> rusqlite::Result<User> {
    let mut stmt = conn.prepare("SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role")?;
    user.roles = stmt
        .query_map([&user.id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(user)
}
