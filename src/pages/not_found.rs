//! The page for an unknown address.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    i18n::{Msg, use_i18n},
    routes::HOME,
};

/// 404, inside the console (a page this build does not offer).
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="status-page" data-testid="not-found">
            <h1>{move || i18n.t(Msg::NotFoundTitle)}</h1>
            <p>{move || i18n.t(Msg::NotFoundBody)}</p>
            <A href=HOME>{move || i18n.t(Msg::BackToStart)}</A>
        </div>
    }
}

/// 404 for an address outside the console: the whole page, so its main
/// landmark.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main>
            <NotFound/>
        </main>
    }
}
