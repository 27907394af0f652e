//! Real `application-configuration` documents (see
//! `fixtures/abp/PROVENANCE.md` for where each comes from), and a `null`
//! in every field the app reads.

use serde_json::Value;

use super::*;

const STOCK_10_6: &str = include_str!("../../fixtures/abp/app-config.abp-10.6.anonymous.json");
const ANGULAR_SPEC: &str = include_str!("../../fixtures/abp/app-config.abp-angular-spec.json");
const CUSTOMIZED_7: &str =
    include_str!("../../fixtures/abp/app-config.customized-abp-7.anonymous.json");
const SIGNED_IN: &str = include_str!("../../fixtures/abp/app-config.signed-in.redacted.json");

fn read(document: &str) -> ApplicationConfiguration {
    serde_json::from_str(document).unwrap_or_else(|e| panic!("{e}: {document}"))
}

#[test]
fn a_stock_abp_10_answer_reads_as_anonymous_with_its_culture_and_tenancy() {
    let config = read(STOCK_10_6);
    assert!(!config.current_user.is_authenticated);
    assert_eq!(config.current_user.id, None);
    assert!(config.current_user.roles.is_empty());
    assert_eq!(config.granted_policies().count(), 0);
    assert_eq!(config.culture(), Some("en"));
    assert!(config.multi_tenancy.is_enabled);
    assert_eq!(config.current_tenant, CurrentTenant::default());
}

#[test]
fn translations_are_written_but_not_read() {
    let mut document: Value = serde_json::from_str(SIGNED_IN).unwrap();
    document["localization"]["values"] = serde_json::json!({"AbpUi": {"Yes": "Yes"}});
    let config: ApplicationConfiguration = serde_json::from_value(document).unwrap();
    let mut localization = config.localization.expect("the culture is read");
    assert!(localization.values.is_empty(), "translations are skipped");
    localization.values = [(
        "AbpUi".to_owned(),
        [("Yes".to_owned(), "Yes".to_owned())].into(),
    )]
    .into();
    let written = serde_json::to_value(&localization).unwrap();
    assert_eq!(written["values"]["AbpUi"]["Yes"], "Yes");
}

#[test]
fn abps_own_angular_fixture_reads_with_its_old_policies_ignored() {
    let config = read(ANGULAR_SPEC);
    assert!(!config.current_user.is_authenticated);
    assert_eq!(config.culture(), Some("en"));
    // `auth.policies` (ABP before 7.0) is read but grants nothing, and a
    // policy sent as `false` is not granted.
    assert_eq!(config.auth.policies.len(), 1);
    assert_eq!(
        config.granted_policies().collect::<Vec<_>>(),
        ["Abp.Account"]
    );
    assert!(!config.multi_tenancy.is_enabled);
}

#[test]
fn a_customised_server_with_null_parts_reads_without_culture_or_tenancy() {
    let config = read(CUSTOMIZED_7);
    assert!(!config.current_user.is_authenticated);
    assert_eq!(config.localization, None);
    assert_eq!(config.culture(), None);
    assert_eq!(config.multi_tenancy, MultiTenancy::default());
    assert_eq!(config.current_tenant, CurrentTenant::default());
    assert_eq!(config.granted_policies().count(), 31);
    assert!(
        config
            .granted_policies()
            .any(|p| p == "AbpIdentity.Users.Update")
    );
}

#[test]
fn a_signed_in_tenant_user_reads_with_roles_policies_and_tenant() {
    let config = read(SIGNED_IN);
    let user = &config.current_user;
    assert!(user.is_authenticated);
    assert_eq!(
        user.id.as_deref(),
        Some("00000000-0000-0000-0000-00000000user")
    );
    assert_eq!(
        user.tenant_id.as_deref(),
        Some("00000000-0000-0000-0000-000000tenant")
    );
    assert_eq!(user.user_name.as_deref(), Some("admin"));
    assert_eq!(user.roles, ["admin"]);
    assert_eq!(
        config.granted_policies().collect::<Vec<_>>(),
        [
            "TagService.Tags",
            "TagService.Tags.Create",
            "UniRefund.Settings.GetValues"
        ]
    );
    assert_eq!(config.culture(), None, "this answer has no localization");
    assert!(config.multi_tenancy.is_enabled);
    assert_eq!(config.current_tenant.name.as_deref(), Some("Faroe Islands"));
    assert!(config.current_tenant.is_available);
}

#[test]
fn cultures_read_culture_name_first_then_the_older_name() {
    let mut document: Value = serde_json::from_str(STOCK_10_6).unwrap();
    document["localization"]["currentCulture"]["cultureName"] = "zh-Hans".into();
    document["localization"]["currentCulture"]["name"] = "zh".into();
    let config: ApplicationConfiguration = serde_json::from_value(document.clone()).unwrap();
    assert_eq!(config.culture(), Some("zh-Hans"));
    document["localization"]["currentCulture"] = serde_json::json!({"name": "en"});
    let config: ApplicationConfiguration = serde_json::from_value(document).unwrap();
    assert_eq!(config.culture(), Some("en"));
}

#[test]
fn null_in_every_field_the_app_reads_is_its_default() {
    let paths: [&[&str]; 16] = [
        &["currentUser"],
        &["currentUser", "isAuthenticated"],
        &["currentUser", "id"],
        &["currentUser", "userName"],
        &["currentUser", "name"],
        &["currentUser", "email"],
        &["currentUser", "roles"],
        &["auth"],
        &["auth", "grantedPolicies"],
        &["localization"],
        &["localization", "values"],
        &["localization", "currentCulture"],
        &["localization", "currentCulture", "cultureName"],
        &["localization", "currentCulture", "name"],
        &["multiTenancy"],
        &["currentTenant"],
    ];
    for base in [STOCK_10_6, SIGNED_IN] {
        for path in paths {
            let mut document: Value = serde_json::from_str(base).unwrap();
            let (last, parents) = path.split_last().unwrap();
            let mut at = &mut document;
            for key in parents {
                at = &mut at[*key];
            }
            if at.is_object() {
                at[*last] = Value::Null;
            }
            let config: Result<ApplicationConfiguration, _> = serde_json::from_value(document);
            assert!(config.is_ok(), "{path:?}: {config:?}");
        }
    }
    let empty: ApplicationConfiguration = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, ApplicationConfiguration::default());
}

#[test]
fn what_the_reference_server_writes_reads_back() {
    let config = read(SIGNED_IN);
    let again: ApplicationConfiguration =
        serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(again, config);
}
