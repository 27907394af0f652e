//! `app-config.json`, the deployment file the app reads before it mounts
//! (its API base, its identity provider, …): served from the static folder
//! when it is there, else the server's own document (the reference
//! server's demo accounts) when it has one, else `404`. The origins it
//! names (`API_BASE`, `OIDC_ISSUER`) go into the CSP, so one build can be
//! pointed at another API by this file alone.

use axum::body::Bytes;
use serde_json::Value;

use super::csp::{Origins, origin_of};

/// The file's name, beside `index.html`.
pub const FILE_NAME: &str = "app-config.json";

/// The origins a deployment document lets the app reach: the API base's
/// (calls) and the identity provider's (calls and its sign-in form). A
/// document that is not JSON, or holds no URL, adds none: the app itself
/// reports a bad file, naming the key.
pub fn origins_of(document: &[u8]) -> Origins {
    let Ok(Value::Object(settings)) = serde_json::from_slice::<Value>(document) else {
        return Origins::default();
    };
    let origin = |key: &str| {
        settings
            .get(key)
            .and_then(Value::as_str)
            .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
            .and_then(origin_of)
    };
    let api = origin("API_BASE");
    let issuer = origin("OIDC_ISSUER");
    Origins {
        connect: api.into_iter().chain(issuer.clone()).collect(),
        form_action: issuer.into_iter().collect(),
    }
}

/// The server's own document, as bytes.
pub fn default_document(document: Option<String>) -> Option<Bytes> {
    document.map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_base_and_the_issuer_become_origins() {
        let origins = origins_of(
            br#"{"API_BASE":"https://api.example.com:8443/v1","OIDC_ISSUER":"https://id.example.com/realms/x","ABP_CLIENT_ID":"app"}"#,
        );
        assert_eq!(
            origins.connect,
            ["https://api.example.com:8443", "https://id.example.com"]
        );
        assert_eq!(origins.form_action, ["https://id.example.com"]);
    }

    #[test]
    fn paths_garbage_and_other_keys_add_nothing() {
        for document in [
            &br#"{"API_BASE":"/api-prefix"}"#[..],
            b"not json",
            b"[1,2]",
            br#"{"API_BASE":42}"#,
            br#"{"DEMO_ACCOUNTS":[]}"#,
        ] {
            assert_eq!(origins_of(document), Origins::default());
        }
    }
}
