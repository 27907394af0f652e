//! The connection loop: hyper's HTTP/1 server around the router, with
//! graceful shutdown and the ability to drop a connection unanswered.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::Config;
use data_encoding::BASE32_NOPAD;

use crate::domain::clock::Clock;
use crate::domain::users;
use crate::http::{DropConnection, app};
use crate::seed::DEMO_ACCOUNTS;
use crate::startup_error::StartupError;
use crate::state::AppState;

/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's whole header, counted from
/// when the server starts waiting for it (also between keep-alive requests);
/// a slower client is disconnected, so trickled headers cannot tie up
/// connections (slow loris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose (injected fault)")]
struct Dropped;

/// Opens the state (loading the identity provider's keys with
/// `--oidc-issuer`), binds `config.addr`, prints `listening on http://ADDR`
/// and the demo accounts, and serves until `shutdown` completes.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), StartupError> {
    let addr = config.addr;
    let state = AppState::start(config, Clock::system()).await?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| StartupError::Bind { addr, source })?;
    print_banner(bound, &state).map_err(StartupError::Stdout)?;
    let max_connections = usize::try_from(state.config.max_connections).unwrap_or(usize::MAX);
    serve(listener, app(state), max_connections, shutdown).await;
    Ok(())
}

/// The address, and who can sign in: the demo accounts (a two-factor
/// one with the `otpauth://` address an authenticator app takes its key
/// from), or with an identity provider its own users (the demo accounts
/// cannot sign in then).
fn print_banner(bound: SocketAddr, state: &AppState) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{bound}")?;
    if let Some(issuer) = &state.config.oidc_issuer {
        writeln!(out, "users sign in at the identity provider {issuer}")?;
        return out.flush();
    }
    for account in &DEMO_ACCOUNTS {
        let tenant = account
            .tenant
            .map(|tenant| format!(", tenant {tenant}"))
            .unwrap_or_default();
        let key = if account.two_factor {
            state
                .store
                .with(|conn| users::two_factor_key(conn, account.user_name))
                .ok()
                .flatten()
        } else {
            None
        };
        let two_factor = key
            .map(|key| {
                format!(
                    ", two-factor: add otpauth://totp/silent-refresh:{}?secret={}&issuer=silent-refresh \
                     to an authenticator app",
                    account.user_name,
                    BASE32_NOPAD.encode(&key)
                )
            })
            .unwrap_or_default();
        writeln!(
            out,
            "demo account: {} / {} (role {}{tenant}{two_factor})",
            account.user_name, account.password, account.role
        )?;
    }
    out.flush()
}

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// accepting and waits (up to a grace period) for open requests to finish.
/// Each request carries the client's address as
/// [`ConnectInfo<SocketAddr>`](ConnectInfo).
/// Clients that take longer than [`HEADER_READ_TIMEOUT`] to send a request
/// header are disconnected. At most `max_connections` connections are
/// served at once: while that many are open, no further one is accepted, so
/// new clients wait in the listen backlog until one closes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) {
    // Hand-written: tower's ConcurrencyLimit counts requests in flight, but
    // an idle keep-alive connection or a trickled header holds a connection
    // (a socket, a buffer, a task) without any request; so each accepted
    // connection holds a permit until it closes.
    let places = Arc::new(Semaphore::new(
        max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    // The timeout only takes effect with a timer.
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let mut shutdown = pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = Arc::clone(&places).acquire_owned() => match place {
                Ok(place) => place,
                // The semaphore is never closed.
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // Typically out of file descriptors: back off, keep serving.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = service_fn(move |mut request: hyper::Request<Incoming>| {
            // What `into_make_service_with_connect_info` would insert; this
            // loop is hand-made so that a response can drop its connection.
            request.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let Ok(response) = app.oneshot(request.map(Body::new)).await;
                if response.extensions().get::<DropConnection>().is_some() {
                    // hyper closes the connection without writing anything.
                    return Err(Dropped);
                }
                Ok(response)
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _place = place;
            // A header timeout is routine: idle keep-alive connections end so.
            if let Err(error) = connection.await
                && !error.is_timeout()
                && !is_deliberate_drop(&error)
            {
                tracing::warn!(%peer, %error, "connection failed");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: gave up waiting for open connections");
    }
}

fn is_deliberate_drop(error: &hyper::Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        if current.is::<Dropped>() {
            return true;
        }
        cause = current.source();
    }
    false
}
