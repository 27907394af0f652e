//! ABP's Identity endpoints, in its shapes: a page of the users (without
//! roles), a user's roles, the roles a user may get, replacing a user's
//! roles by name, and the roles. A caller sees and changes the users of
//! its own tenant only.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use silent_refresh_contract::identity::{IdentityRole, IdentityUser, UpdateRolesRequest};
use silent_refresh_contract::paths;
use silent_refresh_contract::{ListResult, PagedResult};

use crate::domain::policy::Policy;
use crate::domain::random;
use crate::domain::roles::{self, ADMIN_ROLE, Role};
use crate::domain::sessions::Principal;
use crate::domain::users::{self, User};
use crate::http::extract::AppJson;
use crate::http::guard::require_policy;
use crate::http::{AppError, own_tokens_only};
use crate::state::AppState;

/// `GET` [`paths::IDENTITY_USERS`], [`paths::ASSIGNABLE_ROLES`],
/// [`paths::IDENTITY_ROLES`] and [`paths::user_roles`]; `PUT`
/// [`paths::user_roles`]. With `--oidc-issuer` the users and their roles
/// are the identity provider's, so everything but the roles list answers
/// [`AppError::ManagedByProvider`] to every caller.
pub fn router(state: &AppState) -> Router<AppState> {
    let guard = |policy| from_fn_with_state((state.clone(), policy), require_policy);
    let own_only = || from_fn_with_state(state.clone(), own_tokens_only);
    let update = Router::new()
        .route(&paths::user_roles("{id}"), get(user_roles).put(set_roles))
        .route_layer(guard(Policy::IdentityUsersUpdate))
        .route_layer(own_only());
    let users = Router::new()
        .route(paths::IDENTITY_USERS, get(list_users))
        .route(paths::ASSIGNABLE_ROLES, get(assignable_roles))
        .route_layer(guard(Policy::IdentityUsers))
        .route_layer(own_only());
    Router::new()
        .route(paths::IDENTITY_ROLES, get(list_roles))
        .route_layer(guard(Policy::IdentityUsers))
        .merge(users)
        .merge(update)
}

/// The largest page ABP serves (`LimitedResultRequestDto.MaxMaxResultCount`).
const MAX_PAGE: u64 = 1_000;

/// ABP's paging parameters (`PagedAndSortedResultRequestDto`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PageRequest {
    #[serde(default)]
    skip_count: u64,
    #[serde(default = "default_page")]
    max_result_count: u64,
}

/// ABP's default page size.
fn default_page() -> u64 {
    10
}

/// The wire form of a user (`IdentityUserDto`): this server always knows
/// the name and e-mail, and its users are all active.
fn identity_user(user: User) -> IdentityUser {
    IdentityUser {
        id: user.id,
        tenant_id: user.tenant_id,
        user_name: user.user_name,
        name: Some(user.name),
        email: user.email,
        is_active: true,
        lockout_enabled: true,
        concurrency_stamp: user.concurrency_stamp,
        ..IdentityUser::default()
    }
}

/// The wire form of a role (`IdentityRoleDto`); the admin role cannot be
/// deleted (static), every role is public.
fn identity_role(role: Role) -> IdentityRole {
    IdentityRole {
        is_static: role.name == ADMIN_ROLE,
        is_public: true,
        id: role.id,
        name: role.name,
        concurrency_stamp: role.concurrency_stamp,
        ..IdentityRole::default()
    }
}

async fn list_users(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    page: Result<Query<PageRequest>, QueryRejection>,
) -> Result<Json<PagedResult<IdentityUser>>, AppError> {
    let Query(page) = page.map_err(|rejection| AppError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        code: "validation_error",
        message: rejection.body_text(),
    })?;
    let take = page.max_result_count.min(MAX_PAGE);
    let (total_count, users) = state
        .store
        .with(|conn| users::page(conn, caller.tenant_id.as_deref(), page.skip_count, take))?;
    Ok(Json(PagedResult {
        items: users.into_iter().map(identity_user).collect(),
        total_count,
    }))
}

async fn all_roles(state: &AppState) -> Result<Vec<IdentityRole>, AppError> {
    let roles = state.store.with(|conn| roles::all(conn))?;
    Ok(roles.into_iter().map(identity_role).collect())
}

async fn list_roles(
    State(state): State<AppState>,
) -> Result<Json<PagedResult<IdentityRole>>, AppError> {
    Ok(Json(PagedResult::all(all_roles(&state).await?)))
}

async fn assignable_roles(
    State(state): State<AppState>,
) -> Result<Json<ListResult<IdentityRole>>, AppError> {
    Ok(Json(ListResult {
        items: all_roles(&state).await?,
    }))
}

/// The roles of the user `id` of the caller's tenant.
async fn user_roles(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<ListResult<IdentityRole>>, AppError> {
    let Path(id) = id?;
    let (user, roles) = state.store.with(|conn| {
        let user = users::by_id(conn, &id)?;
        Ok::<_, rusqlite::Error>((user, roles::all(conn)?))
    })?;
    let user = user
        .filter(|user| user.tenant_id == caller.tenant_id)
        .ok_or_else(|| AppError::NotFound("There is no user with this id.".into()))?;
    Ok(Json(ListResult {
        items: roles
            .into_iter()
            .filter(|role| user.roles.contains(&role.name))
            .map(identity_role)
            .collect(),
    }))
}

/// Replaces the roles of the user `id` of the caller's tenant; `204`, as
/// ABP answers.
async fn set_roles(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
    AppJson(request): AppJson<UpdateRolesRequest>,
) -> Result<StatusCode, AppError> {
    let Path(id) = id?;
    let stamp = random::stamp()?;
    state.store.with(|conn| {
        users::set_roles(
            conn,
            caller.tenant_id.as_deref(),
            &id,
            &request.role_names,
            &stamp,
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests;
