//! `GET /api/abp/application-configuration`: the subset of ABP's document
//! the app reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who is calling, what they may do, and the culture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationConfiguration {
    /// Who is calling.
    pub current_user: CurrentUser,
    /// What they may do.
    #[serde(default)]
    pub auth: AuthConfiguration,
    /// The culture the server answers in.
    #[serde(default)]
    pub localization: Localization,
}

/// The `currentUser` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentUser {
    /// Whether the bearer token was accepted.
    pub is_authenticated: bool,
    /// The user's id.
    pub id: Option<String>,
    /// The login name.
    pub user_name: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The user's roles.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The `auth` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfiguration {
    /// Policy name → granted.
    #[serde(default)]
    pub granted_policies: BTreeMap<String, bool>,
}

/// The `localization` part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Localization {
    /// The culture in use.
    #[serde(default)]
    pub current_culture: Culture,
}

/// A culture, e.g. `en`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Culture {
    /// Its name.
    #[serde(default)]
    pub name: String,
}
