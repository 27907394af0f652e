//! Loading data for a view: `Loading`, then `Ready` or `Failed`, again on
//! every reload. A load that is overtaken or whose view goes away is aborted
//! (dropping the future aborts its fetch). Kept instead of Leptos's
//! `LocalResource`, whose overtaken futures run on to completion: here an
//! overtaken load frees its place among the calls in flight at once.

use std::future::Future;

use futures_util::future::{AbortHandle, abortable};
use leptos::{prelude::*, task::spawn_local};

use super::ErrorMessage;
use crate::{
    api::ApiError,
    config,
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// The state of data being loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    /// Not there yet.
    Loading,
    /// Loaded.
    Ready(T),
    /// The load failed.
    Failed(ApiError),
}

impl<T> Load<T> {
    /// The name used in `data-state` attributes: `loading`, `ready`, `error`.
    pub fn state_name(&self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready(_) => "ready",
            Self::Failed(_) => "error",
        }
    }
}

impl<T> Load<T> {
    /// Both loads together: failed if either failed, ready once both are.
    pub fn zip<U>(self, other: Load<U>) -> Load<(T, U)> {
        match (self, other) {
            (Self::Failed(error), _) | (_, Load::Failed(error)) => Load::Failed(error),
            (Self::Ready(a), Load::Ready(b)) => Load::Ready((a, b)),
            _ => Load::Loading,
        }
    }

    /// The view of where the load stands: a loading line, `render`'s view
    /// of the data, or the error with a "try again" that calls `retry`.
    ///
    /// Called inside a reactive view, which also tracks the language: its
    /// text is plain, and so must `render`'s be (see [`crate::i18n`]).
    pub fn view(self, retry: Callback<()>, render: impl FnOnce(T) -> AnyView) -> AnyView {
        match self {
            Self::Loading => {
                let i18n = use_i18n();
                view! { <p class="muted">{i18n.t(Msg::Loading)}</p> }.into_any()
            }
            Self::Ready(value) => render(value),
            Self::Failed(error) => view! { <ErrorMessage error on_retry=retry/> }.into_any(),
        }
    }
}

impl<T> From<Result<T, ApiError>> for Load<T> {
    fn from(result: Result<T, ApiError>) -> Self {
        match result {
            Ok(value) => Self::Ready(value),
            Err(error) => Self::Failed(error),
        }
    }
}

/// Data being loaded, and a way to load it again. `Copy`.
pub struct Loader<T: 'static> {
    state: ReadSignal<Load<T>>,
    reloads: RwSignal<u32>,
}

impl<T> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loader<T> {}

impl<T: Clone + Send + Sync + 'static> Loader<T> {
    /// Where the load stands (tracked).
    pub fn get(&self) -> Load<T> {
        self.state.get()
    }

    /// The `data-state` name of where the load stands (tracked).
    pub fn state_name(&self) -> &'static str {
        self.state.with(Load::state_name)
    }

    /// Whether the data is being loaded (tracked).
    pub fn is_loading(&self) -> bool {
        self.state.with(|load| matches!(load, Load::Loading))
    }

    /// Loads again (the previous load, if still running, is aborted).
    pub fn reload(&self) {
        self.reloads.update(|n| *n += 1);
    }

    /// Loads again if the last load failed.
    pub fn reload_if_failed(&self) {
        if self
            .state
            .with_untracked(|load| matches!(load, Load::Failed(_)))
        {
            self.reload();
        }
    }
}

/// Runs `fetch` now and again on every [`Loader::reload`]. A load answered
/// `403` has the roles fetched again by itself (`ROLE_RECHECK_ON_403`), so
/// the menu and the guards follow a revoked permission without a click.
pub fn use_load<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> Loader<T>
where
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let auth = use_auth();
    let state = RwSignal::new(Load::Loading);
    let reloads = RwSignal::new(0_u32);
    let running = StoredValue::new(None::<AbortHandle>);
    let abort_running = move || {
        if let Some(handle) = running.try_update_value(Option::take).flatten() {
            handle.abort();
        }
    };
    Effect::new(move |_| {
        reloads.track();
        abort_running();
        state.set(Load::Loading);
        let (task, handle) = abortable(untrack(&fetch));
        running.set_value(Some(handle));
        let epoch = auth.forbidden_epoch();
        spawn_local(async move {
            if let Ok(outcome) = task.await {
                if config::ROLE_RECHECK_ON_403
                    && matches!(&outcome, Err(error) if error.status() == Some(403))
                {
                    auth.recheck_after_forbidden(epoch);
                }
                state.try_set(outcome.into());
            }
        });
    });
    on_cleanup(abort_running);
    Loader {
        state: state.read_only(),
        reloads,
    }
}
