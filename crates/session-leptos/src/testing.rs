//! For an app's browser tests (feature `testing`): the scripted API of
//! `silent-refresh-web` ([`FakeApi`]), and what a test needs before it
//! provides a session without mounting an app ([`test_owner`]).

use leptos::prelude::Owner;
pub use silent_refresh_web::testing::{FakeApi, RefreshBehaviour};

/// Starts Leptos's executor (the session spawns its background work on it)
/// and sets a reactive owner, as mounting an app does. Keep it for the
/// test's length: the session lives as long as it does.
pub fn test_owner() -> Owner {
    // A second test in the same page finds the executor started already.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    owner
}
