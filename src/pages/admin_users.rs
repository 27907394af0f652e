//! The user-admin page: grant and revoke roles.

use leptos::prelude::*;

use crate::{
    api::{
        ApiError,
        contract::identity::{IdentityRole, IdentityUser},
    },
    components::{ErrorMessage, use_load},
    i18n::{Msg, use_i18n},
    routes::policy,
    stores::use_auth,
};

/// One row of the table: the user as the server last described them.
type Row = RwSignal<IdentityUser>;

/// `roles` with `role` added, or removed if it is there.
pub fn toggled(roles: &[String], role: &str) -> Vec<String> {
    if roles.iter().any(|r| r == role) {
        roles.iter().filter(|r| *r != role).cloned().collect()
    } else {
        roles.iter().cloned().chain([role.to_owned()]).collect()
    }
}

/// Lists the users with a checkbox per role; ticking one saves the user's
/// new roles at once and the row shows what the server then holds. The
/// server's errors are shown in the page.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let users = use_load(move || async move { auth.client().identity_users().await });
    let roles = use_load(move || async move { auth.client().identity_roles().await });
    let may_update = move || auth.user.has_policy(policy::IDENTITY_USERS_UPDATE);

    let save = Action::new_local(move |(row, role): &(Row, String)| {
        let (row, role) = (*row, role.clone());
        async move {
            let (user_id, roles) = row.with_untracked(|u| (u.id.clone(), toggled(&u.roles, &role)));
            match auth.client().update_user_roles(&user_id, &roles).await {
                Ok(updated) => {
                    row.try_set(updated);
                    let own = auth
                        .access
                        .session_untracked()
                        .is_some_and(|s| s.subject == user_id);
                    if own {
                        // Changing one's own roles changes what one may see.
                        auth.recheck_roles();
                    }
                    Ok(())
                }
                Err(error) => {
                    // Redraw the row so every checkbox shows the truth again.
                    row.notify();
                    Err(error)
                }
            }
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
    let table = move || {
        users.get().zip(roles.get()).view(retry, |(users, roles)| {
            let roles: Vec<String> = roles.items.into_iter().map(|r: IdentityRole| r.name).collect();
            view! {
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t(Msg::UserName)}</th>
                            {roles.iter().map(|r| view! { <th scope="col">{r.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .items
                            .into_iter()
                            .map(|user| user_row(RwSignal::new(user), &roles, save, boxes))
                            .collect_view()}
                    </tbody>
                </table>
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
    roles: &[String],
    save: Action<(Row, String), Result<(), ApiError>>,
    boxes: RoleBoxes,
) -> impl IntoView {
    let user_name = row.with_untracked(|u| u.user_name.clone());
    let label = move || row.with(|u| u.name.clone().unwrap_or_else(|| u.user_name.clone()));
    let cells = roles
        .iter()
        .map(|role| {
            let testid = format!("admin-role-{user_name}-{role}");
            let aria = format!("{user_name} – {role}");
            let has_role = {
                let role = role.clone();
                move || row.with(|u| u.roles.contains(&role))
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
