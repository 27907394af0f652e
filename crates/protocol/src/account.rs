//! Login, refresh and logout: the seed protocol's JSON documents, and the
//! RFC 6749 token endpoint's answer.

use serde::{Deserialize, Serialize};

/// `POST /api/account/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    /// The user name.
    pub user_name: String,
    /// The password.
    pub password: String,
}

/// `POST /api/app/account/refresh-token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The user the refresh token was issued to.
    pub user_id: String,
    /// The single-use refresh token.
    pub refresh_token: String,
}

/// `POST /api/account/logout`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoutRequest {
    /// The refresh token whose family is revoked.
    pub refresh_token: String,
}

/// The answer of a successful login or refresh:
/// `{"success":true,"token","refreshToken","userId"?,"expiresIn"}`.
/// Clients read every field leniently (a missing one is a protocol error
/// they report, not a decoding panic).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// Whether the call worked (`false` on an `invalid_grant` refresh).
    #[serde(default)]
    pub success: bool,
    /// The access token.
    #[serde(default)]
    pub token: String,
    /// The rotated refresh token.
    #[serde(default)]
    pub refresh_token: String,
    /// The user's id: sent by login, left out by refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The access token's lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// What is left of the refresh token's absolute lifetime, in seconds
    /// (rotation never extends it), when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_in: Option<u64>,
}

/// An RFC 6749 §5.1 token response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2TokenResponse {
    /// The access token.
    #[serde(default)]
    pub access_token: String,
    /// The rotated refresh token; a server that does not rotate leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: String,
    /// The access token's lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// What is left of the refresh token's lifetime, in seconds (the name
    /// Keycloak uses; not in RFC 6749), when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_in: Option<u64>,
    /// The ID token of an OpenID Connect code exchange (Core §3.1.3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The scopes granted, when they differ from those asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_answer_leaves_the_user_id_out_and_reads_back() {
        let answer = TokenResponse {
            success: true,
            token: "a".into(),
            refresh_token: "r".into(),
            user_id: None,
            expires_in: Some(30),
            refresh_expires_in: None,
        };
        let json = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            json,
            r#"{"success":true,"token":"a","refreshToken":"r","expiresIn":30}"#
        );
        assert_eq!(
            serde_json::from_str::<TokenResponse>(&json).unwrap(),
            answer
        );
    }

    #[test]
    fn an_invalid_grant_body_reads_as_no_success() {
        let body = r#"{"success":false,"error":{"code":"invalid_grant","message":"no"}}"#;
        let answer: TokenResponse = serde_json::from_str(body).unwrap();
        assert!(!answer.success);
        assert!(answer.token.is_empty());
    }
}
