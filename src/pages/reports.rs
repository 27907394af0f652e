//! The reports page (needs `Reports.View`).

use leptos::prelude::*;

use crate::{
    api::{
        Api,
        contract::{PagedResult, resources::Report},
    },
    components::{Card, use_load},
    format::fixed,
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// The reports the server offers.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let reports = use_load(move || async move { Api::of(auth).reports().await });
    view! {
        <div class="page" data-testid="reports">
            <h1>{move || i18n.t(Msg::Reports)}</h1>
            <Card name="reports" title=Msg::Reports data=reports render=reports_view/>
        </div>
    }
}

fn reports_view(reports: PagedResult<Report>) -> impl IntoView {
    view! {
        <table class="table">
            <tbody>
                {reports
                    .items
                    .into_iter()
                    .map(|r| view! {
                        <tr>
                            <td>{r.title}</td>
                            <td>{r.period}</td>
                            <td class="num">{fixed(r.value, 2)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
