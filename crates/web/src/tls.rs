//! HTTPS (传输加密): the server's certificate and key, a self-signed certificate for a township LAN, and
//! the listener that does the TLS handshake before axum sees a connection.
//!
//! - [`Tls::from_pem_files`] loads a certificate chain and its private key (PEM, as a CA or
//!   `certbot` hands them out). A missing, unreadable or invalid file, or a key that does not belong to
//!   the certificate, is a one-line [`TlsError`] at start-up, never a failure at the first handshake.
//! - [`Tls::self_signed`] keeps a self-signed certificate in the data directory
//!   ([`SELF_SIGNED_CERT`], [`SELF_SIGNED_KEY`], both written with mode 0600) and reuses it on the next
//!   start, so the fingerprint users have checked stays the same.
//! - [`serve_tls`] serves the application over HTTPS ([`crate::AppState::with_tls`]: `Secure`
//!   cookies, HSTS).
//!
//! rustls with the `ring` provider, the one sqlx uses for PostgreSQL over TLS.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::AppState;

/// File name of the self-signed certificate in the data directory.
pub const SELF_SIGNED_CERT: &str = "tls-self-signed-cert.pem";
/// File name of the self-signed certificate's private key in the data directory.
pub const SELF_SIGNED_KEY: &str = "tls-self-signed-key.pem";
/// How long a client may take for its TLS handshake before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Years a new self-signed certificate is valid.
const SELF_SIGNED_YEARS: i32 = 10;

/// Why the server's certificate or key cannot be used: one line, Chinese and English, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("无法读取 TLS {what}文件 {path} / cannot read the TLS {what_en} file {path}: {cause}")]
    Read {
        what: &'static str,
        what_en: &'static str,
        path: String,
        cause: io::Error,
    },
    #[error("TLS {what}文件 {path} 无效 / the TLS {what_en} file {path} is invalid: {reason}")]
    Invalid {
        what: &'static str,
        what_en: &'static str,
        path: String,
        reason: String,
    },
    #[error(
        "TLS 证书 {cert} 与私钥 {key} 不匹配或无法使用 / the TLS certificate {cert} and key {key} cannot be used together: {reason}"
    )]
    Pair {
        cert: String,
        key: String,
        reason: String,
    },
    #[error(
        "无法生成自签名证书 {path} / cannot create the self-signed certificate {path}: {reason}"
    )]
    Generate { path: String, reason: String },
}

/// The server's certificate, ready to serve.
#[derive(Clone)]
pub struct Tls {
    config: Arc<ServerConfig>,
    fingerprint: String,
    cert_path: PathBuf,
    created: bool,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("cert_path", &self.cert_path)
            .field("fingerprint", &self.fingerprint)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Loads the certificate chain (`cert`: the server's certificate first, then any intermediates)
    /// and its private key (`key`: PKCS#8, PKCS#1 or SEC1), both PEM.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
        let cert_pem = read(cert, "证书", "certificate")?;
        let key_pem = read(key, "私钥", "private key")?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(cert, "证书", "certificate", e.to_string()))?;
        let Some(leaf) = chain.first() else {
            return Err(invalid(
                cert,
                "证书",
                "certificate",
                "no BEGIN CERTIFICATE block".to_string(),
            ));
        };
        let fingerprint = fingerprint(leaf);
        let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            let reason = match e {
                rustls::pki_types::pem::Error::NoItemsFound => {
                    "no BEGIN PRIVATE KEY block".to_string()
                }
                e => e.to_string(),
            };
            invalid(key, "私钥", "private key", reason)
        })?;
        let provider = Arc::new(ring_provider());
        // `with_single_cert` parses the certificate and checks that the key is its key.
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key_der))
            .map_err(|e| TlsError::Pair {
                cert: cert.display().to_string(),
                key: key.display().to_string(),
                reason: e.to_string(),
            })?;
        // axum serves HTTP/1.1.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            config: Arc::new(config),
            fingerprint,
            cert_path: cert.to_path_buf(),
            created: false,
        })
    }

    /// The self-signed certificate kept in `dir` ([`SELF_SIGNED_CERT`], [`SELF_SIGNED_KEY`]): loaded if
    /// both files are there, else created (`dir` too, if missing) for `localhost`, `127.0.0.1`, `::1`,
    /// this machine's host name and `names` (host names or IP addresses the LAN reaches the server
    /// by), valid for ten years. The files are written with mode 0600.
    pub fn self_signed(dir: &Path, names: &[String]) -> Result<Tls, TlsError> {
        let cert = dir.join(SELF_SIGNED_CERT);
        let key = dir.join(SELF_SIGNED_KEY);
        if cert.exists() && key.exists() {
            return Tls::from_pem_files(&cert, &key);
        }
        let failed = |reason: String| TlsError::Generate {
            path: cert.display().to_string(),
            reason,
        };
        let (cert_pem, key_pem) = generate_self_signed(names).map_err(failed)?;
        std::fs::create_dir_all(dir)
            .and_then(|()| write_private(&key, key_pem.as_bytes()))
            .and_then(|()| write_private(&cert, cert_pem.as_bytes()))
            .map_err(|e| failed(e.to_string()))?;
        let mut tls = Tls::from_pem_files(&cert, &key)?;
        tls.created = true;
        Ok(tls)
    }

    /// The server configuration for a TLS acceptor.
    pub fn config(&self) -> Arc<ServerConfig> {
        self.config.clone()
    }

    /// SHA-256 fingerprint of the server's certificate, as browsers show it (`AB:CD:…`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The certificate file.
    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    /// Whether [`Tls::self_signed`] created the certificate just now (not reused).
    pub fn created(&self) -> bool {
        self.created
    }
}

/// rustls's *ring* provider: the one sqlx already uses for PostgreSQL over TLS, so the binary carries one
/// crypto library and needs no aws-lc-rs (a long C build). rustls 0.23.48 deprecates it only because
/// *ring* has no post-quantum key exchange (X25519MLKEM768); X25519 and the P-curves remain.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

fn read(path: &Path, what: &'static str, what_en: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|cause| TlsError::Read {
        what,
        what_en,
        path: path.display().to_string(),
        cause,
    })
}

fn invalid(path: &Path, what: &'static str, what_en: &'static str, reason: String) -> TlsError {
    TlsError::Invalid {
        what,
        what_en,
        path: path.display().to_string(),
        reason,
    }
}

/// SHA-256 of a DER certificate as colon-separated upper-case hex (`AB:CD:…`, 32 bytes).
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// This machine's host name, if it is a usable DNS name.
fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim();
    let usable = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    usable.then(|| name.to_string())
}

/// A new self-signed certificate and its key (ECDSA P-256), PEM.
fn generate_self_signed(names: &[String]) -> Result<(String, String), String> {
    use chrono::Datelike;
    let mut sans: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    sans.extend(host_name());
    for n in names {
        if !n.is_empty() && !sans.contains(n) {
            sans.push(n.clone());
        }
    }
    let mut params = rcgen::CertificateParams::new(sans).map_err(|e| e.to_string())?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "守望 Shouwang (自签名 self-signed)",
    );
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "守望 Shouwang");
    // From the first of this year (a valid date whatever today is) for ten years.
    let year = chrono::Utc::now().year();
    params.not_before = rcgen::date_time_ymd(year, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + SELF_SIGNED_YEARS, 1, 1);
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Writes `bytes` to `path` readable by its owner only (0600), through a temporary file renamed into
/// place, so that a half-written file is never taken for the certificate.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let mut f = opts.open(&tmp)?;
        // Exactly 0600, whatever the umask.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    #[cfg(not(unix))]
    {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// A listener that hands axum connections whose TLS handshake is done. The handshakes run in tasks of
/// their own (at most [`HANDSHAKE_TIMEOUT`] each), so a slow or silent client never holds up the
/// others; a failed handshake (a browser that does not trust a self-signed certificate, say) is logged
/// at debug level and dropped.
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    acceptor: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `listener` with `config`.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let acceptor = tokio::spawn(accept_loop(listener, TlsAcceptor::from(config), tx));
        Ok(TlsListener {
            local,
            ready,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (tcp, addr) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment, as axum's own listener does.
                tracing::error!("accept error: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if ready.is_closed() {
            return;
        }
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => {
                    let _ = ready.send((stream, addr)).await;
                }
                Ok(Err(e)) => tracing::debug!("TLS handshake with {addr} failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {addr} timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accepting task is gone (it never returns while this listener lives): no more
            // connections.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Serves the application over HTTPS until Ctrl-C (the state is switched to HTTPS:
/// [`AppState::with_tls`]).
pub async fn serve_tls(listener: TcpListener, state: AppState, tls: &Tls) -> io::Result<()> {
    let listener = TlsListener::new(listener, tls.config())?;
    let headers = state.timeouts.headers;
    crate::http::server::serve_on(
        listener,
        crate::router(state.with_tls(true)),
        headers,
        crate::http::server::ctrl_c(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_is_created_once_with_mode_0600_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = Tls::self_signed(&data, &["192.0.2.7".to_string()]).unwrap();
        assert!(first.created());
        assert_eq!(first.fingerprint().len(), 32 * 3 - 1);
        #[cfg(unix)]
        for f in [SELF_SIGNED_CERT, SELF_SIGNED_KEY] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        let again = Tls::self_signed(&data, &[]).unwrap();
        assert!(!again.created());
        assert_eq!(again.fingerprint(), first.fingerprint());
        let der = CertificateDer::from_pem_file(data.join(SELF_SIGNED_CERT)).unwrap();
        assert_eq!(fingerprint(&der), first.fingerprint());
    }

    #[test]
    fn bad_files_are_one_line_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let one_line = |e: TlsError| {
            let s = e.to_string();
            assert!(!s.contains('\n'), "{s}");
            s
        };
        let missing = one_line(
            Tls::from_pem_files(&d.join("none.pem"), &d.join("none-key.pem")).unwrap_err(),
        );
        assert!(
            missing.contains("none.pem") && missing.contains("cannot read"),
            "{missing}"
        );

        std::fs::write(d.join("junk.pem"), "not a certificate").unwrap();
        std::fs::write(d.join("junk-key.pem"), "not a key").unwrap();
        let junk = one_line(
            Tls::from_pem_files(&d.join("junk.pem"), &d.join("junk-key.pem")).unwrap_err(),
        );
        assert!(
            junk.contains("junk.pem") && junk.contains("invalid"),
            "{junk}"
        );

        // A certificate with the key of another.
        let a = Tls::self_signed(&d.join("a"), &[]).unwrap();
        Tls::self_signed(&d.join("b"), &[]).unwrap();
        let mismatch = one_line(
            Tls::from_pem_files(a.cert_path(), &d.join("b").join(SELF_SIGNED_KEY)).unwrap_err(),
        );
        assert!(mismatch.contains("cannot be used together"), "{mismatch}");

        // A certificate block whose content is no certificate.
        std::fs::write(
            d.join("bad.pem"),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let bad = one_line(
            Tls::from_pem_files(&d.join("bad.pem"), &d.join("a").join(SELF_SIGNED_KEY))
                .unwrap_err(),
        );
        assert!(bad.contains("bad.pem"), "{bad}");
    }
}
