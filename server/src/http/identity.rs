//! The identity admin endpoints: list users and roles, change a user's roles.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, put};
use axum::{Json, Router};
use silent_refresh_contract::PagedResult;
use silent_refresh_contract::identity::{IdentityRole, IdentityUser, UpdateRolesRequest};
use silent_refresh_contract::paths;

use crate::domain::policy::Policy;
use crate::domain::roles;
use crate::domain::users::{self, User};
use crate::http::extract::AppJson;
use crate::http::guard::require_policy;
use crate::http::{AppError, own_tokens_only};
use crate::state::AppState;

/// `GET` [`paths::IDENTITY_USERS`] and [`paths::IDENTITY_ROLES`], `PUT`
/// [`paths::user_roles`]. With `--oidc-issuer` the users and their roles
/// are the identity provider's, so the users list and the role change
/// answer [`AppError::ManagedByProvider`] to every caller; the roles list
/// (what each role the provider may grant is allowed here) stays.
pub fn router(state: &AppState) -> Router<AppState> {
    let guard = |policy| from_fn_with_state((state.clone(), policy), require_policy);
    let own_only = || from_fn_with_state(state.clone(), own_tokens_only);
    let update = Router::new()
        .route(&paths::user_roles("{id}"), put(set_roles))
        .route_layer(guard(Policy::IdentityUsersUpdate))
        .route_layer(own_only());
    let users = Router::new()
        .route(paths::IDENTITY_USERS, get(list_users))
        .route_layer(guard(Policy::IdentityUsers))
        .route_layer(own_only());
    Router::new()
        .route(paths::IDENTITY_ROLES, get(list_roles))
        .route_layer(guard(Policy::IdentityUsers))
        .merge(users)
        .merge(update)
}

/// The wire form of a user: this server always knows the name and e-mail.
fn identity_user(user: User) -> IdentityUser {
    IdentityUser {
        id: user.id,
        user_name: user.user_name,
        name: Some(user.name),
        email: Some(user.email),
        roles: user.roles,
    }
}

async fn list_users(
    State(state): State<AppState>,
) -> Result<Json<PagedResult<IdentityUser>>, AppError> {
    let users = state.store.with(|conn| users::all(conn))?;
    Ok(Json(PagedResult::all(
        users.into_iter().map(identity_user).collect(),
    )))
}

async fn list_roles(
    State(state): State<AppState>,
) -> Result<Json<PagedResult<IdentityRole>>, AppError> {
    Ok(Json(PagedResult::all(
        state.store.with(|conn| roles::all(conn))?,
    )))
}

async fn set_roles(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    AppJson(request): AppJson<UpdateRolesRequest>,
) -> Result<Json<IdentityUser>, AppError> {
    let Path(id) = id?;
    let updated = state
        .store
        .with(|conn| users::set_roles(conn, &id, &request.roles))?;
    Ok(Json(identity_user(updated)))
}

#[cfg(test)]
mod tests;
