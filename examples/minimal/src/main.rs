//! A minimal Leptos app on the session layer: its own token store (signals),
//! the shared record and refresher from `silent-refresh-web`, and five
//! fetches at once that share one refresh when the token has expired.

use futures_util::future::join_all;
use leptos::prelude::*;
use silent_refresh_contract::{LoginRequest, PagedResult, TokenResponse, paths, resources::Order};
use silent_refresh_core::{
    CoordinatorOptions, Generation, SessionId, TokenPair, TokenSnapshot, TokenStore,
};
use silent_refresh_web::{
    ApiClient, ApiError, Body, Method, Request, Session, SessionRecord, SharedRefresher,
    TokenRefresher, Transport,
};

/// The tokens in memory; the shared refresher persists refreshed ones.
#[derive(Clone, Copy)]
struct Tokens {
    session: RwSignal<Option<Session>>,
    changes: RwSignal<u64>,
}

impl TokenStore for Tokens {
    fn snapshot(&self) -> TokenSnapshot {
        let session = self.session.get_untracked();
        TokenSnapshot {
            session: SessionId(1),
            access_token: session.as_ref().map(|s| s.access_token.clone()),
            expires_at_ms: None,
            grant: session.as_ref().map(Session::grant),
            generation: Generation(self.changes.get_untracked()),
        }
    }
    fn save_refreshed(&self, pair: TokenPair) {
        self.session
            .update(|s| *s = s.as_ref().map(|s| s.refreshed(pair, js_sys::Date::now())));
        self.changes.update(|n| *n += 1);
    }
    fn end_session(&self) {
        self.session.set(None);
        self.changes.update(|n| *n += 1);
    }
}

async fn log_in(
    transport: &Transport,
    record: &SessionRecord,
    tokens: Tokens,
) -> Result<(), ApiError> {
    let body = Body::json(&LoginRequest {
        user_name: "alice".into(),
        password: "alice123".into(),
    })?;
    let request = Request {
        body,
        ..Request::new(Method::POST, paths::LOGIN)
    };
    let answer: TokenResponse = transport.send(request).await?.success()?.json()?;
    let user = answer.user_id.unwrap_or_default();
    let session = Session::new(
        answer.token,
        answer.refresh_token,
        user,
        answer.expires_in,
        js_sys::Date::now(),
    );
    record.replace(Some(session.clone())).await;
    tokens.session.set(Some(session));
    Ok(())
}

fn main() {
    leptos::mount::mount_to_body(|| {
        let record = SessionRecord::new("minimal-example");
        let tokens = Tokens {
            session: RwSignal::new(record.mirrored()),
            changes: RwSignal::new(0),
        };
        let transport = Transport::new("", 10_000);
        let refresher = SharedRefresher::new(
            TokenRefresher::seed(transport.clone()),
            record.clone(),
            "minimal-example",
        );
        let refreshes = RwSignal::new(0);
        let client = ApiClient::new(
            tokens,
            transport.clone(),
            refresher,
            CoordinatorOptions::default(),
            move |s| refreshes.set(s.refreshes),
        );
        let login = Action::new_local(move |_: &()| {
            let (t, r) = (transport.clone(), record.clone());
            async move { log_in(&t, &r, tokens).await }
        });
        let fetch = Action::new_local(move |_: &()| {
            let client = client.clone();
            async move {
                let calls = (0..5).map(|_| client.get::<PagedResult<Order>>(paths::ORDERS));
                let answers = join_all(calls).await;
                let loaded = answers.iter().filter(|a| a.is_ok()).count();
                answers
                    .into_iter()
                    .find_map(Result::err)
                    .map_or(format!("{loaded} of 5 loaded"), |e| e.to_string())
            }
        });
        view! {
            <button data-testid="login" on:click=move |_| { login.dispatch(()); }>"Log in as alice"</button>
            <p data-testid="login-error">{move || login.value().get().and_then(Result::err).map(|e| e.to_string())}</p>
            <p data-testid="session">{move || if tokens.session.with(Option::is_some) { "logged in" } else { "logged out" }}</p>
            <button data-testid="fetch" on:click=move |_| { fetch.dispatch(()); }>"Fetch five"</button>
            <p data-testid="result">{move || if fetch.pending().get() { Some("loading".into()) } else { fetch.value().get() }}</p>
            <p>"Refreshes: "<span data-testid="refreshes">{refreshes}</span></p>
        }
    });
}
