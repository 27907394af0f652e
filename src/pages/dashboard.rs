//! The dashboard: five protected resources called side by side. The cards'
//! contents are drawn inside the card's reactive view, so their text is
//! plain (see [`crate::i18n`]).

use leptos::prelude::*;

use crate::{
    api::{
        Api,
        contract::{
            PagedResult,
            resources::{Activity, DashboardSummary, Notification, Order, SystemHealth},
        },
    },
    components::{Card, use_load},
    format::fixed,
    i18n::{Msg, use_i18n},
    stores::use_auth,
};

/// Five cards, each loading its own resource; "reload all" fires all five
/// calls at once (after a token expiry: one refresh, five replays).
#[component]
pub fn DashboardPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let client = move || Api::of(auth);

    let summary = use_load(move || async move { client().dashboard_summary().await });
    let orders = use_load(move || async move { client().orders().await });
    let notifications = use_load(move || async move { client().notifications().await });
    let activity = use_load(move || async move { client().activity().await });
    let health = use_load(move || async move { client().system_health().await });
    let reload_all = move |_| {
        summary.reload();
        orders.reload();
        notifications.reload();
        activity.reload();
        health.reload();
    };

    view! {
        <div class="page" data-testid="dashboard">
            <div class="page-head">
                <h1>{move || i18n.t(Msg::Dashboard)}</h1>
                <button
                    type="button"
                    class="primary"
                    data-testid="dashboard-reload"
                    on:click=reload_all
                >
                    {move || i18n.t(Msg::ReloadAll)}
                </button>
            </div>
            <div class="cards">
                <Card name="summary" title=Msg::Summary data=summary render=summary_view/>
                <Card name="orders" title=Msg::Orders data=orders render=orders_view/>
                <Card name="notifications" title=Msg::Notifications data=notifications render=notifications_view/>
                <Card name="activity" title=Msg::Activity data=activity render=activity_view/>
                <Card name="health" title=Msg::SystemHealth data=health render=health_view/>
            </div>
        </div>
    }
}

fn summary_view(summary: DashboardSummary) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="figures">
            <div><dt>{i18n.t(Msg::Users)}</dt><dd>{summary.total_users}</dd></div>
            <div><dt>{i18n.t(Msg::ActiveSessions)}</dt><dd>{summary.active_sessions}</dd></div>
            <div><dt>{i18n.t(Msg::Revenue)}</dt><dd>{fixed(summary.revenue, 2)}</dd></div>
        </dl>
    }
}

fn orders_view(orders: PagedResult<Order>) -> impl IntoView {
    view! {
        <ul class="rows">
            {orders
                .items
                .into_iter()
                .map(|o| view! {
                    <li>
                        <span>{o.customer}</span>
                        <span class="tag">{o.status}</span>
                        <span class="num">{fixed(o.total, 2)}</span>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}

fn notifications_view(notifications: PagedResult<Notification>) -> impl IntoView {
    view! {
        <ul class="rows">
            {notifications
                .items
                .into_iter()
                .map(|n| view! { <li class:unread=!n.read><span>{n.title}</span></li> })
                .collect_view()}
        </ul>
    }
}

fn activity_view(activity: PagedResult<Activity>) -> impl IntoView {
    view! {
        <ul class="rows">
            {activity
                .items
                .into_iter()
                .map(|a| view! { <li><strong>{a.user_name}</strong>" "<span>{a.action}</span></li> })
                .collect_view()}
        </ul>
    }
}

fn health_view(health: SystemHealth) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="figures">
            <div><dt>{i18n.t(Msg::Status)}</dt><dd class="tag">{health.status}</dd></div>
            <div><dt>{i18n.t(Msg::Uptime)}</dt><dd>{format!("{}{}", health.uptime_seconds, i18n.t(Msg::SecondsUnit))}</dd></div>
            <div><dt>{i18n.t(Msg::Version)}</dt><dd>{health.version}</dd></div>
        </dl>
    }
}
