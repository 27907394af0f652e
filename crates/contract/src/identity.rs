//! ABP's Identity and permission-management documents, as its modules send
//! them (`Volo.Abp.Identity`, `Volo.Abp.PermissionManagement`): the users
//! page, a user's roles, the roles a user may get, a role's permissions.
//! Read leniently: `null` reads as the default, unknown fields are ignored.

use serde::{Deserialize, Serialize};

use crate::nullable::or_default;

/// An item of `GET /api/identity/users` (`IdentityUserDto`). It carries no
/// roles: those are `GET /api/identity/users/{id}/roles`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityUser {
    /// The user id.
    #[serde(default, deserialize_with = "or_default")]
    pub id: String,
    /// The user's tenant; none for a host user.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The login name.
    #[serde(default, deserialize_with = "or_default")]
    pub user_name: String,
    /// The given name.
    #[serde(default)]
    pub name: Option<String>,
    /// The surname.
    #[serde(default)]
    pub surname: Option<String>,
    /// The e-mail address.
    #[serde(default, deserialize_with = "or_default")]
    pub email: String,
    /// Whether the address was confirmed.
    #[serde(default, deserialize_with = "or_default")]
    pub email_confirmed: bool,
    /// The phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Whether the user may sign in.
    #[serde(default, deserialize_with = "or_default")]
    pub is_active: bool,
    /// Whether failed sign-ins can lock the user out.
    #[serde(default, deserialize_with = "or_default")]
    pub lockout_enabled: bool,
    /// ABP's optimistic concurrency stamp of the user.
    #[serde(default, deserialize_with = "or_default")]
    pub concurrency_stamp: String,
    /// When the user was created (ISO 8601, as ABP writes it).
    #[serde(default)]
    pub creation_time: Option<String>,
}

/// A role (`IdentityRoleDto`): an item of a user's roles, of the assignable
/// roles and of `GET /api/identity/roles`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRole {
    /// The role id.
    #[serde(default, deserialize_with = "or_default")]
    pub id: String,
    /// The role name.
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    /// Whether new users get it.
    #[serde(default, deserialize_with = "or_default")]
    pub is_default: bool,
    /// Whether it cannot be deleted.
    #[serde(default, deserialize_with = "or_default")]
    pub is_static: bool,
    /// Whether other users see it.
    #[serde(default, deserialize_with = "or_default")]
    pub is_public: bool,
    /// ABP's optimistic concurrency stamp of the role.
    #[serde(default, deserialize_with = "or_default")]
    pub concurrency_stamp: String,
}

/// `PUT /api/identity/users/{id}/roles` (`IdentityUserUpdateRolesDto`): the
/// complete new set of the user's roles, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRolesRequest {
    /// The role names.
    pub role_names: Vec<String>,
}

/// `GET /api/permission-management/permissions?providerName=R&providerKey=…`
/// (`GetPermissionListResultDto`): every permission, grouped, and whether
/// the provider (`R`: a role) holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionList {
    /// What the permissions are for (the role's name).
    #[serde(default, deserialize_with = "or_default")]
    pub entity_display_name: String,
    /// The groups.
    #[serde(default, deserialize_with = "or_default")]
    pub groups: Vec<PermissionGroup>,
}

impl PermissionList {
    /// The names of the permissions granted, in the order ABP lists them.
    pub fn granted(&self) -> impl Iterator<Item = &str> {
        self.groups
            .iter()
            .flat_map(|group| &group.permissions)
            .filter(|permission| permission.is_granted)
            .map(|permission| permission.name.as_str())
    }
}

/// A group of permissions (`PermissionGroupDto`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGroup {
    /// The group's name.
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    /// The group's name for people.
    #[serde(default, deserialize_with = "or_default")]
    pub display_name: String,
    /// The permissions.
    #[serde(default, deserialize_with = "or_default")]
    pub permissions: Vec<PermissionGrant>,
}

/// A permission and whether the provider holds it (`PermissionGrantInfoDto`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    /// The permission (policy) name.
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    /// Its name for people.
    #[serde(default, deserialize_with = "or_default")]
    pub display_name: String,
    /// The permission it belongs under.
    #[serde(default)]
    pub parent_name: Option<String>,
    /// Whether the provider holds it.
    #[serde(default, deserialize_with = "or_default")]
    pub is_granted: bool,
    /// Which providers may grant it (empty: any).
    #[serde(default, deserialize_with = "or_default")]
    pub allowed_providers: Vec<String>,
    /// Who grants it.
    #[serde(default, deserialize_with = "or_default")]
    pub granted_providers: Vec<PermissionProvider>,
}

/// A grantor of a permission (`ProviderInfoDto`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionProvider {
    /// `R` for a role, `U` for a user.
    #[serde(default, deserialize_with = "or_default")]
    pub provider_name: String,
    /// The role's name, or the user's id.
    #[serde(default, deserialize_with = "or_default")]
    pub provider_key: String,
}

#[cfg(test)]
mod tests;
