//! The demo roles and accounts a fresh database starts with.

use rusqlite::{Connection, params};

use crate::domain::policy::Policy;
use crate::domain::roles::ADMIN_ROLE;
use crate::domain::{password, random};
use crate::startup_error::StartupError;

/// Seeded roles and the policies each grants.
const ROLES: [(&str, &[Policy]); 3] = [
    (ADMIN_ROLE, &Policy::ALL),
    ("user", &[Policy::DashboardView]),
    ("auditor", &[Policy::DashboardView, Policy::ReportsView]),
];

/// A demo account created on first start.
pub struct DemoAccount {
    /// Login name.
    pub user_name: &'static str,
    /// Login password.
    pub password: &'static str,
    /// Display name.
    pub name: &'static str,
    /// E-mail address.
    pub email: &'static str,
    /// The single role it starts with.
    pub role: &'static str,
}

/// The demo accounts, printed at start.
pub const DEMO_ACCOUNTS: [DemoAccount; 2] = [
    DemoAccount {
        user_name: "admin",
        password: "admin123",
        name: "Administrator",
        email: "admin@example.com",
        role: ADMIN_ROLE,
    },
    DemoAccount {
        user_name: "alice",
        password: "alice123",
        name: "Alice Liddell",
        email: "alice@example.com",
        role: "user",
    },
];

/// Inserts the policies, roles and demo accounts into an empty schema.
pub fn seed(conn: &Connection) -> Result<(), StartupError> {
    for policy in Policy::ALL {
        conn.execute("INSERT INTO policies (name) VALUES (?1)", [policy.name()])?;
    }
    for (role, policies) in ROLES {
        conn.execute("INSERT INTO roles (name) VALUES (?1)", [role])?;
        for policy in policies {
            conn.execute(
                "INSERT INTO role_policies (role, policy) VALUES (?1, ?2)",
                [role, policy.name()],
            )?;
        }
    }
    for account in &DEMO_ACCOUNTS {
        let id = random::guid().map_err(StartupError::Random)?;
        let hash = password::hash(account.password).map_err(StartupError::Hash)?;
        conn.execute(
            "INSERT INTO users (id, user_name, name, email, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, account.user_name, account.name, account.email, hash],
        )?;
        conn.execute(
            "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)",
            [&id, account.role],
        )?;
    }
    Ok(())
}
