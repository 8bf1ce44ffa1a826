//! Outbound TLS: every HTTP client of the suite (the peer clients, the OpenID Connect and PDND
//! key fetches, the sync job, the OTLP exporter) is reqwest on rustls, with no OpenSSL. It
//! trusts the platform's CA store (rustls-platform-verifier: on Linux the system's bundle) plus
//! the PEM bundle of `tls.ca_file` (`APQ_TLS__CA_FILE`), e.g. the Region's internal CA.

use std::path::Path;

use crate::settings::TlsSettings;

/// The certificates of a PEM bundle (one or more `BEGIN CERTIFICATE` blocks).
pub fn read_ca_bundle(path: &Path) -> anyhow::Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read the CA bundle {}: {e}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| anyhow::anyhow!("the CA bundle {} is not PEM: {e}", path.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "the CA bundle {} holds no certificate",
        path.display()
    );
    Ok(certs)
}

/// The extra trusted roots named by the settings (none when `tls.ca_file` is unset).
pub fn extra_roots(tls: &TlsSettings) -> anyhow::Result<Vec<reqwest::Certificate>> {
    match &tls.ca_file {
        Some(path) => read_ca_bundle(path),
        None => Ok(Vec::new()),
    }
}

/// An async client builder on rustls that trusts the platform's roots and `tls.ca_file`.
pub fn client_builder(tls: &TlsSettings) -> anyhow::Result<reqwest::ClientBuilder> {
    Ok(reqwest::Client::builder()
        .tls_backend_rustls()
        .https_only(tls.https_only)
        .tls_certs_merge(extra_roots(tls)?))
}

/// The same for blocking clients (the OTLP exporter's). Built on a thread of its own, since a
/// blocking client may not be created or dropped on an async runtime's thread.
pub fn blocking_client(
    tls: &TlsSettings,
    timeout: std::time::Duration,
) -> anyhow::Result<reqwest::blocking::Client> {
    let roots = extra_roots(tls)?;
    let https_only = tls.https_only;
    std::thread::spawn(move || {
        reqwest::blocking::Client::builder()
            .tls_backend_rustls()
            .https_only(https_only)
            .tls_certs_merge(roots)
            .timeout(timeout)
            .build()
    })
    .join()
    .map_err(|_| anyhow::anyhow!("building the blocking HTTP client panicked"))?
    .map_err(|e| anyhow::anyhow!("cannot build the blocking HTTP client: {e}"))
}
