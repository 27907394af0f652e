//! The smallest sign-in a Leptos app can have, without the session layer:
//! a form that posts to the reference server's login endpoint, reads the
//! JSON answer, keeps the tokens in local storage and routes to a page.
//! No refresh, no cross-tab record, no roles. `scripts/size.sh` builds it
//! beside `examples/minimal` (the same with the session layer) to show what
//! Leptos, its router, gloo and serde_json weigh on their own.

use gloo_net::http::Request;
use gloo_storage::{LocalStorage, Storage};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_navigate,
    path,
};
use serde::{Deserialize, Serialize};

/// What the reference server's login endpoint reads.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Credentials {
    user_name: String,
    password: String,
}

/// The reference server's login answer, as far as this page reads it.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedIn {
    token: String,
    refresh_token: String,
}

fn main() {
    leptos::mount::mount_to_body(|| {
        view! {
            <Router>
                <Routes fallback=|| "Page not found">
                    <Route path=path!("/") view=SignIn/>
                    <Route path=path!("/dashboard") view=|| view! { <p data-testid="signed-in">"Signed in"</p> }/>
                </Routes>
            </Router>
        }
    })
}

/// The sign-in form: on success the tokens go to local storage and the
/// page to `/dashboard`; a refusal is shown in words.
#[component]
fn SignIn() -> impl IntoView {
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let navigate = use_navigate();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let navigate = navigate.clone();
        spawn_local(async move {
            let credentials = Credentials {
                user_name: user.get_untracked(),
                password: password.get_untracked(),
            };
            match sign_in(&credentials).await {
                Ok(signed_in) if LocalStorage::set("floor.session", &signed_in).is_ok() => {
                    navigate("/dashboard", Default::default())
                }
                Ok(_) => error.set(Some(
                    "The session could not be kept: local storage is unavailable.",
                )),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form on:submit=submit>
            <input data-testid="username" autocomplete="username" bind:value=user/>
            <input data-testid="password" type="password" autocomplete="current-password" bind:value=password/>
            <button data-testid="submit" type="submit">"Sign in"</button>
            <p data-testid="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Posts the credentials; the error is the sentence the page shows.
async fn sign_in(credentials: &Credentials) -> Result<SignedIn, &'static str> {
    let unreachable = "The server could not be reached. Please try again.";
    let response = Request::post("/api/account/login")
        .json(credentials)
        .map_err(|_| unreachable)?
        .send()
        .await
        .map_err(|_| unreachable)?;
    match response.status() {
        200 => response
            .json()
            .await
            .map_err(|_| "The server sent an answer that could not be read."),
        401 => Err("Wrong user name or password."),
        429 => Err("Too many attempts. Please wait a minute and try again."),
        _ => Err("The server ran into an error. Please try again."),
    }
}
