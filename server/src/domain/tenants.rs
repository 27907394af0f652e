//! Tenants: ABP's multi-tenancy, where a tenant's users are found only when
//! a call names the tenant (`__tenant`, by id or by name).

use rusqlite::{Connection, OptionalExtension};

/// A tenant as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// Its id (a GUID), what `__tenant` carries.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether its users may sign in.
    pub is_active: bool,
}

/// The tenant whose id or name (case-insensitive) is `key`, as ABP's
/// tenant resolver reads `__tenant`.
pub fn by_id_or_name(conn: &Connection, key: &str) -> rusqlite::Result<Option<Tenant>> {
    conn.query_row(
        "SELECT id, name, is_active FROM tenants WHERE id = ?1 OR name = ?1",
        [key],
        |row| {
            Ok(Tenant {
                id: row.get(0)?,
                name: row.get(1)?,
                is_active: row.get(2)?,
            })
        },
    )
    .optional()
}

/// The tenant with `id`.
pub fn by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<Tenant>> {
    Ok(by_id_or_name(conn, id)?.filter(|tenant| tenant.id == id))
}

/// The tenant called `name` (case-insensitive).
pub fn by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<Tenant>> {
    Ok(by_id_or_name(conn, name)?.filter(|tenant| tenant.name.eq_ignore_ascii_case(name)))
}
