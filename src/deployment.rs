//! Where the app runs: its API, its identity provider, its client ids and
//! scopes, and the demo accounts the login page may show. The build gives
//! each a value (`src/config.rs`); an optional `/app-config.json` beside
//! `index.html`, read before the app mounts, overrides them, so one build
//! goes to test, staging and production, as Vben's `_app.config.js` does.
//! Its keys are the build settings' names; a key it does not know, or a
//! value the build would refuse, is an error that names the key. The flags
//! of the original design (`REFRESH_ROLE` and the role re-checks) stay
//! build-time.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use silent_refresh_web::{Method, Request, Transport};

use crate::config;

/// The file, beside `index.html`.
pub const FILE: &str = "/app-config.json";

/// A demo account the login page lists.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAccount {
    /// The login name.
    pub user_name: String,
    /// The password.
    pub password: String,
    /// The tenant it belongs to.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Whether it asks for an authenticator code too.
    #[serde(default)]
    pub two_factor: bool,
}

/// The deployment settings in effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    /// `API_BASE`.
    pub api_base: String,
    /// `OAUTH2_TOKEN_URL`.
    pub oauth2_token_url: String,
    /// `OAUTH2_CLIENT_ID`.
    pub oauth2_client_id: String,
    /// `OIDC_ISSUER`.
    pub oidc_issuer: String,
    /// `OIDC_CLIENT_ID`.
    pub oidc_client_id: String,
    /// `OIDC_SCOPES`.
    pub oidc_scopes: String,
    /// `ABP_CLIENT_ID`.
    pub abp_client_id: String,
    /// `ABP_SCOPES`.
    pub abp_scopes: String,
    /// `DEMO_ACCOUNTS`: none unless the deployment says.
    pub demo_accounts: Vec<DemoAccount>,
}

/// Why `/app-config.json` cannot be used. The app shows it in place of the
/// console: a deployment that half works is worse than one that says what
/// to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentError {
    /// Not a JSON object.
    #[error("it is not a JSON object: {0}")]
    NotAnObject(String),
    /// A key the app does not read (a typo, or a build-time setting).
    #[error("{key}: {reason}")]
    UnknownKey {
        /// The key.
        key: String,
        /// Why it is not read.
        reason: &'static str,
    },
    /// A value the build would refuse.
    #[error("{key}: {reason}")]
    BadValue {
        /// The key.
        key: String,
        /// What it must be.
        reason: &'static str,
    },
    /// The file could not be fetched (other than being absent).
    #[error("it could not be read: {0}")]
    Unreadable(String),
}

impl Deployment {
    /// The settings the build holds.
    pub fn built() -> Self {
        Self {
            api_base: config::API_BASE.to_owned(),
            oauth2_token_url: config::OAUTH2_TOKEN_URL.to_owned(),
            oauth2_client_id: config::OAUTH2_CLIENT_ID.to_owned(),
            oidc_issuer: config::OIDC_ISSUER.to_owned(),
            oidc_client_id: config::OIDC_CLIENT_ID.to_owned(),
            oidc_scopes: config::OIDC_SCOPES.to_owned(),
            abp_client_id: config::ABP_CLIENT_ID.to_owned(),
            abp_scopes: config::ABP_SCOPES.to_owned(),
            demo_accounts: Vec::new(),
        }
    }

    /// These settings with the file `text` read over them.
    pub fn with_file(mut self, text: &str) -> Result<Self, DeploymentError> {
        let unreadable = |error: serde_json::Error| DeploymentError::NotAnObject(error.to_string());
        // Each value is kept as its JSON text and read as its key wants it,
        // not as a `serde_json::Value`: with the session's intent read the
        // same way, that leaves `Value` out of the download (3 KB gzip).
        let document: Box<RawValue> = serde_json::from_str(text).map_err(unreadable)?;
        if !document.get().starts_with('{') {
            return Err(DeploymentError::NotAnObject(
                "the file holds no {…} object".into(),
            ));
        }
        let settings: BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(document.get()).map_err(unreadable)?;
        for (key, value) in settings {
            self.set(&key, value.get())?;
        }
        Ok(self)
    }

    /// Sets `key` to `value`, a JSON text.
    fn set(&mut self, key: &str, value: &str) -> Result<(), DeploymentError> {
        let bad = |reason| DeploymentError::BadValue {
            key: key.to_owned(),
            reason,
        };
        let text = || serde_json::from_str::<String>(value).map_err(|_| bad("must be a string"));
        match key {
            "API_BASE" => {
                let base = text()?;
                config::check_api_base(&base).map_err(|_| {
                    bad("must be empty, an http:// or https:// URL, or a path starting with /, and must not end with /")
                })?;
                self.api_base = base;
            }
            "OAUTH2_TOKEN_URL" => self.oauth2_token_url = non_empty(text()?).ok_or(bad("must not be empty"))?,
            "OAUTH2_CLIENT_ID" => self.oauth2_client_id = non_empty(text()?).ok_or(bad("must not be empty"))?,
            "OIDC_ISSUER" => {
                let issuer = text()?;
                config::check_url(&issuer).map_err(|_| {
                    bad("must be an http:// or https:// URL without spaces, query or fragment")
                })?;
                self.oidc_issuer = issuer;
            }
            "OIDC_CLIENT_ID" => self.oidc_client_id = non_empty(text()?).ok_or(bad("must not be empty"))?,
            "OIDC_SCOPES" => {
                let scopes = text()?;
                if !config::has_word(&scopes, "openid") {
                    return Err(bad("must be space-separated scopes including openid"));
                }
                self.oidc_scopes = scopes;
            }
            "ABP_CLIENT_ID" => self.abp_client_id = non_empty(text()?).ok_or(bad("must not be empty"))?,
            "ABP_SCOPES" => self.abp_scopes = non_empty(text()?).ok_or(bad("must not be empty"))?,
            "DEMO_ACCOUNTS" => self.demo_accounts = serde_json::from_str(value).map_err(|_| bad(
                "must be a list of {\"userName\", \"password\"} objects (with \"tenant\" and \"twoFactor\" if need be)",
            ))?,
            "REFRESH_ROLE"
            | "ROLE_RECHECK_ON_403"
            | "ROLE_RECHECK_AFTER_HIDDEN_MINUTES"
            | "ROLE_SHARE_ACROSS_TABS"
            | "AUTH_MODE"
            | "REFRESH_MODE"
            | "OIDC_REDIRECT_PATH" => {
                return Err(DeploymentError::UnknownKey {
                    key: key.to_owned(),
                    reason: "is a build-time setting: set it when building the app",
                });
            }
            _ => {
                return Err(DeploymentError::UnknownKey {
                    key: key.to_owned(),
                    reason: "is not a setting of this app",
                });
            }
        }
        Ok(())
    }

    /// The settings in effect: the build's, with `/app-config.json` over
    /// them when it is there (absent: the build's alone).
    pub async fn load() -> Result<Self, DeploymentError> {
        let built = Self::built();
        // The page's own origin; the server marks the file `no-cache`, so
        // the browser asks again on every start.
        let transport = Transport::new("", config::REQUEST_TIMEOUT_MS);
        let response = transport
            .send(Request::new(Method::GET, FILE))
            .await
            .map_err(|error| DeploymentError::Unreadable(error.to_string()))?;
        match response.status {
            404 => Ok(built),
            200..=299 => built.with_file(&response.body),
            status => Err(DeploymentError::Unreadable(format!(
                "the server answered {status}"
            ))),
        }
    }
}

fn non_empty(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_overrides_the_build_key_by_key() {
        let deployment = Deployment::built()
            .with_file(
                r#"{"API_BASE":"https://api.example.com","ABP_CLIENT_ID":"Admin_App","ABP_SCOPES":"offline_access openid Admin"}"#,
            )
            .expect("a good file");
        assert_eq!(deployment.api_base, "https://api.example.com");
        assert_eq!(deployment.abp_client_id, "Admin_App");
        assert_eq!(deployment.abp_scopes, "offline_access openid Admin");
        assert_eq!(deployment.oidc_client_id, config::OIDC_CLIENT_ID);
        assert!(deployment.demo_accounts.is_empty(), "none unless it says");
        assert_eq!(Deployment::built().with_file("{}"), Ok(Deployment::built()));
    }

    #[test]
    fn demo_accounts_come_only_from_the_deployment() {
        let deployment = Deployment::built()
            .with_file(
                r#"{"DEMO_ACCOUNTS":[{"userName":"admin","password":"admin123"},{"userName":"bob","password":"bob123","tenant":"acme","twoFactor":true}]}"#,
            )
            .expect("a good file");
        assert_eq!(deployment.demo_accounts.len(), 2);
        assert_eq!(deployment.demo_accounts[1].tenant.as_deref(), Some("acme"));
        assert!(deployment.demo_accounts[1].two_factor);
    }

    #[test]
    fn a_bad_file_names_the_key() {
        for (file, key) in [
            (r#"{"API_BASE":"api.example.com"}"#, "API_BASE"),
            (r#"{"API_BASE":42}"#, "API_BASE"),
            (r#"{"OIDC_ISSUER":"id.example.com"}"#, "OIDC_ISSUER"),
            (r#"{"OIDC_SCOPES":"profile"}"#, "OIDC_SCOPES"),
            (r#"{"ABP_CLIENT_ID":" "}"#, "ABP_CLIENT_ID"),
            (r#"{"DEMO_ACCOUNTS":"admin/admin"}"#, "DEMO_ACCOUNTS"),
            (
                r#"{"DEMO_ACCOUNTS":[{"userName":"a","password":"b","tenant":7}]}"#,
                "DEMO_ACCOUNTS",
            ),
            (r#"{"API_BSAE":"/x"}"#, "API_BSAE"),
            (r#"{"REFRESH_ROLE":"on"}"#, "REFRESH_ROLE"),
        ] {
            let error = Deployment::built().with_file(file).expect_err("refused");
            assert!(error.to_string().starts_with(key), "{file}: {error}");
        }
        for not_an_object in ["", "[1]", "\"x\"", "{"] {
            assert!(matches!(
                Deployment::built().with_file(not_an_object),
                Err(DeploymentError::NotAnObject(_))
            ));
        }
    }
}
