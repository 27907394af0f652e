//! silent-refresh-leptos on a backend of your own: its refresh call and its
//! token answer ([`Renew`], a [`RefreshCall`]), its login, and five calls
//! that share one refresh after an expiry. The backend (see the README):
//!
//! - `POST /auth/login` `{"user", "password"}` and `POST /auth/renew`
//!   `{"renew"}`, both answered `{"access", "renew", "ttl"}` (`401`: no);
//! - `GET /api/things` with the bearer token (`401` once it expired).

use futures_util::future::join_all;
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::json;
use silent_refresh_leptos::{
    ApiError, Backend, Body, Method, RefreshCall, RefreshError, RefreshGrant, Request, Response,
    SessionOptions, TokenPair, UseSession, UserInfo, provide_session, read_refresh_answer,
};

/// The backend's token answer, to a login and to a renewal.
#[derive(Deserialize)]
struct Tokens {
    access: String,
    renew: String,
    /// Seconds the access token lives.
    ttl: u64,
}

/// The backend's refresh call: `POST /auth/renew` with `{"renew": …}`.
struct Renew;

impl RefreshCall for Renew {
    fn path(&self) -> &str {
        "/auth/renew"
    }

    fn body(&self, grant: &RefreshGrant) -> Result<Body, ApiError> {
        Body::json(&json!({ "renew": grant.refresh_token }))
    }

    fn read(&self, response: &Response) -> Result<TokenPair, RefreshError> {
        let tokens: Tokens = read_refresh_answer(response)?;
        Ok(TokenPair {
            access_token: tokens.access,
            refresh_token: tokens.renew,
            expires_in: Some(tokens.ttl),
            refresh_expires_in: None,
        })
    }
}

/// The backend's login, `POST /auth/login`, answered as a renewal is.
async fn log_in(session: UseSession, user: String, password: String) -> Result<(), String> {
    let body = Body::json(&json!({ "user": user, "password": password }));
    let request = Request {
        body: body.map_err(|e| e.to_string())?,
        ..Request::new(Method::POST, "/auth/login")
    };
    let sent = session.client().transport().send(request).await;
    let tokens = match sent.map(|response| Renew.read(&response)) {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(RefreshError::Rejected)) => return Err("Wrong user name or password.".into()),
        Ok(Err(error)) => return Err(error.to_string()),
        Err(error) => return Err(error.to_string()),
    };
    let user = UserInfo::signed_in(user.clone(), user);
    session.auth.start(tokens, user).await;
    Ok(())
}

fn main() {
    leptos::mount::mount_to_body(|| {
        let backend = Backend::custom(Renew);
        let session = provide_session(SessionOptions::new("byob-example", backend));
        let (user, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
        let login = Action::new_local(move |_: &()| log_in(session, user.get(), password.get()));
        let fetch = Action::new_local(move |_: &()| {
            let client = session.client();
            async move {
                let calls = (0..5).map(|_| client.get::<Vec<String>>("/api/things"));
                let loaded = join_all(calls).await.into_iter().filter(Result::is_ok);
                format!("{} of 5 loaded", loaded.count())
            }
        });
        view! {
            <label>"User " <input data-testid="login-username" bind:value=user/></label>
            <label>"Password " <input data-testid="login-password" type="password" bind:value=password/></label>
            <button data-testid="login" on:click=move |_| { login.dispatch(()); }>"Log in"</button>
            <p data-testid="login-error" role="alert">{move || login.value().get().and_then(Result::err)}</p>
            <p data-testid="session">{move || format!("{:?}", session.status.get())}</p>
            <button data-testid="fetch" on:click=move |_| { fetch.dispatch(()); }>"Fetch five"</button>
            <p data-testid="result">{move || fetch.value().get()}</p>
            <p>"Refreshes: "<span data-testid="refreshes">{session.refreshes}</span></p>
            <button data-testid="logout" on:click=move |_| session.log_out()>"Log out"</button>
        }
    });
}
