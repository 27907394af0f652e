//! A dashboard card: one resource, its own loading state and its own error.

use leptos::prelude::*;

use super::Loader;
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
    // Made once: a callback made inside the view below would be stored anew
    // on every redraw, for as long as the card lives.
    let retry = Callback::new(move |()| data.reload());
    view! {
        <section
            class="card"
            data-testid=format!("card-{name}")
            data-state=move || data.state_name()
            aria-busy=move || data.is_loading().to_string()
        >
            <h2>{move || i18n.t(title)}</h2>
            {move || data.get().view(retry, |value| render(value).into_any())}
        </section>
    }
}
