//! ABP's tenant lookup: `GET /api/abp/multi-tenancy/tenants/by-name/{name}`
//! (and `by-id/{id}`).

use serde::{Deserialize, Serialize};

use crate::nullable::or_default;

/// `FindTenantResultDto`. An unknown name is a `200` with `success: false`,
/// not a `404`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindTenantResult {
    /// Whether a tenant of that name exists.
    #[serde(default, deserialize_with = "or_default")]
    pub success: bool,
    /// Its id: what `__tenant` carries.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// Its name as stored.
    #[serde(default)]
    pub name: Option<String>,
    /// Its normalized name (newer ABP).
    #[serde(default)]
    pub normalized_name: Option<String>,
    /// Whether its users may sign in (newer ABP; an older server leaves it
    /// out).
    #[serde(default)]
    pub is_active: Option<bool>,
}

impl FindTenantResult {
    /// The tenant's id when it exists and its users may sign in (an older
    /// server that does not say counts as yes).
    pub fn usable_id(&self) -> Option<&str> {
        let id = self.tenant_id.as_deref().filter(|id| !id.is_empty())?;
        (self.success && self.is_active != Some(false)).then_some(id)
    }
}
