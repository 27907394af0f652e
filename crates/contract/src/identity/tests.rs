//! Real Identity and permission-management documents of a stock ABP app
//! (see `fixtures/abp/PROVENANCE.md`).

use super::*;
use crate::{ListResult, PagedResult};

#[test]
fn a_user_reads_with_its_stamp_and_no_roles() {
    let user: IdentityUser =
        serde_json::from_str(include_str!("../../fixtures/abp/identity-user.abp-10.json")).unwrap();
    assert_eq!(user.id, "7f85ae0a-ff5c-3f4c-5555-3a1ebf814835");
    assert_eq!(user.user_name, "admin");
    assert_eq!(user.email, "admin@abp.io");
    assert_eq!(user.tenant_id, None);
    assert_eq!(user.surname, None);
    assert!(user.is_active);
    assert_eq!(user.concurrency_stamp, "79a6a0901d474555a2b2a4b3d9627dc8");
}

#[test]
fn role_lists_read_as_list_and_page() {
    let all: ListResult<IdentityRole> = serde_json::from_str(include_str!(
        "../../fixtures/abp/identity-roles-all.abp-10.json"
    ))
    .unwrap();
    assert_eq!(all.items.len(), 1);
    assert_eq!(all.items[0].name, "admin");
    assert!(all.items[0].is_static && all.items[0].is_public && !all.items[0].is_default);
    let page: PagedResult<IdentityRole> = serde_json::from_str(include_str!(
        "../../fixtures/abp/identity-roles-page.abp-10.json"
    ))
    .unwrap();
    assert!(page.total_count >= 1);
    assert!(page.items.iter().any(|role| role.name == "admin"));
}

#[test]
fn a_roles_permissions_read_as_granted_names() {
    let list: PermissionList = serde_json::from_str(include_str!(
        "../../fixtures/abp/permissions-role-admin.abp-10.json"
    ))
    .unwrap();
    assert_eq!(list.entity_display_name, "admin");
    let granted: Vec<&str> = list.granted().collect();
    assert!(granted.contains(&"AbpIdentity.Roles"));
    assert!(granted.contains(&"AbpIdentity.Users.Update"));
    let roles = &list.groups[0].permissions[1];
    assert_eq!(roles.parent_name.as_deref(), Some("AbpIdentity.Roles"));
    assert_eq!(roles.granted_providers[0].provider_name, "R");
}

#[test]
fn nulls_read_as_defaults() {
    let user: IdentityUser = serde_json::from_str(
        r#"{"id":"u","userName":null,"email":null,"isActive":null,"concurrencyStamp":null}"#,
    )
    .unwrap();
    assert_eq!(user.user_name, "");
    let list: PermissionList =
        serde_json::from_str(r#"{"entityDisplayName":null,"groups":null}"#).unwrap();
    assert_eq!(list.granted().count(), 0);
    let roles: ListResult<IdentityRole> = serde_json::from_str(r#"{"items":null}"#).unwrap();
    assert!(roles.items.is_empty());
}
