//! The identity admin documents: users, roles, a user's new roles.

use serde::{Deserialize, Serialize};

/// An item of `GET /api/identity/users`, and the answer of a role change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityUser {
    /// The user id.
    pub id: String,
    /// The login name.
    pub user_name: String,
    /// The display name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The user's roles, sorted.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// An item of `GET /api/identity/roles`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRole {
    /// The role name.
    pub name: String,
    /// The policies the role grants, sorted.
    #[serde(default)]
    pub granted_policies: Vec<String>,
}

/// `PUT /api/identity/users/{id}/roles`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRolesRequest {
    /// The complete new set of roles.
    pub roles: Vec<String>,
}
