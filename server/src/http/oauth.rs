//! `POST /connect/token`: the refresh token grant of OAuth2 (RFC 6749 §6),
//! with OAuth2's own error shape (§5.2).

use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;
use silent_refresh_contract::account::OAuth2TokenResponse;
use silent_refresh_contract::paths;
use silent_refresh_contract::test_controls::Endpoint;

use crate::http::{AppError, token_endpoint};
use crate::state::AppState;

/// `POST` [`paths::OAUTH2_TOKEN`].
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new().route(
        paths::OAUTH2_TOKEN,
        token_endpoint(post(token), state, Endpoint::Refresh),
    )
}

/// The form, read leniently so that a missing field gets OAuth2's own
/// error rather than a rejection; `client_id` and other fields are accepted
/// and ignored.
#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    refresh_token: Option<String>,
}

async fn token(
    State(state): State<AppState>,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Json<OAuth2TokenResponse>, AppError> {
    let Form(request) = form.map_err(|rejection| {
        // Too large is no OAuth2 error but the protocol's own (`413`).
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BadRequest {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "payload_too_large",
                message: rejection.body_text(),
            }
        } else {
            invalid_request(rejection.body_text())
        }
    })?;
    match request.grant_type.as_deref() {
        Some("refresh_token") => {}
        Some(_) => {
            return Err(AppError::OAuth {
                error: "unsupported_grant_type",
                description: "Only the refresh_token grant is supported.".into(),
            });
        }
        None => return Err(invalid_request("grant_type is required.".into())),
    }
    let presented = request
        .refresh_token
        .ok_or_else(|| invalid_request("refresh_token is required.".into()))?;
    let pair = state
        .sessions
        .refresh(&presented, None)
        .map_err(|error| AppError::from(error).into_oauth())?;
    Ok(Json(OAuth2TokenResponse {
        access_token: pair.access_token,
        refresh_token: Some(pair.refresh_token),
        token_type: "Bearer".into(),
        expires_in: Some(pair.expires_in),
        refresh_expires_in: Some(pair.refresh_expires_in),
        id_token: None,
    }))
}

fn invalid_request(description: String) -> AppError {
    AppError::OAuth {
        error: "invalid_request",
        description,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{StatusCode, header};
    use serde_json::json;

    use crate::http::testing::{TestApp, TestResponse};

    fn assert_oauth_error(response: &TestResponse, error: &str) {
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{}",
            response.text()
        );
        let body = response.json();
        assert_eq!(body["error"], error, "{body}");
        assert!(body["error_description"].is_string(), "{body}");
    }

    #[tokio::test]
    async fn the_refresh_token_grant_rotates() {
        let app = TestApp::new();
        let alice = app.alice().await;
        let form = format!(
            "grant_type=refresh_token&refresh_token={}&client_id=spa",
            alice.refresh_token
        );
        let response = app.token(&form).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
        assert_eq!(response.header(header::PRAGMA), Some("no-cache"));
        let body = response.json();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 30);
        let access = body["access_token"].as_str().unwrap_or_default();
        let config = app
            .get("/api/abp/application-configuration", Some(access))
            .await
            .json();
        assert_eq!(config["currentUser"]["id"], json!(alice.user_id));

        // Replaying the spent token revokes the family, the new token included.
        let replay = app.token(&form).await;
        assert_oauth_error(&replay, "invalid_grant");
        assert_eq!(replay.header(header::CACHE_CONTROL), Some("no-store"));
        let newest = body["refresh_token"].as_str().unwrap_or_default();
        let form = format!("grant_type=refresh_token&refresh_token={newest}");
        assert_oauth_error(&app.token(&form).await, "invalid_grant");
    }

    #[tokio::test]
    async fn bad_requests_get_oauth_errors() {
        let app = TestApp::new();
        let unsupported = app
            .token("grant_type=password&username=alice&password=alice123")
            .await;
        assert_oauth_error(&unsupported, "unsupported_grant_type");
        assert_oauth_error(
            &app.token("grant_type=refresh_token").await,
            "invalid_request",
        );
        assert_oauth_error(&app.token("refresh_token=abc").await, "invalid_request");
        assert_oauth_error(
            &app.token("grant_type=refresh_token&refresh_token=abc")
                .await,
            "invalid_grant",
        );
        let json_body = app
            .post(
                "/connect/token",
                None,
                json!({ "grant_type": "refresh_token" }),
            )
            .await;
        assert_oauth_error(&json_body, "invalid_request");
    }
}
