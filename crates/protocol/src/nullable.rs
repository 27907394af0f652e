//! Reading ABP's documents as ABP sends them: a server may send `null`
//! where a reader expects an object, an array, a string or a number
//! (`"localization": null` when the client asked
//! `includeLocalizationResources=false`, `"roles": null`, …). serde's
//! `#[serde(default)]` covers a missing field, not a `null` one; with
//! [`or_default`] both read as the default.

use serde::{Deserialize, Deserializer};

/// Deserializes `T`, reading `null` as `T::default()`. Use with
/// `#[serde(default, deserialize_with = "crate::nullable::or_default")]`.
pub fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}
