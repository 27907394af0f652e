//! A Backend-for-Frontend's session ([`crate::Backend::bff`]): sign-in by
//! leaving for its `/bff/login`, the session it holds in its cookie taken
//! from `/bff/user`, and logout at `/bff/logout`. The browser keeps no
//! token: the shared record holds the user and when the session started.

use std::rc::Rc;

use leptos::task::spawn_local;

use silent_refresh_protocol::{
    bff::{BffLogout, BffUser},
    paths,
};
use silent_refresh_web::{ApiError, Method, Request, Session, percent_encode};

use crate::{AuthStore, UserInfo, auth::Revoke};

/// What the BFF said about the session at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BffCheck {
    /// A session, now this tab's (and, if it is a new login, every tab's).
    SignedIn,
    /// No session there: whatever this browser remembered has ended.
    SignedOut,
}

impl AuthStore {
    /// Leaves for the BFF's sign-in, which comes back to `return_to` (a
    /// path of this app) signed in, or to the login page with `bffError`.
    pub fn begin_bff_sign_in(&self, return_to: &str) -> Result<(), ApiError> {
        let path = format!(
            "{}?returnUrl={}",
            paths::BFF_LOGIN,
            percent_encode(return_to)
        );
        let url = self.client().transport().url(&path);
        web_sys::window()
            .ok_or_else(|| ApiError::Network("no window".into()))?
            .location()
            .assign(&url)
            .map_err(|e| ApiError::Network(format!("cannot open the sign-in page: {e:?}")))
    }

    /// Asks the BFF who is signed in and follows it: a session this browser
    /// does not know yet starts here for every tab (then the roles are
    /// fetched); one the BFF no longer has ends here, with the login page's
    /// notice. A BFF that cannot answer leaves everything as it is.
    pub async fn follow_bff_session(&self) -> Result<BffCheck, ApiError> {
        let request = Request::new(Method::GET, paths::BFF_USER);
        let answer = self.client().transport().send(request).await?;
        if answer.status == 401 {
            if self.access.is_logged_in_untracked() {
                self.access.expire();
                self.user.clear();
            }
            return Ok(BffCheck::SignedOut);
        }
        let user: BffUser = answer.success()?.json()?;
        if !user.is_authenticated || user.sub.is_empty() {
            return Err(ApiError::Decode("the BFF named nobody".into()));
        }
        let now = js_sys::Date::now();
        let session = Session::in_cookie(
            user.sub.clone(),
            user.session_started_at as f64,
            Some(user.session_expires_at as f64).filter(|at| *at > 0.0),
            now,
        );
        let known = self
            .access
            .session_untracked()
            .is_some_and(|ours| ours.is_same_login(&session));
        if !known {
            self.access.start(session).await;
            let name = user.name.clone().unwrap_or_else(|| user.sub.clone());
            self.user.set(UserInfo {
                roles: user.roles,
                ..UserInfo::signed_in(user.sub, name)
            });
            // Failure is recorded in the roles state; the sign-in itself worked.
            let _ = self.get_application_configuration().await;
        }
        Ok(BffCheck::SignedIn)
    }
}

/// Start-up with a BFF: [`AuthStore::follow_bff_session`], in the
/// background (a BFF that cannot answer is only warned about).
pub(crate) fn follow_bff_session_in_background(auth: AuthStore) {
    spawn_local(async move {
        if let Err(error) = auth.follow_bff_session().await {
            leptos::logging::warn!("the BFF could not say who is signed in: {error}");
        }
    });
}

/// Ends the session at the BFF (`POST /bff/logout`, best effort), which
/// revokes its refresh token at the provider and clears the cookie. The
/// provider's own sign-in session is left alone, as in the other modes.
pub(crate) fn logout_at_bff() -> Revoke {
    Rc::new(|client, _| {
        Box::pin(async move {
            let request = Request::new(Method::POST, paths::BFF_LOGOUT);
            let ended = client
                .transport()
                .send(request)
                .await
                .and_then(|r| r.success())
                .and_then(|r| r.json::<BffLogout>());
            if let Err(error) = ended {
                leptos::logging::warn!("the BFF did not end the session: {error}");
            }
        })
    })
}
