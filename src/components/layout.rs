//! The admin layout: side menu, header, content. Only for logged-in users.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect},
    hooks::use_location,
};

use super::{LangSwitch, NavMenu, OfflineBanner, SessionPanel};
use crate::{
    api::percent_encode,
    i18n::{Msg, use_i18n},
    routes::LOGIN,
    stores::{RolesState, use_auth},
};

/// The console around every page but login. A visitor without a session is
/// sent to the login page, which brings them back here afterwards.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    move || {
        if auth.access.is_logged_in() {
            view! { <Console/> }.into_any()
        } else {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let login = format!("{}?redirect={}", LOGIN.href, percent_encode(&here));
            view! { <Redirect path=login/> }.into_any()
        }
    }
}

#[component]
fn Console() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let user = move || auth.user.info();
    let roles_warning = move || match auth.roles_state() {
        RolesState::Stale(_) => Some(view! {
            <p class="banner warning" role="alert" data-testid="roles-stale">
                {i18n.t(Msg::RolesStale)}
            </p>
        }),
        _ => None,
    };
    view! {
        <div class="console" class:menu-open=move || menu_open.get()>
            <header class="topbar">
                <button
                    type="button"
                    class="menu-toggle"
                    data-testid="menu-toggle"
                    aria-controls="sidebar"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|open| *open = !*open)
                >
                    {move || i18n.t(Msg::OpenMenu)}
                </button>
                <span class="brand">{move || i18n.t(Msg::AppTitle)}</span>
                <div class="user">
                    <span class="name" data-testid="current-user">
                        {move || user().map(|u| u.display_name().to_owned()).unwrap_or_default()}
                    </span>
                    <ul class="roles" data-testid="role-list" aria-label=move || i18n.t(Msg::Roles)>
                        {move || {
                            user()
                                .map(|u| u.roles)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|role| view! { <li>{role}</li> })
                                .collect_view()
                        }}
                    </ul>
                </div>
                <LangSwitch/>
                <button
                    type="button"
                    class="logout"
                    data-testid="nav-logout"
                    on:click=move |_| auth.logout()
                >
                    {move || i18n.t(Msg::Logout)}
                </button>
            </header>
            <div class="body">
                <div class="sidebar" id="sidebar" on:click=move |_| menu_open.set(false)>
                    <NavMenu/>
                    <SessionPanel/>
                </div>
                <main class="content">
                    <OfflineBanner/>
                    {roles_warning}
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
