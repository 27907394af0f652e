//! Following the other tabs: their refreshes, logouts and logins (read from
//! the shared record, which the `localStorage` mirror may trail), and the
//! user they stored.

use leptos::{prelude::*, task::spawn_local};
use silent_refresh_web::storage;

use crate::{AccessStore, UserStore};

/// Keeps `access` (and `user`, when `share_user`) in step with what other
/// tabs store, for as long as the current reactive owner lives.
pub(crate) fn follow_other_tabs(access: AccessStore, user: UserStore, share_user: bool) {
    let record = access.record();
    let session_listener = record.on_change(move || {
        let record = access.record();
        spawn_local(async move { access.adopt(record.current().await) });
    });
    let user_listener =
        share_user.then(|| storage::on_change(&user.key(), move || user.adopt(user.stored())));
    // Dropped, and so removed, with the owner.
    StoredValue::new_local((session_listener, user_listener));
}
