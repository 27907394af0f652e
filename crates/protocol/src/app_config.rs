//! `GET /api/abp/application-configuration`: the part of ABP's document
//! the app reads, read as ABP sends it. Every field tolerates `null` and
//! absence (see [`crate::nullable`]), fields the app does not read are
//! ignored, and both spellings of the culture (`cultureName`, and the older
//! `name`) are read. The host tests below read real documents of ABP and
//! of abp-vnext-pro, with where each came from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::nullable::or_default;

/// Who is calling, what they may do, the culture and the tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationConfiguration {
    /// Who is calling.
    #[serde(default, deserialize_with = "or_default")]
    pub current_user: CurrentUser,
    /// What they may do.
    #[serde(default, deserialize_with = "or_default")]
    pub auth: AuthConfiguration,
    /// The culture the server answers in; `None` where the server left it
    /// out (abp-vnext-pro, and the reference server, when the client asked
    /// `includeLocalizationResources=false`).
    #[serde(default)]
    pub localization: Option<Localization>,
    /// Whether the server has tenants.
    #[serde(default, deserialize_with = "or_default")]
    pub multi_tenancy: MultiTenancy,
    /// The tenant of the call (none on the host).
    #[serde(default, deserialize_with = "or_default")]
    pub current_tenant: CurrentTenant,
}

impl ApplicationConfiguration {
    /// The culture the server answered in (`cultureName`, else `name`);
    /// `None` when it did not say.
    pub fn culture(&self) -> Option<&str> {
        let culture = &self.localization.as_ref()?.current_culture;
        [culture.culture_name.as_str(), culture.name.as_str()]
            .into_iter()
            .find(|name| !name.is_empty())
    }

    /// The policies granted to the caller (a policy sent as `false` is not).
    pub fn granted_policies(&self) -> impl Iterator<Item = &str> {
        self.auth
            .granted_policies
            .iter()
            .filter(|(_, granted)| **granted)
            .map(|(name, _)| name.as_str())
    }
}

/// The `currentUser` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentUser {
    /// Whether the bearer token was accepted.
    #[serde(default, deserialize_with = "or_default")]
    pub is_authenticated: bool,
    /// The user's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The user's tenant (none for a host user).
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The login name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// The given name.
    #[serde(default)]
    pub name: Option<String>,
    /// The surname.
    #[serde(default)]
    pub sur_name: Option<String>,
    /// The e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// The user's roles.
    #[serde(default, deserialize_with = "or_default")]
    pub roles: Vec<String>,
}

/// The `auth` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfiguration {
    /// Policy name → granted. ABP sends granted ones only, as `true`.
    #[serde(default, deserialize_with = "or_default")]
    pub granted_policies: BTreeMap<String, bool>,
    /// Every policy the server defines (ABP before 7.0 only; read, never
    /// taken as granted).
    #[serde(default, deserialize_with = "or_default", skip_serializing)]
    pub policies: BTreeMap<String, bool>,
}

/// The `localization` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Localization {
    /// The translations, by resource then key; sent only when the client
    /// asked for them (`includeLocalizationResources=true`, ABP's default).
    /// Written, never read: the app has translations of its own, and
    /// reading them would cost its download 2 KB (gzip).
    #[serde(default, skip_deserializing)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The culture in use.
    #[serde(default, deserialize_with = "or_default")]
    pub current_culture: Culture,
}

/// A culture, e.g. `en` or `zh-Hans`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Culture {
    /// Its name (what ABP's own clients read).
    #[serde(default, deserialize_with = "or_default")]
    pub culture_name: String,
    /// Its name again (the field older readers took).
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    /// Its name in its own language.
    #[serde(default, deserialize_with = "or_default")]
    pub display_name: String,
}

/// The `multiTenancy` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiTenancy {
    /// Whether users belong to tenants (a login form then asks for one).
    #[serde(default, deserialize_with = "or_default")]
    pub is_enabled: bool,
}

/// The `currentTenant` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentTenant {
    /// The tenant's id (none on the host).
    #[serde(default)]
    pub id: Option<String>,
    /// The tenant's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether the call ran in a tenant.
    #[serde(default, deserialize_with = "or_default")]
    pub is_available: bool,
}

#[cfg(test)]
mod tests;
