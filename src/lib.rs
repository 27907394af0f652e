//! Silent-refresh admin SPA: a Leptos port of an admin console (Vue Vben
//! Admin on an ABP backend) whose API client answers `401` with a single,
//! shared, silent token refresh, and which re-fetches roles on reload. The
//! session layer is the workspace's crates (`silent-refresh-core`,
//! `silent-refresh-web`, `silent-refresh-leptos`); this crate is their
//! first user, and keeps what is its own (pages, i18n, layout, the
//! timeline's picture):
//!
//! - [`api`]: the reference server's endpoints as typed calls;
//! - [`stores`]: the session layer's stores the views read;
//! - [`startup`]: the session layer's options for this build and deployment;
//! - [`config`]: build-time settings (`REFRESH_ROLE`, …);
//! - [`deployment`]: the settings in effect, the build's or
//!   `/app-config.json`'s;
//! - [`routes`]: the one table of pages the router, menu and guards read.

pub mod api;
pub mod components;
pub mod config;
pub mod deployment;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod routes;
pub mod startup;
pub mod stores;
pub mod timeline;

use leptos::prelude::*;
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use crate::{
    components::{AdminLayout, LoadPage, PageChunk, RequirePolicy},
    deployment::Deployment,
    i18n::I18n,
    pages::{DeploymentErrorPage, LoginPage, NotFound, NotFoundPage, SignInCallbackPage, split},
    routes::{
        ADMIN_USERS, DASHBOARD, DIAGNOSTICS, HOME, LOGIN, PROFILE, REPORTS, SIGN_IN_CALLBACK,
    },
};

/// The whole app: the session layer, language and deployment in context
/// (with the start-up role refresh), then the router. `deployment` defaults to the build's.
#[component]
pub fn App(
    /// The deployment settings in effect (see [`Deployment::load`]).
    #[prop(optional)]
    deployment: Option<Deployment>,
) -> impl IntoView {
    let deployment = deployment.unwrap_or_else(Deployment::built);
    let i18n = I18n::from_browser();
    let auth = startup::connect(&deployment, i18n);
    // A reload with a session opens a console page: its chunk loads beside
    // the role check that guards it, not after it.
    if auth.access.is_logged_in_untracked()
        && let Ok(path) = window().location().pathname()
    {
        split::prefetch(&path);
    }
    provide_context(i18n);
    provide_context(deployment);

    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=LOGIN.path() view=LoginPage/>
                <Route
                    path=SIGN_IN_CALLBACK.path()
                    view=|| offered(SIGN_IN_CALLBACK, || view! { <SignInCallbackPage/> })
                />
                <ParentRoute path=path!("") view=AdminLayout>
                    <Route path=path!("") view=|| view! { <Redirect path=HOME/> }/>
                    <Route
                        path=DASHBOARD.path()
                        view=(|| console_page(DASHBOARD, split::dashboard)) as RouteView
                    />
                    <Route
                        path=REPORTS.path()
                        view=(|| console_page(REPORTS, split::reports)) as RouteView
                    />
                    <Route
                        path=ADMIN_USERS.path()
                        view=(|| console_page(ADMIN_USERS, split::admin_users)) as RouteView
                    />
                    <Route
                        path=PROFILE.path()
                        view=(|| console_page(PROFILE, split::profile)) as RouteView
                    />
                    <Route
                        path=DIAGNOSTICS.path()
                        view=(|| console_page(DIAGNOSTICS, split::diagnostics)) as RouteView
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// A console page's route view. A function pointer, not a closure of its
/// own per page: every page's route is then one type, and the router's code
/// for it is in the download once, not once per page.
type RouteView = fn() -> AnyView;

/// `page`, loaded by `load`, to a user its policy lets in (when this build
/// offers it).
fn console_page(page: routes::Page, load: LoadPage) -> AnyView {
    offered(page, || {
        view! { <RequirePolicy page><PageChunk load/></RequirePolicy> }
    })
}

/// `view` when this build offers `page`, else the not-found page.
fn offered<V: IntoView + 'static>(page: routes::Page, view: impl FnOnce() -> V) -> AnyView {
    if page.offered {
        view().into_any()
    } else {
        view! { <NotFound/> }.into_any()
    }
}

/// Reads the deployment file, then mounts [`App`] on the page's body; a
/// file that cannot be used mounts the page that says why instead.
pub fn mount() {
    console_error_panic_hook::set_once();
    // The browser's event loop: Leptos's executor starts with the mount.
    wasm_bindgen_futures::spawn_local(async {
        match Deployment::load().await {
            Ok(deployment) => leptos::mount::mount_to_body(move || view! { <App deployment/> }),
            Err(error) => {
                leptos::mount::mount_to_body(move || view! { <DeploymentErrorPage error/> });
            }
        }
    });
}
