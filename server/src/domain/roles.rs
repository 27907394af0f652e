//! Queries about roles and the policies they grant.

use std::collections::BTreeSet;

use rusqlite::Connection;
use silent_refresh_contract::identity::IdentityRole;

/// The role that holds every policy, and that the last holder may not lose.
pub const ADMIN_ROLE: &str = "admin";

/// Every role with its policies (sorted), by name.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<IdentityRole>> {
    let mut stmt =
        conn.prepare("SELECT policy FROM role_policies WHERE role = ?1 ORDER BY policy")?;
    names(conn)?
        .into_iter()
        .map(|name| {
            let granted_policies = stmt
                .query_map([&name], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(IdentityRole {
                name,
                granted_policies,
            })
        })
        .collect()
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

/// How many users hold `role`.
pub fn holder_count(conn: &Connection, role: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COUNT(*) FROM user_roles WHERE role = ?1",
        [role],
        |row| row.get(0),
    )
}
