//! The server loop (服务循环): accepts connections (plain TCP in [`crate::serve`], TLS in
//! [`crate::tls::serve_tls`]) and serves the router on each with hyper's HTTP/1 and HTTP/2 connection
//! builder, with the two limits `axum::serve` does not set:
//!
//! - **Headers in time** (慢速请求头): a client must finish a request's headers within
//!   [`Timeouts::headers`](super::limits::Timeouts::headers), or its connection is closed. The route
//!   layers ([`super::limits`]) only see a request once its headers are complete, so without this a
//!   client sending one header byte a minute would hold its connection for ever (slow-loris).
//! - **Stopping cleanly** (平稳停止): on the stop signal the loop stops accepting, open connections finish
//!   the request they are answering and close, for at most [`DRAIN`].
//!
//! Each request carries the connection's peer ([`Peer`] in `ConnectInfo`) for the audit rows of
//! sign-ins and the per-address login limits.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower_http::add_extension::AddExtension;

use super::client::Peer;

/// The longest wait, after the stop signal, for open connections to finish their requests.
pub const DRAIN: Duration = Duration::from_secs(30);

/// Serves `app` on the connections of `listener` until `stop` completes; a connection that does not
/// finish a request's headers within `headers` is closed.
pub async fn serve_on<L>(
    mut listener: L,
    app: Router,
    headers: Duration,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(headers);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (io, peer) = tokio::select! {
            conn = listener.accept() => conn,
            () = &mut stop => break,
        };
        let service =
            TowerToHyperService::new(AddExtension::new(app.clone(), ConnectInfo(Peer(peer))));
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(io), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::trace!("connection from {peer} ended: {e}");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("stopped with connections still open after {DRAIN:?}"),
    }
    Ok(())
}

/// Completes on Ctrl-C (SIGINT): the servers' stop signal.
pub async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}
