//! Sessions: logging in, refreshing, and recognising the bearer of an
//! access token.

use std::net::IpAddr;

use crate::http::AppError;
use crate::jwt::{AUDIENCE, Claims, ISSUER};
use crate::password::{self, DUMMY_HASH};
use crate::random;
use crate::refresh_tokens::{self, RefreshError};
use crate::state::AppState;
use crate::users::{self, Principal};

/// A freshly issued access token and refresh token.
pub struct TokenPair {
    /// The user they belong to.
    pub user_id: String,
    /// The JWT access token.
    pub access_token: String,
    /// The opaque refresh token.
    pub refresh_token: String,
    /// Access token lifetime in whole seconds (rounded up).
    pub expires_in: u64,
}

/// Checks the credentials and starts a new refresh token family. Failures
/// count against the user name and the client address; a failure past the
/// allowance is [`AppError::TooManyAttempts`]. Correct credentials always
/// succeed and are not counted.
pub async fn login(
    state: &AppState,
    user_name: &str,
    password: String,
    client: Option<IpAddr>,
) -> Result<TokenPair, AppError> {
    let credentials = state.db.with(|conn| users::credentials(conn, user_name))?;
    // Unknown names are checked against a dummy hash so they take as long.
    let hash = credentials
        .as_ref()
        .map_or(DUMMY_HASH, |found| found.password_hash.as_str())
        .to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await?;
    match credentials {
        Some(found) if matches => start_session(state, &found.id),
        _ => {
            let mut keys = vec![format!("user:{}", user_name.to_lowercase())];
            keys.extend(client.map(|ip| format!("addr:{ip}")));
            Err(
                match state.limiter.record_failure(&keys, state.clock.now_ms()) {
                    Some(retry_after) => AppError::TooManyAttempts { retry_after },
                    None => AppError::InvalidCredentials,
                },
            )
        }
    }
}

/// Rotates the refresh token `presented` (see [`refresh_tokens::rotate`]);
/// with `claimed_user`, the token must belong to that user.
pub fn refresh(
    state: &AppState,
    presented: &str,
    claimed_user: Option<&str>,
) -> Result<TokenPair, AppError> {
    let refresh_token = random::token()?;
    let now = state.clock.now_ms();
    state.db.with(|conn| {
        let tx = conn.transaction()?;
        let rotated = refresh_tokens::rotate(
            &tx,
            presented,
            claimed_user,
            &refresh_token,
            now,
            state.config.reuse_grace,
        );
        let user_id = match rotated {
            Ok(user_id) => user_id,
            Err(RefreshError::Rejected(rejection)) => {
                // Commit anyway: a detected reuse has revoked the family.
                tx.commit()?;
                return Err(AppError::InvalidGrant(rejection));
            }
            Err(error) => return Err(error.into()),
        };
        let access_token = issue_access_token(state, &tx, &user_id, now)?;
        tx.commit()?;
        Ok(TokenPair {
            user_id,
            access_token,
            refresh_token,
            expires_in: state.config.access_ttl_secs(),
        })
    })
}

/// The user an access token was issued to, with their roles and policies as
/// they are now. Refuses bad, expired or force-expired tokens and tokens of
/// users that no longer exist.
pub fn authenticate(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let claims = state
        .jwt
        .verify(token, state.clock.now_ms())
        .map_err(|error| AppError::InvalidToken(error.to_string()))?;
    state.db.with(|conn| {
        let valid_from = users::access_valid_from(conn, &claims.sub)?
            .ok_or_else(|| AppError::InvalidToken("unknown user".into()))?;
        if claims.ser < valid_from {
            return Err(AppError::InvalidToken("token revoked".into()));
        }
        let user = users::by_id(conn, &claims.sub)?
            .ok_or_else(|| AppError::InvalidToken("unknown user".into()))?;
        let policies = users::policies(conn, &user.id)?;
        Ok(Principal { user, policies })
    })
}

fn start_session(state: &AppState, user_id: &str) -> Result<TokenPair, AppError> {
    let refresh_token = random::token()?;
    let now = state.clock.now_ms();
    state.db.with(|conn| {
        let tx = conn.transaction()?;
        refresh_tokens::start_family(&tx, user_id, &refresh_token, now, state.config.refresh_ttl)?;
        let access_token = issue_access_token(state, &tx, user_id, now)?;
        tx.commit()?;
        Ok(TokenPair {
            user_id: user_id.to_owned(),
            access_token,
            refresh_token,
            expires_in: state.config.access_ttl_secs(),
        })
    })
}

fn issue_access_token(
    state: &AppState,
    conn: &rusqlite::Connection,
    user_id: &str,
    now_ms: u64,
) -> Result<String, AppError> {
    let ttl_ms = u64::try_from(state.config.access_ttl.as_millis()).unwrap_or(u64::MAX);
    let claims = Claims {
        sub: user_id.to_owned(),
        // Rounded up, so a token is never shorter-lived than configured.
        exp: now_ms.saturating_add(ttl_ms).div_ceil(1000),
        iat: now_ms / 1000,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        jti: random::guid()?,
        ser: users::next_access_serial(conn, user_id)?,
    };
    Ok(state.jwt.issue(&claims)?)
}
