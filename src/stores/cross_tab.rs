//! Several tabs, one session. Refresh tokens are single use and a reused one
//! revokes the whole family, so two tabs must never refresh with the same
//! token: a refresh runs under a Web Lock shared by every tab of the origin,
//! and first looks in the shared session record (see [`shared_session`])
//! whether another tab already rotated the tokens. Changes a tab makes (a
//! refresh, a logout, a login) reach the others through the `storage` event
//! of the record's `localStorage` mirror, on which they read the record.
//!
//! [`shared_session`]: super::shared_session

use std::future::Future;

use futures_channel::oneshot;
use js_sys::{Function, Promise, Reflect};
use leptos::{ev, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::{
    AccessStore, Session, UserStore,
    access::SESSION_KEY,
    shared_session::{self, Change},
    user::{USER_KEY, UserInfo},
};
use crate::{
    api::TokenRefresher,
    auth::{RefreshError, RefreshGrant, Refresher, TokenPair},
};

/// The Web Lock every tab's refresh holds.
const REFRESH_LOCK: &str = "silent-refresh";

/// What a tab holding the refresh lock does, given what storage holds.
#[derive(Clone, Debug, PartialEq)]
pub enum SharedStep {
    /// Storage still holds the token to refresh (in this session): refresh it.
    Refresh(Session),
    /// Another tab already refreshed: take its tokens, no network call.
    Adopt(Session),
    /// Another tab logged out or logged in as someone else: this session is over.
    Ended,
}

/// Decides a refresh of `grant` against the session in storage.
pub fn shared_step(stored: Option<Session>, grant: &RefreshGrant) -> SharedStep {
    match stored {
        Some(stored) if grant.user_id.as_deref() != Some(stored.user_id.as_str()) => {
            SharedStep::Ended
        }
        Some(stored) if stored.refresh_token != grant.refresh_token => SharedStep::Adopt(stored),
        Some(stored) => SharedStep::Refresh(stored),
        None => SharedStep::Ended,
    }
}

/// A [`Refresher`] that refreshes at most once across all tabs, and the one
/// writer of refreshed tokens to storage.
#[derive(Clone)]
pub struct SharedRefresher {
    inner: TokenRefresher,
}

impl SharedRefresher {
    /// Wraps the refresher that makes the actual call.
    pub fn new(inner: TokenRefresher) -> Self {
        Self { inner }
    }
}

impl Refresher for SharedRefresher {
    async fn refresh(&self, grant: &RefreshGrant) -> Result<TokenPair, RefreshError> {
        let inner = self.inner.clone();
        let grant = grant.clone();
        with_refresh_lock(async move {
            match shared_step(shared_session::current().await, &grant) {
                SharedStep::Adopt(stored) => Ok(stored.as_pair(js_sys::Date::now())),
                SharedStep::Ended => Err(RefreshError::Rejected),
                SharedStep::Refresh(_) => {
                    let pair = inner.refresh(&grant).await?;
                    // Logins and logouts take no lock: the write happens
                    // only if the record still holds the token refreshed,
                    // never over another login's session.
                    let now = js_sys::Date::now();
                    let fresh = pair.clone();
                    let after = shared_session::update(move |current| {
                        match shared_step(current.clone(), &grant) {
                            SharedStep::Refresh(stored) => {
                                Change::Replace(Some(stored.refreshed(fresh.clone(), now)))
                            }
                            SharedStep::Adopt(_) | SharedStep::Ended => Change::Keep,
                        }
                    })
                    .await;
                    match after {
                        Some(stored) if stored.refresh_token == pair.refresh_token => Ok(pair),
                        _ => Err(RefreshError::Rejected),
                    }
                }
            }
        })
        .await
    }
}

/// How long a tab waits for another tab's refresh before giving up (the
/// calls then fail as temporarily unavailable; the session is kept).
const LOCK_WAIT_MS: u32 = 20_000;

/// Runs `task` holding the refresh Web Lock, so the next tab in line sees
/// what it stored. Where there are no Web Locks (an insecure context, an
/// old browser) it just runs it; when the lock cannot be had in time, the
/// task does not run at all.
async fn with_refresh_lock(
    task: impl Future<Output = Result<TokenPair, RefreshError>> + 'static,
) -> Result<TokenPair, RefreshError> {
    let Some((locks, request)) = lock_manager() else {
        return task.await;
    };
    let (done, outcome) = oneshot::channel();
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        future_to_promise(async move {
            let _ = done.send(task.await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js_sys::Object::new();
    let _ = Reflect::set(
        &options,
        &"signal".into(),
        &web_sys::AbortSignal::timeout_with_u32(LOCK_WAIT_MS),
    );
    let unavailable = |why: &str| RefreshError::Unavailable(why.to_owned());
    let requested: Promise = request
        .call3(&locks, &REFRESH_LOCK.into(), &options, &callback)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| unavailable("the refresh lock could not be requested"))?;
    // Settles once the callback's promise has, i.e. after the task.
    JsFuture::from(requested)
        .await
        .map_err(|_| unavailable("another tab held the refresh lock too long"))?;
    outcome
        .await
        .unwrap_or_else(|_| Err(unavailable("the refresh lock was released early")))
}

/// `navigator.locks` and its `request` method, where Web Locks exist.
fn lock_manager() -> Option<(JsValue, Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((locks, request))
}

/// Follows what other tabs store: their refreshes, logouts and logins (read
/// from the shared record, which the mirror may trail), and their users.
pub fn follow_other_tabs(access: AccessStore, user: UserStore) {
    let follow_session = move || {
        spawn_local(async move { access.adopt(shared_session::current().await) });
    };
    let listener = window_event_listener(ev::storage, move |event| match event.key() {
        Some(key) if key == SESSION_KEY => follow_session(),
        Some(key) if key == USER_KEY => user.adopt(UserInfo::stored()),
        Some(_) => {}
        // `localStorage.clear()` in another tab.
        None => {
            follow_session();
            user.adopt(UserInfo::stored());
        }
    });
    on_cleanup(move || listener.remove());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(user: &str, refresh: &str) -> Session {
        Session::new("a".into(), refresh.into(), user.into(), Some(30), 0.0)
    }

    fn grant(user: &str, refresh: &str) -> RefreshGrant {
        RefreshGrant {
            refresh_token: refresh.into(),
            user_id: Some(user.into()),
        }
    }

    #[test]
    fn the_first_tab_in_line_refreshes() {
        assert_eq!(
            shared_step(Some(stored("u1", "r1")), &grant("u1", "r1")),
            SharedStep::Refresh(stored("u1", "r1"))
        );
    }

    #[test]
    fn a_tab_whose_token_was_rotated_by_another_adopts_instead_of_reusing_it() {
        assert_eq!(
            shared_step(Some(stored("u1", "r2")), &grant("u1", "r1")),
            SharedStep::Adopt(stored("u1", "r2"))
        );
    }

    #[test]
    fn a_logout_or_another_user_elsewhere_ends_this_session() {
        assert_eq!(shared_step(None, &grant("u1", "r1")), SharedStep::Ended);
        assert_eq!(
            shared_step(Some(stored("u2", "r9")), &grant("u1", "r1")),
            SharedStep::Ended
        );
    }
}
