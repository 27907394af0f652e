//! A dashboard card: one resource, its own loading state and its own error.

use leptos::prelude::*;

use super::{ErrorMessage, Load, Loader};
use crate::i18n::{Msg, use_i18n};

/// A card titled `title` showing `data` through `render`, or its error with
/// a way to try again. `data-testid` is `card-<name>`; `data-state` is
/// `loading`, `ready` or `error`.
#[component]
pub fn Card<T, V>(
    name: &'static str,
    title: Msg,
    data: Loader<T>,
    render: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    view! {
        <section
            class="card"
            data-testid=format!("card-{name}")
            data-state=move || data.state_name()
            aria-busy=move || (data.state_name() == "loading").to_string()
        >
            <h2>{move || i18n.t(title)}</h2>
            {move || match data.get() {
                Load::Loading => view! { <p class="muted">{i18n.t(Msg::Loading)}</p> }.into_any(),
                Load::Ready(value) => render(value).into_any(),
                Load::Failed(error) => {
                    view! { <ErrorMessage error on_retry=Callback::new(move |()| data.reload())/> }
                        .into_any()
                }
            }}
        </section>
    }
}
