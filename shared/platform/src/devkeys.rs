//! Dev key pairs and tokens. The private key is generated locally (never committed) and used
//! only by the `apq` CLI and the tests; services are given the public key.

use std::path::{Path, PathBuf};

use apq_domain::Role;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use crate::auth::{Audience, Claims};

/// A PEM-encoded Ed25519 key pair.
#[derive(Clone)]
pub struct KeyPair {
    pub private_pem: String,
    pub public_pem: String,
}

impl KeyPair {
    pub fn generate() -> anyhow::Result<Self> {
        let signing = SigningKey::generate(&mut rand::rngs::OsRng);
        let private_pem = signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("cannot encode the private key: {e}"))?
            .to_string();
        let public_pem = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("cannot encode the public key: {e}"))?;
        Ok(Self {
            private_pem,
            public_pem,
        })
    }

    pub fn private_path(dir: &Path) -> PathBuf {
        dir.join("private.pem")
    }

    pub fn public_path(dir: &Path) -> PathBuf {
        dir.join("public.pem")
    }

    /// Loads the pair from `dir`, generating and saving one first if there is none.
    pub fn load_or_generate(dir: &Path) -> anyhow::Result<Self> {
        let (private, public) = (Self::private_path(dir), Self::public_path(dir));
        if private.exists() && public.exists() {
            return Ok(Self {
                private_pem: std::fs::read_to_string(private)?,
                public_pem: std::fs::read_to_string(public)?,
            });
        }
        let pair = Self::generate()?;
        std::fs::create_dir_all(dir)?;
        write_private(&private, &pair.private_pem)?;
        std::fs::write(public, &pair.public_pem)?;
        Ok(pair)
    }

    /// Signs `claims` with the private key (EdDSA).
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        let key = EncodingKey::from_ed_pem(self.private_pem.as_bytes())?;
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::EdDSA),
            claims,
            &key,
        )?)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(pem.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    Ok(std::fs::write(path, pem)?)
}

/// The services a dev token is for when it names none: the suite's four (the `apq` CLI's
/// default). Only dev tokens use it; settings and servers know no service.
pub const DEFAULT_SERVICES: [&str; 4] = ["agreements", "catalogue", "adhesion", "monitoring"];

/// What a dev token says.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<Role>,
    pub ente: Option<String>,
    pub interventi: Vec<String>,
    /// The services the token is for (`agreements`, ...); all four when empty.
    pub services: Vec<String>,
    pub issuer: String,
    pub ttl_secs: i64,
}

impl TokenRequest {
    pub fn new(roles: Vec<Role>) -> Self {
        Self {
            subject: "dev".to_owned(),
            roles,
            ente: None,
            interventi: Vec::new(),
            services: Vec::new(),
            issuer: "apq-dev".to_owned(),
            ttl_secs: 8 * 3600,
        }
    }

    pub fn claims(&self) -> Claims {
        let now = chrono::Utc::now().timestamp();
        let services: Vec<String> = if self.services.is_empty() {
            DEFAULT_SERVICES.iter().map(|s| (*s).to_owned()).collect()
        } else {
            self.services.clone()
        };
        Claims {
            sub: self.subject.clone(),
            iss: self.issuer.clone(),
            aud: Audience::Many(services.iter().map(|s| format!("apq-{s}")).collect()),
            exp: now + self.ttl_secs,
            iat: now,
            roles: self.roles.clone(),
            ente: self.ente.clone(),
            interventi: self.interventi.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::JwtVerifier;

    #[test]
    fn a_minted_token_verifies_with_the_public_key_only() {
        let pair = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let token = pair
            .sign(&TokenRequest::new(vec![Role::Admin]).claims())
            .unwrap_or_else(|e| panic!("{e}"));
        let verifier = JwtVerifier::new(&pair.public_pem, "apq-dev", "apq-agreements", 0)
            .unwrap_or_else(|e| panic!("{e}"));
        let claims = verifier.verify(&token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.roles, vec![Role::Admin]);

        assert_eq!(
            verifier.verify(&token).map(|c| c.roles).ok(),
            Some(vec![Role::Admin]),
            "from memory"
        );

        let mut short = TokenRequest::new(vec![Role::Admin]);
        short.ttl_secs = 1;
        let brief = pair.sign(&short.claims()).unwrap_or_else(|e| panic!("{e}"));
        assert!(verifier.verify(&brief).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert!(
            verifier.verify(&brief).is_err(),
            "a remembered token still expires"
        );

        let other = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let forged = other
            .sign(&TokenRequest::new(vec![Role::Admin]).claims())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(verifier.verify(&forged).is_err());
    }
}
