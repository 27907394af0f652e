//! The session's stores, as signals over the shared session record: they
//! live in `silent-refresh-leptos`, which the start-up wires
//! ([`crate::startup`]); these are the names the app's views read.

pub use silent_refresh_leptos::{
    AbpLogin, AbpLoginError, AccessStore, AuthStore, RolesState, SessionLog, UserInfo, UserStore,
    use_auth,
};
