//! Queries about roles and the policies they grant.

use std::collections::BTreeSet;

use rusqlite::Connection;

/// The role that holds every policy, and that the last holder may not lose.
pub const ADMIN_ROLE: &str = "admin";

/// A role as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Its id (a GUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// ABP's concurrency stamp of the role.
    pub concurrency_stamp: String,
}

/// Every role, by name.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Role>> {
    let mut stmt = conn.prepare("SELECT id, name, concurrency_stamp FROM roles ORDER BY name")?;
    stmt.query_map([], |row| {
        Ok(Role {
            id: row.get(0)?,
            name: row.get(1)?,
            concurrency_stamp: row.get(2)?,
        })
    })?
    .collect()
}

/// The policies `role` grants, sorted; `None` when there is no such role.
pub fn policies_of_role(conn: &Connection, role: &str) -> rusqlite::Result<Option<Vec<String>>> {
    if !names(conn)?.contains(role) {
        return Ok(None);
    }
    let mut stmt =
        conn.prepare("SELECT policy FROM role_policies WHERE role = ?1 ORDER BY policy")?;
    stmt.query_map([role], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()
        .map(Some)
}

/// The names of all roles.
pub fn names(conn: &Connection) -> rusqlite::Result<BTreeSet<String>> {
    let mut stmt = conn.prepare("SELECT name FROM roles")?;
    stmt.query_map([], |row| row.get(0))?.collect()
}

/// The names of the policies the role table grants `roles`; a name that is
/// not a role grants nothing.
pub fn policies_of(conn: &Connection, roles: &[String]) -> rusqlite::Result<BTreeSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT policy FROM role_policies WHERE role = ?1")?;
    let mut policies = BTreeSet::new();
    for role in roles {
        for policy in stmt.query_map([role], |row| row.get(0))? {
            policies.insert(policy?);
        }
    }
    Ok(policies)
}

/// How many users of `tenant` (`None`: the host) hold `role`.
pub fn holder_count(conn: &Connection, role: &str, tenant: Option<&str>) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = ?1 AND u.tenant_id IS ?2",
        rusqlite::params![role, tenant],
        |row| row.get(0),
    )
}
