//! The rules of the service, free of HTTP and of start-up: who may log in,
//! how tokens are issued, rotated and refused, what roles grant. Functions
//! take what they need (a connection, a clock, settings), never the
//! server's state, so each is tested on its own.
//!
//! - [`clock`]: "now", injectable so tests move time by hand;
//! - [`random`]: tokens and ids from the operating system's randomness;
//! - [`password`]: Argon2id hashes;
//! - [`policy`]: the permission names the app's guards check;
//! - [`roles`]: roles and the policies they grant;
//! - [`tenants`]: ABP's tenants, whose users a call reaches by naming one;
//! - [`users`]: users, their roles and their access token serials;
//! - [`two_factor`]: authenticator codes (RFC 6238);
//! - [`jwt`]: this server's HS256 access tokens;
//! - [`refresh_tokens`]: opaque single-use refresh tokens in families, with
//!   reuse detection;
//! - [`replays`]: idempotent rotation, the same answer for a retry with the
//!   same `Idempotency-Key`;
//! - [`rate_limit`]: the login limiter (failures and successes);
//! - [`sessions`]: logins, refreshes and recognising a bearer;
//! - [`store`]: the one shared SQLite connection the others run on.

pub mod clock;
pub mod jwt;
pub mod password;
pub mod policy;
pub mod random;
pub mod rate_limit;
pub mod refresh_tokens;
pub mod replays;
pub mod roles;
pub mod sessions;
pub mod store;
pub mod tenants;
pub mod two_factor;
pub mod users;
