//! The side menu: only the pages the user may open, following the stores.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{i18n::use_i18n, routes::MENU, stores::use_auth};

/// Links to the pages of [`MENU`] this build offers and whose policy the
/// user holds.
#[component]
pub fn NavMenu() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let visible = Memo::new(move |_| {
        MENU.into_iter()
            .filter(|page| page.offered)
            .filter(|page| {
                page.policy
                    .is_none_or(|policy| auth.user.has_policy(policy))
            })
            .collect::<Vec<_>>()
    });
    view! {
        <nav class="nav-menu" data-testid="nav-menu">
            <ul>
                <For each=move || visible.get() key=|page| page.name let(page)>
                    <li>
                        <A href=page.href attr:data-testid=format!("nav-item-{}", page.name)>
                            {move || i18n.t(page.title)}
                        </A>
                    </li>
                </For>
            </ul>
        </nav>
    }
}
