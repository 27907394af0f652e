//! `UserStore`: who is logged in, with their roles and granted policies.

use std::collections::BTreeSet;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use silent_refresh_protocol::ApplicationConfiguration;
use silent_refresh_web::storage;

/// The `localStorage` key of the current user of the session named `name`.
pub fn user_key(name: &str) -> String {
    format!("{name}.user")
}

/// The current user as the application configuration describes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The user id.
    pub id: String,
    /// The login name.
    pub user_name: String,
    /// The display name.
    pub name: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The roles.
    pub roles: Vec<String>,
    /// The policies granted through those roles.
    pub granted_policies: BTreeSet<String>,
}

impl UserInfo {
    /// A user known only by the login answer, before the configuration is in.
    pub fn signed_in(id: String, user_name: String) -> Self {
        Self {
            id,
            user_name,
            ..Self::default()
        }
    }

    /// The user the configuration describes, `None` when it says anonymous.
    pub fn from_configuration(configuration: ApplicationConfiguration) -> Option<Self> {
        let granted_policies = configuration
            .granted_policies()
            .map(str::to_owned)
            .collect();
        let user = configuration.current_user;
        if !user.is_authenticated {
            return None;
        }
        Some(Self {
            id: user.id?,
            user_name: user.user_name.unwrap_or_default(),
            name: user.name,
            email: user.email,
            granted_policies,
            roles: user.roles,
        })
    }

    /// The name to greet the user with.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.user_name)
    }

    /// The user in `localStorage` under `key`, if readable.
    pub fn stored(key: &str) -> Option<Self> {
        storage::load(key, Self::is_usable)
    }

    fn is_usable(&self) -> bool {
        !self.id.is_empty()
    }
}

/// The current user as a signal, persisted across reloads so a new tab has
/// the last known roles.
#[derive(Clone, Copy, Debug)]
pub struct UserStore {
    info: RwSignal<Option<UserInfo>>,
    /// Its `localStorage` key.
    key: StoredValue<String>,
}

impl UserStore {
    /// The store as it was left in `localStorage` under `key`.
    pub fn from_storage(key: String) -> Self {
        Self {
            info: RwSignal::new(UserInfo::stored(&key)),
            key: StoredValue::new(key),
        }
    }

    /// The user stored under this store's key, if readable.
    pub(crate) fn stored(&self) -> Option<UserInfo> {
        self.key.with_value(|key| UserInfo::stored(key))
    }

    /// Its `localStorage` key.
    pub(crate) fn key(&self) -> String {
        self.key.get_value()
    }

    /// The current user (tracked).
    pub fn info(&self) -> Option<UserInfo> {
        self.info.get()
    }

    /// Whether the current user holds `policy` (tracked).
    pub fn has_policy(&self, policy: &str) -> bool {
        self.info.with(|info| {
            info.as_ref()
                .is_some_and(|i| i.granted_policies.contains(policy))
        })
    }

    /// Replaces the current user.
    pub fn set(&self, info: UserInfo) {
        self.key.with_value(|key| storage::save(key, &info));
        self.info.set(Some(info));
    }

    /// Whether the current user is the one with `id`, without tracking.
    pub fn is(&self, id: &str) -> bool {
        self.info
            .with_untracked(|info| info.as_ref().is_some_and(|info| info.id == id))
    }

    /// Takes over the user another tab stored.
    pub fn adopt(&self, info: Option<UserInfo>) {
        if self.info.with_untracked(|current| *current != info) {
            self.info.set(info);
        }
    }

    /// Forgets the current user, and the stored copy if it is still this
    /// user's: another tab may have stored another user since.
    pub fn clear(&self) {
        if self.stored().is_some_and(|stored| self.is(&stored.id)) {
            self.key.with_value(|key| storage::remove(key));
        }
        self.info.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use silent_refresh_protocol::{AuthConfiguration, CurrentUser};

    fn configuration(authenticated: bool) -> ApplicationConfiguration {
        ApplicationConfiguration {
            current_user: CurrentUser {
                is_authenticated: authenticated,
                id: authenticated.then(|| "u1".into()),
                user_name: Some("alice".into()),
                name: Some("Alice".into()),
                roles: vec!["user".into()],
                ..CurrentUser::default()
            },
            auth: AuthConfiguration {
                granted_policies: [
                    ("Dashboard.View".into(), true),
                    ("Reports.View".into(), false),
                ]
                .into(),
                ..AuthConfiguration::default()
            },
            ..ApplicationConfiguration::default()
        }
    }

    #[test]
    fn only_granted_policies_are_kept() {
        let user = UserInfo::from_configuration(configuration(true)).expect("authenticated");
        assert_eq!(
            user.granted_policies,
            BTreeSet::from(["Dashboard.View".into()])
        );
        assert_eq!(user.display_name(), "Alice");
    }

    #[test]
    fn an_anonymous_configuration_is_no_user() {
        assert_eq!(UserInfo::from_configuration(configuration(false)), None);
    }
}
