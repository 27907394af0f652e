//! The language switch.

use leptos::prelude::*;

use crate::i18n::{Locale, Msg, use_i18n};

/// A select of the languages the app speaks.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="lang-switch">
            <span class="visually-hidden">{move || i18n.t(Msg::Language)}</span>
            <select
                data-testid="lang-switch"
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if let Some(locale) = Locale::ALL.into_iter().find(|l| l.tag() == chosen) {
                        i18n.set_locale(locale);
                    }
                }
            >
                {Locale::ALL
                    .into_iter()
                    .map(|locale| view! {
                        // Each name in its own language (WCAG 3.1.2).
                        <option value=locale.tag() lang=locale.tag() selected=move || i18n.locale() == locale>
                            {locale.native_name()}
                        </option>
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
