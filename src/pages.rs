//! The pages of the app.

mod admin_users;
mod dashboard;
mod deployment_error;
mod diagnostics;
mod login;
mod not_found;
mod profile;
mod reports;
mod sign_in_callback;
pub mod split;

pub use admin_users::AdminUsersPage;
pub use dashboard::DashboardPage;
pub use deployment_error::DeploymentErrorPage;
pub use diagnostics::DiagnosticsPage;
pub use login::LoginPage;
pub use not_found::{NotFound, NotFoundPage};
pub use profile::ProfilePage;
pub use reports::ReportsPage;
pub use sign_in_callback::SignInCallbackPage;
