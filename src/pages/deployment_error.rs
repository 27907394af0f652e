//! What the app shows instead of the console when its deployment file
//! (`/app-config.json`) cannot be used: which key is wrong and why, so the
//! person who deployed it can fix it.

use leptos::prelude::*;

use crate::{
    deployment::{DeploymentError, FILE},
    i18n::{I18n, Msg},
};

/// The page for a deployment file that cannot be used.
#[component]
pub fn DeploymentErrorPage(
    /// What is wrong with the file.
    error: DeploymentError,
) -> impl IntoView {
    let i18n = I18n::from_browser();
    view! {
        <main class="login-screen">
            <div class="login-card" role="alert" data-testid="deployment-error">
                <h1>{i18n.t(Msg::DeploymentBroken)}</h1>
                <p>{i18n.t(Msg::DeploymentBrokenBody).replace("{}", FILE)}</p>
                <p><code>{error.to_string()}</code></p>
            </div>
        </main>
    }
}
