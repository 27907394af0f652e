//! Following the other tabs: their refreshes, logouts and logins (read from
//! the shared record, which the `localStorage` mirror may trail), and the
//! user they stored.

use leptos::{prelude::*, task::spawn_local};
use silent_refresh_web::storage;

use super::{AccessStore, UserInfo, UserStore, user::USER_KEY};
use crate::config;

/// Keeps `access` and `user` in step with what other tabs store, for as
/// long as the current reactive owner lives.
pub fn follow_other_tabs(access: AccessStore, user: UserStore) {
    let record = access.record();
    let session_listener = record.on_change(move || {
        let record = access.record();
        spawn_local(async move { access.adopt(record.current().await) });
    });
    // The user (roles and all) another tab stored, unless roles stay per tab.
    let user_listener = config::ROLE_SHARE_ACROSS_TABS
        .then(|| storage::on_change(USER_KEY, move || user.adopt(UserInfo::stored())));
    // Dropped, and so removed, with the owner.
    StoredValue::new_local((session_listener, user_listener));
}
