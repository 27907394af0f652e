//! `GET /api/abp/application-configuration`: the current user, their roles and
//! granted policies, read from the database on every call (with
//! `--oidc-issuer` the user and roles from the provider's token), in ABP's
//! shape: the tenant, whether there are tenants, and the culture of the
//! caller's `Accept-Language`. The translations come only when asked
//! (`includeLocalizationResources`, true when absent as in ABP); asked not
//! to, `localization` is `null`, as abp-vnext-pro answers.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use silent_refresh_contract::app_config::{
    ApplicationConfiguration, AuthConfiguration, Culture, CurrentTenant, CurrentUser, Localization,
    MultiTenancy,
};
use silent_refresh_contract::paths;
use silent_refresh_contract::test_controls::Endpoint;

use crate::domain::tenants;
use crate::http::AppError;
use crate::http::extract::MaybeAuthUser;
use crate::http::tracking::track;
use crate::state::AppState;

/// `GET` [`paths::APP_CONFIG`].
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new().route(
        paths::APP_CONFIG,
        get(configuration).route_layer(from_fn_with_state(
            (state.clone(), Endpoint::AppConfig),
            track,
        )),
    )
}

/// The query: whether to send the translations. ASP.NET binds query
/// names in any case, so both spellings ABP's clients use are read.
#[derive(Deserialize)]
struct Request {
    #[serde(
        rename = "includeLocalizationResources",
        alias = "IncludeLocalizationResources"
    )]
    include_localization_resources: Option<bool>,
}

async fn configuration(
    State(state): State<AppState>,
    MaybeAuthUser(principal): MaybeAuthUser,
    Query(request): Query<Request>,
    headers: HeaderMap,
) -> Result<Json<ApplicationConfiguration>, AppError> {
    let (current_user, auth, tenant) = match principal {
        Some(principal) => {
            let tenant = match &principal.tenant_id {
                Some(id) => state.store.with(|conn| tenants::by_id(conn, id))?,
                None => None,
            };
            (
                CurrentUser {
                    is_authenticated: true,
                    id: Some(principal.id),
                    tenant_id: principal.tenant_id,
                    user_name: Some(principal.user_name),
                    name: Some(principal.name),
                    sur_name: None,
                    email: principal.email,
                    roles: principal.roles,
                },
                AuthConfiguration {
                    granted_policies: principal
                        .policies
                        .into_iter()
                        .map(|policy| (policy, true))
                        .collect(),
                    policies: BTreeMap::new(),
                },
                tenant,
            )
        }
        None => (CurrentUser::default(), AuthConfiguration::default(), None),
    };
    let chinese = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|languages| {
            languages
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("zh")
        });
    let localization = request
        .include_localization_resources
        .unwrap_or(true)
        .then(|| localization(chinese));
    Ok(Json(ApplicationConfiguration {
        current_user,
        auth,
        localization,
        multi_tenancy: MultiTenancy { is_enabled: true },
        current_tenant: CurrentTenant {
            is_available: tenant.is_some(),
            id: tenant.as_ref().map(|t| t.id.clone()),
            name: tenant.map(|t| t.name),
        },
    }))
}

/// The culture (English, or Chinese for a caller that prefers it) and its
/// translations of the few names this server has.
fn localization(chinese: bool) -> Localization {
    let (culture, display, names) = if chinese {
        (
            "zh-Hans",
            "简体中文",
            [("Dashboard", "仪表盘"), ("Reports", "报表")],
        )
    } else {
        (
            "en",
            "English",
            [("Dashboard", "Dashboard"), ("Reports", "Reports")],
        )
    };
    Localization {
        values: BTreeMap::from([(
            "SilentRefresh".to_owned(),
            names
                .into_iter()
                .map(|(key, text)| (key.to_owned(), text.to_owned()))
                .collect(),
        )]),
        current_culture: Culture {
            culture_name: culture.into(),
            name: culture.into(),
            display_name: display.into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{StatusCode, header};
    use serde_json::{Value, json};

    use crate::http::testing::TestApp;

    const PATH: &str = "/api/abp/application-configuration";

    #[tokio::test]
    async fn anonymous_configuration_in_abps_shape() {
        let app = TestApp::new();
        let response = app.get(PATH, None).await;
        assert_eq!(response.status, StatusCode::OK);
        let body = response.json();
        assert_eq!(
            body["currentUser"],
            json!({
                "isAuthenticated": false,
                "id": null,
                "tenantId": null,
                "userName": null,
                "name": null,
                "surName": null,
                "email": null,
                "roles": []
            })
        );
        assert_eq!(body["auth"], json!({ "grantedPolicies": {} }));
        assert_eq!(body["multiTenancy"], json!({ "isEnabled": true }));
        assert_eq!(
            body["currentTenant"],
            json!({ "id": null, "name": null, "isAvailable": false })
        );
        // Asked for nothing, ABP sends the translations.
        assert_eq!(body["localization"]["currentCulture"]["cultureName"], "en");
        assert_eq!(
            body["localization"]["values"]["SilentRefresh"]["Dashboard"],
            "Dashboard"
        );
    }

    #[tokio::test]
    async fn asked_not_to_it_leaves_the_translations_out() {
        let app = TestApp::new();
        for query in [
            "?includeLocalizationResources=false",
            "?IncludeLocalizationResources=false",
        ] {
            let body = app.get(&format!("{PATH}{query}"), None).await.json();
            assert_eq!(body["localization"], Value::Null, "{query}");
        }
        let asked = app
            .get(&format!("{PATH}?includeLocalizationResources=true"), None)
            .await
            .json();
        assert!(asked["localization"].is_object());
    }

    #[tokio::test]
    async fn the_culture_follows_accept_language() {
        let app = TestApp::new();
        let request = axum::http::Request::get(PATH)
            .header(header::ACCEPT_LANGUAGE, "zh-Hans, zh-CN;q=0.9, zh;q=0.8")
            .body(axum::body::Body::empty())
            .expect("request");
        let body = app.send(request).await.json();
        assert_eq!(
            body["localization"]["currentCulture"]["cultureName"],
            "zh-Hans"
        );
        assert_eq!(
            body["localization"]["values"]["SilentRefresh"]["Dashboard"],
            "仪表盘"
        );
    }

    #[tokio::test]
    async fn signed_in_configuration_lists_roles_and_policies() {
        let app = TestApp::new();
        let admin = app.admin().await;
        let body = app.get(PATH, Some(&admin.token)).await.json();
        assert_eq!(
            body["currentUser"],
            json!({
                "isAuthenticated": true,
                "id": admin.user_id,
                "tenantId": null,
                "userName": "admin",
                "name": "Administrator",
                "surName": null,
                "email": "admin@example.com",
                "roles": ["admin"]
            })
        );
        assert_eq!(
            body["auth"]["grantedPolicies"],
            json!({
                "AbpIdentity.Users": true,
                "AbpIdentity.Users.Update": true,
                "Dashboard.View": true,
                "Reports.View": true
            })
        );
        let alice = app.alice().await;
        let body = app.get(PATH, Some(&alice.token)).await.json();
        assert_eq!(
            body["auth"]["grantedPolicies"],
            json!({ "Dashboard.View": true })
        );
    }

    #[tokio::test]
    async fn an_invalid_bearer_is_refused_not_treated_as_anonymous() {
        let app = TestApp::new();
        let response = app.get(PATH, Some("not-a-jwt")).await;
        response.assert_abp_error(StatusCode::UNAUTHORIZED, "invalid_token");
        assert_eq!(
            response.header(header::WWW_AUTHENTICATE),
            Some(r#"Bearer error="invalid_token""#)
        );
    }
}
