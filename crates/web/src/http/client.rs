//! The client's address (客户端地址), for the audit rows of failed sign-ins: the peer of the TCP connection
//! when the server runs (the server loop, [`super::server`], records it), none through a test router.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The peer of a connection as the server loop records it ([`super::server::serve_on`]), read by
/// [`ClientAddr`].
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// The peer address of the request's connection, if the server recorded it.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts.extensions.get::<ConnectInfo<Peer>>().map(|c| c.0.0),
        ))
    }
}
