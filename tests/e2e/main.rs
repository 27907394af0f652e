//! End-to-end tests: the real server, the real built app, headless Chromium.
//! Built with `--features e2e`; scripts/test.sh builds what they need first.
#![cfg(not(target_arch = "wasm32"))]

mod a11y;
mod abp;
mod bff;
mod bff_stack;
mod chunks;
mod csp;
mod diagnostics;
mod example;
mod harness;
mod keep_alive;
mod login;
mod lost_answer;
mod oidc;
mod own_backend;
mod pages;
mod roles;
mod silent_refresh;
mod timeline;
