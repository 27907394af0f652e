//! A logged-in session's tokens, as the shared record keeps them.

use serde::{Deserialize, Serialize};
use silent_refresh_core::{RefreshAhead, RefreshGrant, TokenPair};

/// A logged-in session's tokens, as persisted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The bearer token.
    pub access_token: String,
    /// The refresh token (single use on servers that rotate them).
    pub refresh_token: String,
    /// Who the session belongs to (a user id, an OpenID Connect `sub`).
    #[serde(rename = "userId")]
    pub subject: String,
    /// When the access token expires (ms since the epoch): the time it was
    /// received plus its `expires_in`, when the server said. Kept in the
    /// shared record, so every tab agrees.
    pub expires_at_ms: Option<f64>,
    /// When the access token was received (ms since the epoch).
    #[serde(default)]
    pub received_at_ms: f64,
    /// When the refresh token's absolute lifetime ends (ms since the
    /// epoch), when the server said: the session cannot outlive it.
    #[serde(default)]
    pub refresh_expires_at_ms: Option<f64>,
    /// When the user logged in (ms since the epoch): with the subject, what
    /// tells one login from another. Kept across refreshes.
    #[serde(default)]
    pub started_at_ms: f64,
    /// The tenant signed in to (ABP's `__tenant`, sent on every call by
    /// every tab); `None`: the host, or a server without tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The refresh under way, written before it was sent (write-ahead):
    /// whoever refreshes next (this tab again, or another tab after this
    /// one closed) resends it with the same key, so an answer lost after
    /// the server rotated costs nothing. Cleared with the new pair; one
    /// that cannot be read is dropped, and said once.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "read_intent"
    )]
    pub intent: Option<RefreshIntent>,
    /// Held in a Backend-for-Frontend's cookie: the browser keeps no token
    /// (both are empty), the server refreshes on its side, and a `401` from
    /// it means the session ended.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_cookie: bool,
}

/// A refresh about to be sent: the token it spends and the key it goes
/// out with (`Idempotency-Key`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshIntent {
    /// The idempotency key.
    pub key: String,
    /// The refresh token the refresh spends.
    pub refresh_token: String,
}

/// Reads a session's `intent`: one that is not a [`RefreshIntent`] (foreign
/// or damaged data) is dropped, and said once, rather than making the whole
/// session unreadable.
fn read_intent<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RefreshIntent>, D::Error> {
    // Kept as its JSON text, not a `serde_json::Value`: the text is all
    // the warning needs, and `Value` costs the download its own tree type.
    let Some(raw) = Option::<Box<serde_json::value::RawValue>>::deserialize(deserializer)? else {
        return Ok(None);
    };
    match serde_json::from_str(raw.get()) {
        Ok(intent) => Ok(Some(intent)),
        Err(error) => {
            if crate::log::first_time(raw.get()) {
                crate::log::warn(&format!("dropping an unreadable refresh intent: {error}"));
            }
            Ok(None)
        }
    }
}

impl Session {
    /// A session from a login's answer at `now_ms`.
    pub fn new(
        access_token: String,
        refresh_token: String,
        subject: String,
        expires_in: Option<u64>,
        now_ms: f64,
    ) -> Self {
        Self {
            access_token,
            refresh_token,
            subject,
            expires_at_ms: expires_in.map(|secs| now_ms + secs as f64 * 1000.0),
            received_at_ms: now_ms,
            refresh_expires_at_ms: None,
            started_at_ms: now_ms,
            tenant: None,
            intent: None,
            in_cookie: false,
        }
    }

    /// The session a Backend-for-Frontend holds for `subject` in its cookie,
    /// started at `started_at_ms` and ending at `ends_at_ms` at the latest:
    /// no token in the browser, nothing to refresh here.
    pub fn in_cookie(
        subject: String,
        started_at_ms: f64,
        ends_at_ms: Option<f64>,
        now_ms: f64,
    ) -> Self {
        Self {
            started_at_ms,
            refresh_expires_at_ms: ends_at_ms,
            in_cookie: true,
            ..Self::new(String::new(), String::new(), subject, None, now_ms)
        }
    }

    /// The same session with the refresh `intent` written ahead.
    #[must_use]
    pub fn with_intent(self, intent: Option<RefreshIntent>) -> Self {
        Self { intent, ..self }
    }

    /// The same session, signed in to `tenant`.
    #[must_use]
    pub fn with_tenant(self, tenant: Option<String>) -> Self {
        Self { tenant, ..self }
    }

    /// The same session, its refresh token ending `refresh_expires_in`
    /// seconds after `received_at_ms` (when the server said).
    #[must_use]
    pub fn with_refresh_expiry(self, refresh_expires_in: Option<u64>) -> Self {
        Self {
            refresh_expires_at_ms: refresh_expires_in
                .map(|secs| self.received_at_ms + secs as f64 * 1000.0),
            ..self
        }
    }

    /// When `policy` has this session's access token refreshed ahead of its
    /// expiry (ms since the epoch); `None` when the expiry is unknown or
    /// the token too short-lived (then only a `401` refreshes it).
    pub fn refresh_deadline(&self, policy: &RefreshAhead, jitter: f64) -> Option<f64> {
        let expires_at = self.expires_at_ms?;
        policy
            .deadline(self.received_at_ms as u64, expires_at as u64, jitter)
            .map(|due| due as f64)
    }

    /// The same login after a refresh returned `pair` at `now_ms`.
    pub fn refreshed(&self, pair: TokenPair, now_ms: f64) -> Self {
        let refresh_expires_in = pair.refresh_expires_in;
        let refreshed = Self {
            started_at_ms: self.started_at_ms,
            tenant: self.tenant.clone(),
            in_cookie: self.in_cookie,
            ..Self::new(
                pair.access_token,
                pair.refresh_token,
                self.subject.clone(),
                pair.expires_in,
                now_ms,
            )
        };
        match refresh_expires_in {
            Some(_) => refreshed.with_refresh_expiry(refresh_expires_in),
            // A server that stopped saying: the last known end still holds.
            None => Self {
                refresh_expires_at_ms: self.refresh_expires_at_ms,
                ..refreshed
            },
        }
    }

    /// What refreshing this session's tokens takes (its key is chosen when
    /// the refresh is written ahead, see `SharedRefresher`).
    pub fn grant(&self) -> RefreshGrant {
        RefreshGrant {
            refresh_token: self.refresh_token.clone(),
            subject: Some(self.subject.clone()),
            idempotency_key: None,
        }
    }

    /// Whether both come from the same login (refreshes aside).
    pub fn is_same_login(&self, other: &Session) -> bool {
        self.subject == other.subject && self.started_at_ms == other.started_at_ms
    }

    /// Whether both hold the same tokens of the same login (the expiry
    /// aside, which tabs compute each on their own clock).
    pub fn has_same_tokens(&self, other: &Session) -> bool {
        self.is_same_login(other)
            && self.access_token == other.access_token
            && self.refresh_token == other.refresh_token
    }

    /// These tokens as a refresh's result (for a tab adopting what another
    /// tab's refresh stored).
    pub fn as_pair(&self, now_ms: f64) -> TokenPair {
        TokenPair {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_in: self
                .expires_at_ms
                .map(|at| ((at - now_ms) / 1000.0).max(0.0) as u64),
            refresh_expires_in: self
                .refresh_expires_at_ms
                .map(|at| ((at - now_ms) / 1000.0).max(0.0) as u64),
        }
    }

    /// Whether a stored value can be used (foreign data might parse but be
    /// empty): tokens, or a cookie session's subject.
    pub fn is_usable(&self) -> bool {
        if self.in_cookie {
            !self.subject.is_empty()
        } else {
            !self.access_token.is_empty() && !self.refresh_token.is_empty()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adopted_pairs_count_their_lifetime_from_now() {
        let stored = Session::new("a".into(), "r".into(), "u".into(), Some(30), 1_000.0);
        assert_eq!(stored.as_pair(11_000.0).expires_in, Some(20));
        assert_eq!(stored.as_pair(99_000.0).expires_in, Some(0));
    }

    #[test]
    fn a_refresh_keeps_the_login_and_a_new_login_is_another() {
        let login = Session::new("a1".into(), "r1".into(), "alice".into(), Some(30), 0.0);
        let pair = TokenPair {
            access_token: "a2".into(),
            refresh_token: "r2".into(),
            expires_in: Some(30),
            refresh_expires_in: Some(100),
        };
        let refreshed = login.refreshed(pair, 5_000.0);
        assert_eq!(refreshed.refresh_expires_at_ms, Some(105_000.0));
        let silent = TokenPair {
            access_token: "a4".into(),
            refresh_token: "r4".into(),
            expires_in: Some(30),
            refresh_expires_in: None,
        };
        assert_eq!(
            refreshed.refreshed(silent, 9_000.0).refresh_expires_at_ms,
            Some(105_000.0),
            "the known end holds when the server stops saying"
        );
        assert!(refreshed.is_same_login(&login));
        assert!(!refreshed.has_same_tokens(&login));
        assert_eq!(refreshed.expires_at_ms, Some(35_000.0));
        let relogin = Session::new("a3".into(), "r3".into(), "alice".into(), None, 9_000.0);
        assert!(!relogin.is_same_login(&login));
    }

    #[test]
    fn the_refresh_deadline_follows_the_receipt_and_the_lifetime() {
        let policy = RefreshAhead::default();
        let session = Session::new("a".into(), "r".into(), "u".into(), Some(30), 1_000_000.0);
        assert_eq!(session.refresh_deadline(&policy, 0.0), Some(1_024_000.0));
        let unknown = Session::new("a".into(), "r".into(), "u".into(), None, 1_000_000.0);
        assert_eq!(unknown.refresh_deadline(&policy, 0.0), None);
        // A record written before receipt times were kept reads as received
        // at the epoch: its deadline is long past, so it is due at once.
        let old: Session = serde_json::from_str(
            r#"{"accessToken":"a","refreshToken":"r","userId":"u","expiresAtMs":5000.0}"#,
        )
        .unwrap();
        assert_eq!(old.refresh_deadline(&policy, 0.0), Some(4_000.0));
    }

    #[test]
    fn a_cookie_session_holds_no_token_and_is_usable_by_its_subject() {
        let session = Session::in_cookie("alice".into(), 1_000.0, Some(9_000.0), 2_000.0);
        assert!(session.is_usable());
        assert_eq!(
            (
                session.access_token.as_str(),
                session.refresh_token.as_str()
            ),
            ("", "")
        );
        assert_eq!(
            session.refresh_deadline(&RefreshAhead::default(), 0.0),
            None
        );
        let json = serde_json::to_value(&session).unwrap();
        assert_eq!(json["inCookie"], true);
        assert_eq!(json["startedAtMs"], 1_000.0);
        assert_eq!(json["refreshExpiresAtMs"], 9_000.0);
        let nobody = Session::in_cookie(String::new(), 1_000.0, None, 2_000.0);
        assert!(!nobody.is_usable());
        // A token session reads and writes as before.
        let tokens = Session::new("a".into(), "r".into(), "u".into(), None, 0.0);
        assert!(
            serde_json::to_value(&tokens)
                .unwrap()
                .get("inCookie")
                .is_none()
        );
        let empty_tokens: Session = serde_json::from_str(
            r#"{"accessToken":"","refreshToken":"","userId":"u","expiresAtMs":null}"#,
        )
        .unwrap();
        assert!(
            !empty_tokens.is_usable(),
            "empty tokens are a cookie session only when it says so"
        );
    }

    #[test]
    fn malformed_or_foreign_records_are_not_sessions() {
        for text in [
            "{not json",
            "42",
            "null",
            r#"{"accessToken":"a"}"#,
            r#"{"accessToken":1,"refreshToken":"r","userId":"u","expiresAtMs":null}"#,
        ] {
            assert!(serde_json::from_str::<Session>(text).is_err(), "{text}");
        }
        let empty: Session = serde_json::from_str(
            r#"{"accessToken":"","refreshToken":"","userId":"u","expiresAtMs":null}"#,
        )
        .unwrap();
        assert!(!empty.is_usable(), "parses, but holds no tokens");
    }

    #[test]
    fn an_intent_reads_back_and_an_unreadable_one_is_dropped_once() {
        let written = Session::new("a".into(), "r".into(), "u".into(), Some(1), 0.0).with_intent(
            Some(RefreshIntent {
                key: "k1".into(),
                refresh_token: "r".into(),
            }),
        );
        let json = serde_json::to_string(&written).unwrap();
        assert!(
            json.contains(r#""intent":{"key":"k1","refreshToken":"r"}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), written);
        let damaged = r#"{"accessToken":"a","refreshToken":"r","userId":"u","expiresAtMs":null,"intent":{"key":7}}"#;
        let read: Session = serde_json::from_str(damaged).expect("the session itself reads");
        assert_eq!(read.intent, None);
        assert!(!crate::log::first_time(r#"{"key":7}"#), "said once already");
        let again: Session = serde_json::from_str(damaged).unwrap();
        assert_eq!(again.intent, None);
        // A refresh clears it.
        let pair = TokenPair {
            access_token: "a2".into(),
            refresh_token: "r2".into(),
            expires_in: None,
            refresh_expires_in: None,
        };
        assert_eq!(written.refreshed(pair, 1.0).intent, None);
    }

    #[test]
    fn the_stored_shape_is_unchanged() {
        let session = Session::new("a".into(), "r".into(), "u1".into(), Some(1), 0.0);
        let json = serde_json::to_value(&session).unwrap();
        assert_eq!(json["userId"], "u1");
        assert_eq!(json["expiresAtMs"], 1000.0);
    }
}
