//! Why the server could not start: the one error of start-up.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::oidc::ProviderError;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database's folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// A schema migration failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The database was written by a newer server.
    #[error("the database has schema version {found}; this server knows up to {supported}")]
    SchemaTooNew {
        /// The database's `user_version`.
        found: usize,
        /// The newest version this server knows.
        supported: usize,
    },
    /// Hashing the demo passwords failed.
    #[error("cannot hash the demo passwords: {0}")]
    Hash(argon2::password_hash::Error),
    /// The token signing key could not be made.
    #[error("cannot make the token signing key: {0}")]
    SigningKey(jsonwebtoken::errors::Error),
    /// The operating system gave no randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(getrandom::Error),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: io::Error,
    },
    /// `--test-controls` with an address other machines may reach.
    #[error(
        "refusing --test-controls on {addr}, which is not a loopback address: anyone who can \
         reach it could use them; add --allow-public-test-controls if that is meant"
    )]
    PublicTestControls {
        /// The listen address.
        addr: SocketAddr,
    },
    /// `--bff-issuer` without what it needs, or with what it cannot use.
    #[error("the BFF cannot start: {0}")]
    Bff(String),
    /// `--oidc-issuer` was given, but its keys could not be loaded.
    #[error("cannot use the identity provider {issuer}: {source}")]
    Oidc {
        /// The issuer URL.
        issuer: String,
        /// The cause.
        source: ProviderError,
    },
    /// Writing the start banner failed.
    #[error("cannot write to standard output: {0}")]
    Stdout(io::Error),
}
