//! TLS for tests: a certificate authority made in the test (rcgen) and a one-answer HTTPS
//! server (tokio-rustls) whose certificate it signs, to test clients that trust a CA through
//! `tls.ca_file` and refuse servers they do not trust.

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority made for the test; its certificate is written to [`Self::pem_path`]
/// (removed on drop).
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pub pem_path: PathBuf,
}

impl TestCa {
    pub fn new(name: &str) -> anyhow::Result<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        let dir = std::env::temp_dir().join(format!("apq-tls-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let pem_path = dir.join("ca.pem");
        std::fs::write(&pem_path, issuer.pem())?;
        Ok(Self { issuer, pem_path })
    }

    /// A server certificate for 127.0.0.1 and localhost, and its key.
    pub fn server_identity(&self) -> anyhow::Result<(rcgen::Certificate, KeyPair)> {
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "apq test server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((cert, key))
    }

    /// Starts an HTTPS server on 127.0.0.1 whose certificate this CA signs; it answers every
    /// request with 200 and `body` as JSON. Returns its base URL (`https://127.0.0.1:<port>`).
    pub async fn https_server(&self, body: &str) -> anyhow::Result<String> {
        let (cert, key) = self.server_identity()?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let body = body.to_owned();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let body = body.clone();
                tokio::spawn(async move {
                    // A refused handshake (the client does not trust us) ends here.
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let mut request = Vec::new();
                    let mut buf = [0_u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Ok(format!("https://127.0.0.1:{port}"))
    }
}

impl Drop for TestCa {
    fn drop(&mut self) {
        if let Some(dir) = self.pem_path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
