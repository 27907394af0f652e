//! Sessions: logging in, refreshing, and recognising the bearer of an
//! access token, one of ours or (with `--oidc-issuer`) the identity
//! provider's.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

use rusqlite::{Transaction, TransactionBehavior};

use crate::clock::millis;
use crate::jwt::{AUDIENCE, Claims, ISSUER, TokenError};
use crate::oidc::ResourceServer;
use crate::password::{self, DUMMY_HASH};
use crate::policy::Policy;
use crate::random;
use crate::rate_limit::{Attempt, Refusal};
use crate::refresh_tokens::{self, Family, RefreshError, Rejection};
use crate::roles;
use crate::state::AppState;
use crate::users::{self, User};

/// The bearer of an accepted access token, with the policies their roles
/// grant now (the role table is read for the current request), whichever
/// kind of token it was.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The user's id: ours, or the provider's `sub`.
    pub id: String,
    /// The login name.
    pub user_name: String,
    /// The display name.
    pub name: String,
    /// The e-mail address, where known.
    pub email: Option<String>,
    /// Role names, sorted.
    pub roles: Vec<String>,
    /// Names of the policies granted through the roles.
    pub policies: BTreeSet<String>,
}

impl Principal {
    /// Whether the user's roles grant `policy`.
    pub fn has(&self, policy: Policy) -> bool {
        self.policies.contains(policy.name())
    }

    /// One of our users, with the policies `conn` says their roles grant.
    fn of_user(conn: &rusqlite::Connection, user: User) -> rusqlite::Result<Self> {
        Ok(Self {
            policies: roles::policies_of(conn, &user.roles)?,
            id: user.id,
            user_name: user.user_name,
            name: user.name,
            email: Some(user.email),
            roles: user.roles,
        })
    }
}

/// Why a login, a refresh or an access token was refused, or could not be
/// handled.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The user name is longer than [`MAX_USER_NAME_CHARS`].
    #[error("the user name is longer than {MAX_USER_NAME_CHARS} characters")]
    UserNameTooLong,
    /// The user name or the client address has too many recent failures.
    #[error("too many failed logins; retry after {retry_after} s")]
    TooManyAttempts {
        /// Seconds until the next attempt can succeed.
        retry_after: u64,
    },
    /// The user name or the client address has logged in too often lately.
    #[error("too many logins; retry after {retry_after} s")]
    TooManyLogins {
        /// Seconds until the next login can succeed.
        retry_after: u64,
    },
    /// Wrong user name or password.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The refresh token was refused.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The access token was refused.
    #[error("invalid access token: {0}")]
    InvalidToken(#[from] InvalidToken),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// The operating system gave no randomness for a token.
    #[error("no randomness for a token: {0}")]
    Random(#[from] getrandom::Error),
    /// The access token could not be signed.
    #[error("cannot sign an access token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
    /// The password check task failed.
    #[error("the password check failed: {0}")]
    PasswordCheck(#[from] tokio::task::JoinError),
    /// The password check slots are gone (only while shutting down).
    #[error("no password check slot: {0}")]
    Slots(#[from] tokio::sync::AcquireError),
}

/// Why an access token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidToken {
    /// The token itself is bad: malformed, forged, expired, not ours.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The user it was issued to no longer exists.
    #[error("unknown user")]
    UnknownUser,
    /// It was issued before the user's access token cut-off.
    #[error("token revoked")]
    Revoked,
}

impl From<RefreshError> for AuthError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::Rejected(rejection) => AuthError::Rejected(rejection),
            RefreshError::Db(cause) => AuthError::Db(cause),
        }
    }
}

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
    /// What is left of the refresh token's absolute lifetime, in whole
    /// seconds (rounded down: rotation never extends it).
    pub refresh_expires_in: u64,
}

/// The longest user name a login accepts, in characters. Longer names are
/// refused before anything is looked up or counted, so made-up names cannot
/// swell the login limiter.
pub const MAX_USER_NAME_CHARS: usize = 256;

/// Checks the credentials and starts a new refresh token family, ending the
/// user's oldest families beyond `--max-sessions`.
///
/// While the attempt is locked out by failed logins (see
/// [`crate::rate_limit`]) it is refused with [`AuthError::TooManyAttempts`],
/// and while the user or the address has logged in too often with
/// [`AuthError::TooManyLogins`], both before the password is looked at,
/// whatever the password. Otherwise a failure is recorded and answered with
/// [`AuthError::InvalidCredentials`], and a success is recorded against the
/// throttles. Names over [`MAX_USER_NAME_CHARS`] are refused with
/// [`AuthError::UserNameTooLong`].
pub async fn login(
    state: &AppState,
    user_name: &str,
    password: String,
    client: Option<IpAddr>,
) -> Result<TokenPair, AuthError> {
    if user_name.chars().count() > MAX_USER_NAME_CHARS {
        return Err(AuthError::UserNameTooLong);
    }
    let attempt = Attempt::new(user_name, client);
    // Refuse at once rather than queue for a password check slot ...
    check_limit(state, &attempt)?;
    let permit = Arc::clone(&state.password_checks).acquire_owned().await?;
    // ... and check again with the slot: a slot is held from this check
    // until the outcome is recorded, so a burst of parallel attempts cannot
    // all pass the check before the first of them counts.
    check_limit(state, &attempt)?;
    let credentials = state.db.with(|conn| users::credentials(conn, user_name))?;
    // Unknown names are checked against a dummy hash so they take as long.
    let hash = credentials
        .as_ref()
        .map_or(DUMMY_HASH, |found| found.password_hash.as_str())
        .to_owned();
    let known = credentials.is_some();
    let (limiter, clock) = (Arc::clone(&state.limiter), state.clock.clone());
    // Verifies and records in one blocking task that owns the slot, so the
    // outcome counts even when the client hangs up mid-check.
    let matches = tokio::task::spawn_blocking(move || {
        let matches = password::verify(&password, &hash) && known;
        if matches {
            limiter.record_success(&attempt, clock.now_ms());
        } else {
            limiter.record_failure(&attempt, clock.now_ms());
        }
        drop(permit);
        matches
    })
    .await?;
    match credentials {
        Some(found) if matches => start_session(state, &found.id),
        _ => Err(AuthError::InvalidCredentials),
    }
}

/// Rotates the refresh token `presented` (see [`refresh_tokens::rotate`]);
/// with `claimed_user`, the token must belong to that user.
pub fn refresh(
    state: &AppState,
    presented: &str,
    claimed_user: Option<&str>,
) -> Result<TokenPair, AuthError> {
    let refresh_token = random::token()?;
    let now = state.clock.now_ms();
    state.db.with(|conn| {
        // Take the write lock before reading the token, so no other
        // connection can spend it between this read and this write.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rotated = refresh_tokens::rotate(
            &tx,
            presented,
            claimed_user,
            &refresh_token,
            now,
            state.config.reuse_grace,
        );
        match rotated {
            Ok(family) => issue_pair(state, tx, family, refresh_token, now),
            Err(RefreshError::Rejected(rejection)) => {
                // Commit anyway: a detected reuse has revoked the family.
                tx.commit()?;
                Err(AuthError::Rejected(rejection))
            }
            Err(error) => Err(error.into()),
        }
    })
}

/// The bearer of an access token, with their roles and policies as they are
/// now: with `--oidc-issuer` the provider's token (see
/// [`crate::oidc`]), else one of ours. Refuses bad, expired or force-expired
/// tokens; of ours also tokens of sessions that have ended (logout, reuse,
/// revocation) and tokens of users that no longer exist.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, AuthError> {
    if let Some(provider) = &state.provider {
        return provider_principal(state, provider, token).await;
    }
    let claims = state
        .jwt
        .verify(token, state.clock.now_ms())
        .map_err(InvalidToken::Token)?;
    state.db.with(|conn| {
        let (user, valid_from) =
            users::by_id_with_access_cutoff(conn, &claims.sub)?.ok_or(InvalidToken::UnknownUser)?;
        if claims.ser < valid_from || !refresh_tokens::is_live(conn, claims.sid, &user.id)? {
            return Err(InvalidToken::Revoked.into());
        }
        Ok(Principal::of_user(conn, user)?)
    })
}

/// The bearer of a provider's token: the user the token describes (user
/// name `preferred_username`, else `sub`; name `name`, else the user name),
/// with the policies the role table grants the token's roles. Refuses the
/// token if the expire test control has cut off its user since it was
/// issued.
async fn provider_principal(
    state: &AppState,
    provider: &ResourceServer,
    token: &str,
) -> Result<Principal, AuthError> {
    let user = provider.verify(token).await.map_err(InvalidToken::Token)?;
    let names = [Some(user.sub.as_str()), user.preferred_username.as_deref()];
    if state
        .controls
        .is_cut_off(names.into_iter().flatten(), user.issued_at)
    {
        return Err(InvalidToken::Revoked.into());
    }
    let policies = state
        .db
        .with(|conn| roles::policies_of(conn, &user.roles))?;
    let user_name = user.preferred_username.unwrap_or_else(|| user.sub.clone());
    Ok(Principal {
        id: user.sub,
        name: user.name.unwrap_or_else(|| user_name.clone()),
        user_name,
        email: user.email,
        roles: user.roles,
        policies,
    })
}

/// Refuses the attempt while it is locked out or throttled.
fn check_limit(state: &AppState, attempt: &Attempt) -> Result<(), AuthError> {
    state
        .limiter
        .check(attempt, state.clock.now_ms())
        .map_err(|refusal| match refusal {
            Refusal::Failures(retry_after) => AuthError::TooManyAttempts { retry_after },
            Refusal::Successes(retry_after) => AuthError::TooManyLogins { retry_after },
        })
}

fn start_session(state: &AppState, user_id: &str) -> Result<TokenPair, AuthError> {
    let refresh_token = random::token()?;
    let now = state.clock.now_ms();
    state.db.with(|conn| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let family = refresh_tokens::start_family(
            &tx,
            user_id,
            &refresh_token,
            now,
            state.config.refresh_ttl,
        )?;
        refresh_tokens::end_all_but_newest(&tx, user_id, state.config.max_sessions, now)?;
        issue_pair(state, tx, family, refresh_token, now)
    })
}

/// Completes a login or refresh in `tx`, which has already stored
/// `refresh_token` in `family`: issues the matching access token, commits,
/// and returns the pair.
fn issue_pair(
    state: &AppState,
    tx: Transaction<'_>,
    family: Family,
    refresh_token: String,
    now_ms: u64,
) -> Result<TokenPair, AuthError> {
    let access_token = issue_access_token(state, &tx, &family, now_ms)?;
    tx.commit()?;
    Ok(TokenPair {
        refresh_expires_in: family.expires_at_ms.saturating_sub(now_ms) / 1000,
        user_id: family.user_id,
        access_token,
        refresh_token,
        expires_in: state.config.access_ttl_secs(),
    })
}

fn issue_access_token(
    state: &AppState,
    conn: &rusqlite::Connection,
    family: &Family,
    now_ms: u64,
) -> Result<String, AuthError> {
    let ttl_ms = millis(state.config.access_ttl);
    let claims = Claims {
        sub: family.user_id.clone(),
        // Rounded up, so a token is never shorter-lived than configured.
        exp: now_ms.saturating_add(ttl_ms).div_ceil(1000),
        iat: now_ms / 1000,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        jti: random::guid()?,
        ser: users::next_access_serial(conn, &family.user_id)?,
        sid: family.id,
    };
    Ok(state.jwt.issue(&claims)?)
}
