//! The user-admin page: grant and revoke roles.

use leptos::prelude::*;

use crate::{
    api::{
        ApiError,
        types::{IdentityRole, IdentityUser},
    },
    components::{ErrorMessage, Load, use_load},
    i18n::{Msg, use_i18n},
    routes::policy,
    stores::use_auth,
};

/// A change of one user's roles.
#[derive(Clone)]
struct RoleChange {
    user_id: String,
    roles: Vec<String>,
}

/// Lists the users with a checkbox per role; ticking one saves the user's
/// new roles at once. The server's errors are shown in the page.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let reload = RwSignal::new(0_u32);
    let users = use_load(
        move || reload.track(),
        move || async move { auth.client().identity_users().await },
    );
    let roles = use_load(
        || (),
        move || async move { auth.client().identity_roles().await },
    );
    let may_update = move || auth.user.has_policy(policy::IDENTITY_USERS_UPDATE);

    let save = Action::new_local(move |change: &RoleChange| {
        let change = change.clone();
        async move {
            let saved = auth
                .client()
                .update_user_roles(&change.user_id, &change.roles)
                .await;
            // Reloaded either way, so every checkbox shows what the server holds.
            reload.update(|n| *n += 1);
            let own = auth
                .access
                .session_untracked()
                .is_some_and(|s| s.user_id == change.user_id);
            if saved.is_ok() && own {
                // Changing one's own roles changes what one may see.
                auth.refresh_roles();
            }
            saved.map(drop)
        }
    });
    let saving = save.pending();
    let save_error = move || save.value().get().and_then(Result::err);

    let table = move || match (users.get(), roles.get()) {
        (Load::Failed(error), _) | (_, Load::Failed(error)) => {
            view! { <ErrorMessage error/> }.into_any()
        }
        (Load::Ready(users), Load::Ready(roles)) => {
            let roles: Vec<IdentityRole> = roles.items;
            view! {
                <table class="table">
                    <thead>
                        <tr>
                            <th>{move || i18n.t(Msg::UserName)}</th>
                            {roles.iter().map(|r| view! { <th>{r.name.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .items
                            .into_iter()
                            .map(|user| user_row(user, &roles, save, Signal::derive(move || saving.get() || !may_update())))
                            .collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }
        _ => view! { <p class="muted">{i18n.t(Msg::Loading)}</p> }.into_any(),
    };

    view! {
        <div class="page" data-testid="admin-users" data-state=move || users.with(Load::state_name)>
            <h1>{move || i18n.t(Msg::AdminUsers)}</h1>
            <div data-testid="admin-error">
                {move || save_error().map(|error| view! { <ErrorMessage error/> })}
            </div>
            <p class="muted" role="status">
                {move || saving.get().then(|| i18n.t(Msg::Saving))}
            </p>
            {table}
        </div>
    }
}

fn user_row(
    user: IdentityUser,
    roles: &[IdentityRole],
    save: Action<RoleChange, Result<(), ApiError>>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let label = user.name.clone().unwrap_or_else(|| user.user_name.clone());
    let cells = roles
        .iter()
        .map(|role| {
            let has_role = user.roles.contains(&role.name);
            let testid = format!("admin-role-{}-{}", user.user_name, role.name);
            let aria = format!("{} – {}", user.user_name, role.name);
            let change = {
                let user = user.clone();
                let role = role.name.clone();
                move || {
                    let mut roles: Vec<String> =
                        user.roles.iter().filter(|r| **r != role).cloned().collect();
                    if !has_role {
                        roles.push(role.clone());
                    }
                    RoleChange {
                        user_id: user.id.clone(),
                        roles,
                    }
                }
            };
            view! {
                <td>
                    <input
                        type="checkbox"
                        data-testid=testid
                        aria-label=aria
                        checked=has_role
                        disabled=move || disabled.get()
                        on:change=move |_| {
                            save.dispatch(change());
                        }
                    />
                </td>
            }
        })
        .collect_view();
    view! {
        <tr>
            <td>
                <strong>{label}</strong>
                <div class="muted">{user.user_name.clone()}</div>
            </td>
            {cells}
        </tr>
    }
}
