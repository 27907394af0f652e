//! The user-admin page: grant and revoke roles, on ABP's Identity and
//! permission-management APIs as they are: a page of users (ABP lists
//! users without their roles), the roles of each user on the page, the
//! roles a user may get, what each role grants, and a user's new roles sent
//! by name. The reference server serves the same shapes.

use futures_util::future::{join_all, try_join_all};
use leptos::prelude::*;

use crate::{
    api::{Api, ApiError, contract::identity::IdentityUser},
    components::{ErrorMessage, use_load},
    i18n::{Msg, use_i18n},
    routes::policy,
    stores::use_auth,
};

/// Users per page.
const PAGE_SIZE: u64 = 10;

/// A user and their role names, as the server last described them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRoles {
    /// The user.
    pub user: IdentityUser,
    /// The user's role names.
    pub roles: Vec<String>,
}

/// One row of the table.
type Row = RwSignal<UserRoles>;

/// A role that may be given, with the names of the permissions it grants
/// (empty when they could not be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleColumn {
    /// The role's name.
    pub name: String,
    /// What it grants.
    pub grants: Vec<String>,
}

/// `roles` with `role` added, or removed if it is there.
pub fn toggled(roles: &[String], role: &str) -> Vec<String> {
    if roles.iter().any(|r| r == role) {
        roles.iter().filter(|r| *r != role).cloned().collect()
    } else {
        roles.iter().cloned().chain([role.to_owned()]).collect()
    }
}

/// The roles of `user`, by name.
async fn roles_of(api: &Api, user: IdentityUser) -> Result<UserRoles, ApiError> {
    let roles = api.user_roles(&user.id).await?;
    Ok(UserRoles {
        roles: roles.items.into_iter().map(|role| role.name).collect(),
        user,
    })
}

/// The users of page `page` with their roles, and how many users there are.
async fn user_page(api: Api, page: u64) -> Result<(Vec<UserRoles>, u64), ApiError> {
    let users = api.identity_users(page * PAGE_SIZE, PAGE_SIZE).await?;
    let rows = try_join_all(users.items.into_iter().map(|user| roles_of(&api, user))).await?;
    Ok((rows, users.total_count))
}

/// The roles a user may get, with what each grants.
async fn role_columns(api: Api) -> Result<Vec<RoleColumn>, ApiError> {
    let roles = api.assignable_roles().await?.items;
    let grants = join_all(roles.iter().map(|role| api.role_permissions(&role.name))).await;
    Ok(roles
        .into_iter()
        .zip(grants)
        .map(|(role, grants)| RoleColumn {
            name: role.name,
            grants: grants
                .map(|list| list.granted().map(str::to_owned).collect())
                .unwrap_or_default(),
        })
        .collect())
}

/// Lists a page of users with a checkbox per role; ticking one saves the
/// user's new roles at once and the row shows what the server then holds.
/// The server's errors are shown in the page.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let page = RwSignal::new(0_u64);
    let users = use_load(move || user_page(Api::of(auth), page.get_untracked()));
    let roles = use_load(move || role_columns(Api::of(auth)));
    let may_update = move || auth.user.has_policy(policy::IDENTITY_USERS_UPDATE);

    let save = Action::new_local(move |(row, role): &(Row, String)| {
        let (row, role) = (*row, role.clone());
        async move {
            let (user, new_roles) =
                row.with_untracked(|r| (r.user.clone(), toggled(&r.roles, &role)));
            let api = Api::of(auth);
            let saved = api.update_user_roles(&user.id, &new_roles).await;
            // What the server holds now, saved or not.
            let now = roles_of(&api, user.clone()).await;
            match (&saved, now) {
                (_, Ok(now)) => row.try_set(now),
                // Redraw the row so every checkbox shows the truth again.
                (_, Err(_)) => {
                    row.notify();
                    None
                }
            };
            saved?;
            let own = auth
                .access
                .session_untracked()
                .is_some_and(|s| s.subject == user.id);
            if own {
                // Changing one's own roles changes what one may see.
                auth.recheck_roles();
            }
            Ok::<(), ApiError>(())
        }
    });
    let saving = save.pending();
    let save_error = move || save.value().get().and_then(Result::err);
    let boxes = RoleBoxes {
        read_only: Signal::derive(move || !may_update()),
        saving: saving.into(),
    };

    let retry = Callback::new(move |()| {
        users.reload_if_failed();
        roles.reload_if_failed();
    });
    let turn = move |by: i64| {
        page.update(|page| *page = page.saturating_add_signed(by));
        users.reload();
    };
    let table = move || {
        users.get().zip(roles.get()).view(retry, |((rows, total), roles)| {
            let first = page.get_untracked() * PAGE_SIZE;
            let shown = format!("{}–{}", (first + 1).min(total), first + rows.len() as u64);
            let more = first + (rows.len() as u64) < total;
            view! {
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t(Msg::UserName)}</th>
                            {roles
                                .iter()
                                .map(|role| view! {
                                    <th scope="col">
                                        {role.name.clone()}
                                        <div class="muted small">{role.grants.join(", ")}</div>
                                    </th>
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| user_row(RwSignal::new(row), &roles, save, boxes))
                            .collect_view()}
                    </tbody>
                </table>
                <nav class="pager" aria-label=i18n.t(Msg::AdminUsers)>
                    <button
                        data-testid="admin-users-prev"
                        disabled=first == 0
                        on:click=move |_| turn(-1)
                    >
                        {i18n.t(Msg::PreviousPage)}
                    </button>
                    <span data-testid="admin-users-page">
                        {i18n.t(Msg::PageOf).replacen("{}", &shown, 1).replacen("{}", &total.to_string(), 1)}
                    </span>
                    <button data-testid="admin-users-next" disabled=!more on:click=move |_| turn(1)>
                        {i18n.t(Msg::NextPage)}
                    </button>
                </nav>
            }
            .into_any()
        })
    };

    view! {
        <div class="page" data-testid="admin-users" data-state=move || users.state_name()>
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

/// When the role checkboxes take no clicks.
#[derive(Clone, Copy)]
struct RoleBoxes {
    /// The user may not change roles: the boxes are disabled.
    read_only: Signal<bool>,
    /// A change is being saved: the boxes say so and ignore clicks, but
    /// stay enabled, so the one just ticked keeps the keyboard focus (a
    /// disabled element loses it).
    saving: Signal<bool>,
}

fn user_row(
    row: Row,
    roles: &[RoleColumn],
    save: Action<(Row, String), Result<(), ApiError>>,
    boxes: RoleBoxes,
) -> impl IntoView {
    let user_name = row.with_untracked(|r| r.user.user_name.clone());
    let label = move || {
        row.with(|r| {
            r.user
                .name
                .clone()
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| r.user.user_name.clone())
        })
    };
    let cells = roles
        .iter()
        .map(|role| &role.name)
        .map(|role| {
            let testid = format!("admin-role-{user_name}-{role}");
            let aria = format!("{user_name} – {role}");
            let has_role = {
                let role = role.clone();
                move || row.with(|r| r.roles.contains(&role))
            };
            let role = role.clone();
            view! {
                <td>
                    <input
                        type="checkbox"
                        data-testid=testid
                        aria-label=aria
                        prop:checked=has_role
                        disabled=move || boxes.read_only.get()
                        aria-disabled=move || boxes.saving.get().to_string()
                        on:click=move |ev| {
                            if boxes.saving.get_untracked() {
                                ev.prevent_default();
                            }
                        }
                        on:change=move |_| {
                            save.dispatch((row, role.clone()));
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
                <div class="muted">{user_name.clone()}</div>
            </td>
            {cells}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_adds_a_missing_role_and_removes_a_present_one() {
        let roles = vec!["user".to_owned()];
        assert_eq!(toggled(&roles, "auditor"), ["user", "auditor"]);
        assert_eq!(toggled(&roles, "user"), Vec::<String>::new());
    }
}
