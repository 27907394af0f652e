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

/// The demo tenant: its users sign in only when the call names it
/// (`__tenant`, or the login form's tenant field).
pub const DEMO_TENANT: &str = "acme";

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
    /// Its tenant ([`DEMO_TENANT`]), or none: a host user.
    pub tenant: Option<&'static str>,
    /// Whether it signs in with an authenticator code as well.
    pub two_factor: bool,
}

impl DemoAccount {
    /// Whether the first schema seeded it (the others came with tenants and
    /// two-factor sign-in).
    fn in_first_schema(&self) -> bool {
        self.tenant.is_none() && !self.two_factor
    }
}

/// The demo accounts, printed at start.
pub const DEMO_ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        user_name: "admin",
        password: "admin123",
        name: "Administrator",
        email: "admin@example.com",
        role: ADMIN_ROLE,
        tenant: None,
        two_factor: false,
    },
    DemoAccount {
        user_name: "alice",
        password: "alice123",
        name: "Alice Liddell",
        email: "alice@example.com",
        role: "user",
        tenant: None,
        two_factor: false,
    },
    DemoAccount {
        user_name: "wile",
        password: "wile123",
        name: "Wile E. Coyote",
        email: "wile@acme.example.com",
        role: ADMIN_ROLE,
        tenant: Some(DEMO_TENANT),
        two_factor: false,
    },
    DemoAccount {
        user_name: "bob",
        password: "bob123",
        name: "Bob Runner",
        email: "bob@acme.example.com",
        role: "user",
        tenant: Some(DEMO_TENANT),
        two_factor: true,
    },
];

/// Inserts the policies, roles and the first schema's demo accounts into an
/// empty schema.
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
    // In the first schema's columns: a migration's seed must not use the
    // columns of later ones.
    for account in DEMO_ACCOUNTS.iter().filter(|a| a.in_first_schema()) {
        let id = guid()?;
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

/// Gives every role an id and a concurrency stamp and every user a stamp,
/// then adds the demo tenant with its users (one of them signing in with
/// two factors).
pub fn seed_tenants_and_two_factor(conn: &Connection) -> Result<(), StartupError> {
    let roles: Vec<String> = conn
        .prepare("SELECT name FROM roles")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for role in roles {
        conn.execute(
            "UPDATE roles SET id = ?2, concurrency_stamp = ?3 WHERE name = ?1",
            params![role, guid()?, stamp()?],
        )?;
    }
    let users: Vec<String> = conn
        .prepare("SELECT id FROM users")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for user in users {
        conn.execute(
            "UPDATE users SET concurrency_stamp = ?2 WHERE id = ?1",
            params![user, stamp()?],
        )?;
    }
    let tenant = guid()?;
    conn.execute(
        "INSERT INTO tenants (id, name) VALUES (?1, ?2)",
        params![tenant, DEMO_TENANT],
    )?;
    for account in DEMO_ACCOUNTS.iter().filter(|a| !a.in_first_schema()) {
        insert_account(conn, account, account.tenant.map(|_| tenant.as_str()))?;
    }
    Ok(())
}

fn insert_account(
    conn: &Connection,
    account: &DemoAccount,
    tenant_id: Option<&str>,
) -> Result<(), StartupError> {
    let id = guid()?;
    let hash = password::hash(account.password).map_err(StartupError::Hash)?;
    let two_factor_key = if account.two_factor {
        Some(
            random::bytes::<20>()
                .map_err(StartupError::Random)?
                .to_vec(),
        )
    } else {
        None
    };
    conn.execute(
        "INSERT INTO users (id, user_name, name, email, password_hash, tenant_id, two_factor_key, concurrency_stamp)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            account.user_name,
            account.name,
            account.email,
            hash,
            tenant_id,
            two_factor_key,
            stamp()?
        ],
    )?;
    conn.execute(
        "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)",
        [&id, account.role],
    )?;
    Ok(())
}

fn guid() -> Result<String, StartupError> {
    random::guid().map_err(StartupError::Random)
}

fn stamp() -> Result<String, StartupError> {
    random::stamp().map_err(StartupError::Random)
}

/// The reference server's own `app-config.json`: the demo accounts, for
/// the login page to show (an app deployed elsewhere shows none).
pub fn deployment_document() -> String {
    let accounts: Vec<serde_json::Value> = DEMO_ACCOUNTS
        .iter()
        .map(|account| {
            serde_json::json!({
                "userName": account.user_name,
                "password": account.password,
                "tenant": account.tenant,
                "twoFactor": account.two_factor,
            })
        })
        .collect();
    serde_json::json!({ "DEMO_ACCOUNTS": accounts }).to_string()
}
