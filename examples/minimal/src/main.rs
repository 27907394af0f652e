//! A Leptos app on silent-refresh-leptos: log in, five calls that share one
//! refresh after an expiry, a guarded route, logout.

use futures_util::future::join_all;
use leptos::prelude::*;
use leptos_router::{components::*, path};
use serde::de::IgnoredAny;
use silent_refresh_leptos::{Backend, SessionOptions, provide_session, use_session};

fn main() {
    leptos::mount::mount_to_body(|| {
        let session = provide_session(SessionOptions::new("minimal-example", Backend::seed()));
        let log_in = Action::new_local(move |_: &()| async move {
            let answer = session.log_in("alice", "alice123").await;
            answer.err().map(|e| e.to_string())
        });
        view! {
            <button data-testid="login" on:click=move |_| { log_in.dispatch(()); }>"Log in as alice"</button>
            <button data-testid="logout" on:click=move |_| session.log_out()>"Log out"</button>
            <p data-testid="login-error">{move || log_in.value().get().flatten()}</p>
            <p data-testid="session">{move || format!("{:?}", session.status.get())}</p>
            <p>"Refreshes: "<span data-testid="refreshes">{session.refreshes}</span></p>
            <Router>
                <a href="/orders" data-testid="orders-link">"Orders"</a>
                <Routes fallback=|| "Not found">
                    <Route path=path!("/") view=|| view! { <p data-testid="home">"Home"</p> }/>
                    <ProtectedRoute path=path!("/orders") view=Orders redirect_path=|| "/"
                        condition=session.allows(Some("Dashboard.View"))/>
                </Routes>
            </Router>
        }
    });
}

/// Five calls at once: after an expiry, they share one refresh.
#[component]
fn Orders() -> impl IntoView {
    let client = use_session().client();
    let fetch = Action::new_local(move |_: &()| {
        let client = client.clone();
        async move {
            let calls = (0..5).map(|_| client.get::<IgnoredAny>("/api/app/orders"));
            let loaded = join_all(calls).await.into_iter().filter(Result::is_ok);
            format!("{} of 5 loaded", loaded.count())
        }
    });
    view! {
        <button data-testid="fetch" on:click=move |_| { fetch.dispatch(()); }>"Fetch five"</button>
        <p data-testid="result">{move || fetch.value().get()}</p>
    }
}
