//! Sessions: logging in, refreshing, and recognising the bearer of one of
//! this server's access tokens. [`Sessions`] holds what that takes (the
//! store, the signing key, the clock, the login limiter and the token
//! rules), so nothing here knows of HTTP or of start-up.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::num::NonZero;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Transaction, TransactionBehavior};
use tokio::sync::Semaphore;

use super::clock::{Clock, millis};
use super::jwt::{AUDIENCE, Claims, ISSUER, JwtKeys, TokenError};
use super::password::{self, DUMMY_HASH};
use super::policy::Policy;
use super::random;
use super::rate_limit::{Attempt, LoginLimiter, Refusal};
use super::refresh_tokens::{self, Family, Rejection, RotationError};
use super::replays::{self, ReplayError};
use super::roles;
use super::store::Store;
use super::two_factor;
use super::users::{self, User};

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
    /// The user's tenant; `None`: the host (or a provider's user).
    pub tenant_id: Option<String>,
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
    pub fn of_user(conn: &rusqlite::Connection, user: User) -> rusqlite::Result<Self> {
        Ok(Self {
            policies: roles::policies_of(conn, &user.roles)?,
            id: user.id,
            tenant_id: user.tenant_id,
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
    /// The password was right; the user signs in with a second factor too.
    #[error("the second factor is required")]
    RequiresTwoFactor {
        /// The user who signed in.
        user_id: String,
    },
    /// The password was right and the second factor wrong.
    #[error("invalid two-factor code")]
    InvalidTwoFactorCode,
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
    /// An answer could not be sealed for a retry.
    #[error("cannot seal the answer for a retry")]
    Seal,
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

impl From<ReplayError> for AuthError {
    fn from(error: ReplayError) -> Self {
        match error {
            ReplayError::Db(cause) => AuthError::Db(cause),
            ReplayError::Random(cause) => AuthError::Random(cause),
            ReplayError::Seal => AuthError::Seal,
        }
    }
}

impl From<RotationError> for AuthError {
    fn from(error: RotationError) -> Self {
        match error {
            RotationError::Rejected(rejection) => AuthError::Rejected(rejection),
            RotationError::Db(cause) => AuthError::Db(cause),
        }
    }
}

/// A freshly issued access token and refresh token.
pub struct IssuedTokens {
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
    /// Whether this is the answer of an earlier rotation, given again to a
    /// retry with the same `Idempotency-Key`.
    pub replayed: bool,
}

/// A sign-in attempt: who, in which tenant, and how they prove it.
pub struct SignIn<'a> {
    /// The tenant's id; `None`: the host.
    pub tenant: Option<&'a str>,
    /// The login name.
    pub user_name: &'a str,
    /// The password.
    pub password: String,
    /// The second factor, for a user who has it on.
    pub second_factor: Option<SecondFactor<'a>>,
}

/// A second factor: ABP's `TwoFactorProvider` and `TwoFactorCode`.
pub struct SecondFactor<'a> {
    /// The provider (only [`two_factor::PROVIDER`] is known here).
    pub provider: &'a str,
    /// The code.
    pub code: &'a str,
}

/// What the password check found.
enum Checked {
    /// The password (and the code, if one is needed) are right.
    Passed,
    /// The password is right, the user has two factors, no code came.
    NeedsSecondFactor,
    /// The password is wrong, or the user unknown.
    WrongPassword,
    /// The password is right and the code wrong.
    WrongCode,
}

/// The longest user name a login accepts, in characters. Longer names are
/// refused before anything is looked up or counted, so made-up names cannot
/// swell the login limiter.
pub const MAX_USER_NAME_CHARS: usize = 256;

/// The rules tokens are issued by (from the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenRules {
    /// Access token lifetime.
    pub access_ttl: Duration,
    /// Absolute refresh token lifetime, counted from login.
    pub refresh_ttl: Duration,
    /// How long a just-rotated refresh token may be presented again.
    pub reuse_grace: Duration,
    /// Live sessions one user may hold; a login beyond ends the oldest.
    pub max_sessions: u32,
    /// How long the answer of a rotation made with an `Idempotency-Key` is
    /// given again to a retry with the same token and key; zero: never.
    pub idempotency_window: Duration,
}

impl TokenRules {
    /// The access token lifetime in whole seconds, rounded up (the
    /// `expiresIn` of token answers).
    pub fn access_ttl_secs(&self) -> u64 {
        millis(self.access_ttl).div_ceil(1000)
    }
}

/// Logins, refreshes and the recognition of this server's access tokens.
pub struct Sessions {
    store: Arc<Store>,
    jwt: JwtKeys,
    clock: Clock,
    rules: TokenRules,
    limiter: Arc<LoginLimiter>,
    /// One permit per password check that may run at once (one per CPU):
    /// Argon2 is CPU- and memory-hard, and the login limiter needs each
    /// check to finish counting before the next one is let in.
    password_checks: Arc<Semaphore>,
}

impl Sessions {
    /// Sessions kept in `store`, access tokens signed with `jwt`, on
    /// `clock`, by `rules`, logins limited by `limiter`.
    pub fn new(
        store: Arc<Store>,
        jwt: JwtKeys,
        clock: Clock,
        rules: TokenRules,
        limiter: LoginLimiter,
    ) -> Self {
        Self {
            store,
            jwt,
            clock,
            rules,
            limiter: Arc::new(limiter),
            password_checks: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, NonZero::get),
            )),
        }
    }

    /// The password check slots free right now (a test of the limiter
    /// checks that none is left taken).
    #[cfg(test)]
    pub fn free_password_checks(&self) -> usize {
        self.password_checks.available_permits()
    }

    /// The password check slots themselves (a test holds them to stall logins).
    #[cfg(test)]
    pub fn password_check_slots(&self) -> Arc<Semaphore> {
        Arc::clone(&self.password_checks)
    }

    /// Checks the credentials (and, for a user who has it on, the second
    /// factor) and starts a new refresh token family, ending the user's
    /// oldest families beyond [`TokenRules::max_sessions`].
    ///
    /// While the attempt is locked out by failed logins (see
    /// [`super::rate_limit`]) it is refused with [`AuthError::TooManyAttempts`],
    /// and while the user or the address has logged in too often with
    /// [`AuthError::TooManyLogins`], both before the password is looked at,
    /// whatever the password. Otherwise a wrong password or a wrong code is
    /// recorded as a failure and answered with
    /// [`AuthError::InvalidCredentials`] or
    /// [`AuthError::InvalidTwoFactorCode`]; a right password of a user with
    /// two factors, without a code, is answered with
    /// [`AuthError::RequiresTwoFactor`] and recorded as nothing; a success is
    /// recorded against the throttles. Names over [`MAX_USER_NAME_CHARS`]
    /// are refused with [`AuthError::UserNameTooLong`].
    pub async fn login(
        &self,
        sign_in: SignIn<'_>,
        client: Option<IpAddr>,
    ) -> Result<IssuedTokens, AuthError> {
        let SignIn {
            tenant,
            user_name,
            password,
            second_factor,
        } = sign_in;
        if user_name.chars().count() > MAX_USER_NAME_CHARS {
            return Err(AuthError::UserNameTooLong);
        }
        let attempt = Attempt::new(user_name, client);
        // Refuse at once rather than queue for a password check slot ...
        self.check_limit(&attempt)?;
        let permit = Arc::clone(&self.password_checks).acquire_owned().await?;
        // ... and check again with the slot: a slot is held from this check
        // until the outcome is recorded, so a burst of parallel attempts
        // cannot all pass the check before the first of them counts.
        self.check_limit(&attempt)?;
        let credentials = self
            .store
            .with(|conn| users::credentials(conn, tenant, user_name))?;
        // Unknown names are checked against a dummy hash so they take as long.
        let hash = credentials
            .as_ref()
            .map_or(DUMMY_HASH, |found| found.password_hash.as_str())
            .to_owned();
        let key = credentials
            .as_ref()
            .and_then(|found| found.two_factor_key.clone());
        let known = credentials.is_some();
        let second_factor = second_factor.map(|proof| {
            (
                proof.provider == two_factor::PROVIDER,
                proof.code.to_owned(),
            )
        });
        let (limiter, clock) = (Arc::clone(&self.limiter), self.clock.clone());
        // Verifies and records in one blocking task that owns the slot, so
        // the outcome counts even when the client hangs up mid-check.
        let outcome = tokio::task::spawn_blocking(move || {
            let now = clock.now_ms();
            let outcome = match (password::verify(&password, &hash) && known, key) {
                (false, _) => Checked::WrongPassword,
                (true, None) => Checked::Passed,
                (true, Some(_)) if second_factor.is_none() => Checked::NeedsSecondFactor,
                (true, Some(key)) => match second_factor {
                    Some((true, code)) if two_factor::verify(&key, &code, now) => Checked::Passed,
                    _ => Checked::WrongCode,
                },
            };
            match outcome {
                Checked::Passed => limiter.record_success(&attempt, now),
                Checked::WrongPassword | Checked::WrongCode => {
                    limiter.record_failure(&attempt, now);
                }
                Checked::NeedsSecondFactor => {}
            }
            drop(permit);
            outcome
        })
        .await?;
        match (credentials, outcome) {
            (Some(found), Checked::Passed) => self.start_session(&found.id),
            (Some(found), Checked::NeedsSecondFactor) => {
                Err(AuthError::RequiresTwoFactor { user_id: found.id })
            }
            (Some(_), Checked::WrongCode) => Err(AuthError::InvalidTwoFactorCode),
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    /// Rotates the refresh token `presented` (see [`refresh_tokens::rotate`]);
    /// with `claimed_user`, the token must belong to that user. With an
    /// `idempotency_key` (and a window, [`TokenRules::idempotency_window`]),
    /// the answer is kept (see [`replays`]), and the same token with the
    /// same key within the window gets that same answer again
    /// ([`IssuedTokens::replayed`]) instead of counting as a reuse.
    pub fn refresh(
        &self,
        presented: &str,
        claimed_user: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<IssuedTokens, AuthError> {
        let window = self.rules.idempotency_window;
        let key = idempotency_key
            .filter(|key| !key.is_empty() && key.len() <= replays::MAX_KEY_BYTES)
            .filter(|_| !window.is_zero());
        let refresh_token = random::token()?;
        let now = self.clock.now_ms();
        self.store.with(|conn| {
            // Take the write lock before reading the token, so no other
            // connection can spend it between this read and this write.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(key) = key
                && let Some(replay) = replays::answer_again(&tx, presented, key, now, window)?
            {
                if claimed_user.is_some_and(|user| user != replay.user_id) {
                    return Err(AuthError::Rejected(Rejection::WrongUser));
                }
                return Ok(IssuedTokens {
                    user_id: replay.user_id,
                    expires_in: replay
                        .answer
                        .access_expires_at_ms
                        .saturating_sub(now)
                        .div_ceil(1000),
                    refresh_expires_in: replay.session_expires_at_ms.saturating_sub(now) / 1000,
                    access_token: replay.answer.access_token,
                    refresh_token: replay.answer.refresh_token,
                    replayed: true,
                });
            }
            let rotated = refresh_tokens::rotate(
                &tx,
                presented,
                claimed_user,
                &refresh_token,
                now,
                self.rules.reuse_grace,
            );
            match rotated {
                Ok(family) => {
                    let (issued, access_expires_at_ms) =
                        self.issue(&tx, family, refresh_token, now)?;
                    if let Some(key) = key {
                        let answer = replays::Answer {
                            access_token: issued.access_token.clone(),
                            refresh_token: issued.refresh_token.clone(),
                            access_expires_at_ms,
                        };
                        replays::keep(&tx, presented, key, &answer, now, window)?;
                    }
                    tx.commit()?;
                    Ok(issued)
                }
                Err(RotationError::Rejected(rejection)) => {
                    // Commit anyway: a detected reuse has revoked the family.
                    tx.commit()?;
                    Err(AuthError::Rejected(rejection))
                }
                Err(error) => Err(error.into()),
            }
        })
    }

    /// The bearer of one of this server's access tokens, with their roles
    /// and policies as they are now. Refuses bad, expired or force-expired
    /// tokens, tokens of sessions that have ended (logout, reuse,
    /// revocation) and tokens of users that no longer exist.
    pub fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let claims = self
            .jwt
            .verify(token, self.clock.now_ms())
            .map_err(InvalidToken::Token)?;
        self.store.with(|conn| {
            let (user, valid_from) = users::by_id_with_access_cutoff(conn, &claims.sub)?
                .ok_or(InvalidToken::UnknownUser)?;
            if claims.ser < valid_from || !refresh_tokens::is_live(conn, claims.sid, &user.id)? {
                return Err(InvalidToken::Revoked.into());
            }
            Ok(Principal::of_user(conn, user)?)
        })
    }

    /// Refuses the attempt while it is locked out or throttled.
    fn check_limit(&self, attempt: &Attempt) -> Result<(), AuthError> {
        self.limiter
            .check(attempt, self.clock.now_ms())
            .map_err(|refusal| match refusal {
                Refusal::Failures(retry_after) => AuthError::TooManyAttempts { retry_after },
                Refusal::Successes(retry_after) => AuthError::TooManyLogins { retry_after },
            })
    }

    fn start_session(&self, user_id: &str) -> Result<IssuedTokens, AuthError> {
        let refresh_token = random::token()?;
        let now = self.clock.now_ms();
        self.store.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let family = refresh_tokens::start_family(
                &tx,
                user_id,
                &refresh_token,
                now,
                self.rules.refresh_ttl,
            )?;
            refresh_tokens::end_all_but_newest(&tx, user_id, self.rules.max_sessions, now)?;
            let (issued, _) = self.issue(&tx, family, refresh_token, now)?;
            tx.commit()?;
            Ok(issued)
        })
    }

    /// Completes a login or refresh in `tx`, which has already stored
    /// `refresh_token` in `family`: issues the matching access token and
    /// returns the pair, and when the access token expires (ms since the
    /// epoch). The caller commits.
    fn issue(
        &self,
        tx: &Transaction<'_>,
        family: Family,
        refresh_token: String,
        now_ms: u64,
    ) -> Result<(IssuedTokens, u64), AuthError> {
        let (access_token, expires_at_ms) = self.access_token(tx, &family, now_ms)?;
        let issued = IssuedTokens {
            refresh_expires_in: family.expires_at_ms.saturating_sub(now_ms) / 1000,
            user_id: family.user_id,
            access_token,
            refresh_token,
            expires_in: self.rules.access_ttl_secs(),
            replayed: false,
        };
        Ok((issued, expires_at_ms))
    }

    /// A new access token for `family`, and when it expires (ms since the
    /// epoch).
    fn access_token(
        &self,
        conn: &rusqlite::Connection,
        family: &Family,
        now_ms: u64,
    ) -> Result<(String, u64), AuthError> {
        let ttl_ms = millis(self.rules.access_ttl);
        // Rounded up, so a token is never shorter-lived than configured.
        let exp = now_ms.saturating_add(ttl_ms).div_ceil(1000);
        let claims = Claims {
            sub: family.user_id.clone(),
            exp,
            iat: now_ms / 1000,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: random::guid()?,
            ser: users::next_access_serial(conn, &family.user_id)?,
            sid: family.id,
        };
        Ok((self.jwt.issue(&claims)?, exp.saturating_mul(1000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_lifetime_is_given_in_whole_seconds_rounded_up() {
        let rules = |access_ttl| TokenRules {
            access_ttl,
            refresh_ttl: Duration::from_secs(60),
            reuse_grace: Duration::ZERO,
            max_sessions: 1,
            idempotency_window: Duration::ZERO,
        };
        assert_eq!(rules(Duration::from_millis(500)).access_ttl_secs(), 1);
        assert_eq!(rules(Duration::from_secs(30)).access_ttl_secs(), 30);
        assert_eq!(rules(Duration::from_millis(30_001)).access_ttl_secs(), 31);
    }
}
