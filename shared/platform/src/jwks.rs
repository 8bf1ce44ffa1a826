//! The signing keys of an external issuer (the Region's OpenID Connect provider, PDND), fetched
//! from its JWKS and cached. The JWKS is found through the provider's discovery document (or
//! given directly), refetched when a token names a `kid` the cache does not hold (at most once
//! per `min_refresh`, so a stream of forged `kid`s cannot make us hammer the provider) and when
//! the cache is older than `max_age`. A key rotation therefore needs no restart: a token signed
//! with the new key brings the new JWKS in, and a key the provider no longer publishes is
//! forgotten with it. While the issuer cannot be reached, its last known keys still serve; with
//! none known, callers get a 503.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// Where the keys are published.
#[derive(Debug, Clone)]
pub enum JwksSource {
    /// An OpenID Connect discovery document (its `jwks_uri`); its `issuer` must be this one.
    Discovery { url: String, issuer: String },
    /// A JWKS URL (PDND).
    Direct(String),
}

struct Key {
    decoding: DecodingKey,
    /// The `alg` the JWK declares, if any: a token must then use exactly it.
    alg: Option<Algorithm>,
}

struct Cached {
    keys: HashMap<String, Key>,
    /// Keys published without a `kid` (usable by tokens without one).
    unnamed: Vec<Key>,
    fetched: Option<Instant>,
    last_attempt: Option<Instant>,
    /// Why the last fetch failed, if it did.
    last_error: Option<String>,
    jwks_uri: Option<String>,
}

/// The cached keys of one issuer.
pub struct JwksCache {
    source: JwksSource,
    http: reqwest::Client,
    min_refresh: Duration,
    max_age: Duration,
    cached: std::sync::RwLock<Cached>,
    /// One refresh at a time; callers that waited find the keys already in.
    refreshing: tokio::sync::Mutex<()>,
    /// Bumped whenever the key set changes, so that tokens verified with an older set are
    /// verified again.
    generation: AtomicU64,
}

/// Why a key could not be found.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the token's signing key is not among the issuer's keys")]
    Unknown,
    #[error("the issuer's keys cannot be fetched: {0}")]
    Unavailable(String),
}

/// A JWKS read key by key, so that one key we cannot use (an unknown `kty` or `alg`) does not
/// hide the others.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

impl JwksCache {
    pub fn new(
        source: JwksSource,
        tls: &crate::settings::TlsSettings,
        min_refresh: Duration,
        max_age: Duration,
    ) -> anyhow::Result<Self> {
        let http = crate::tls::client_builder(tls)?
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("apq/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            source,
            http,
            min_refresh,
            max_age,
            cached: std::sync::RwLock::new(Cached {
                keys: HashMap::new(),
                unnamed: Vec::new(),
                fetched: None,
                last_attempt: None,
                last_error: None,
                jwks_uri: None,
            }),
            refreshing: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        })
    }

    /// The current key set's generation (it changes when the keys do).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The key for `kid` from the cache only (no fetch), with the generation it belongs to. Keys
    /// older than `max_age` are still returned: [`Self::key`] refreshes them, and keeps serving
    /// them while the issuer cannot be reached.
    pub fn cached_key(&self, kid: Option<&str>, alg: Algorithm) -> Option<(DecodingKey, u64)> {
        let cached = self.cached.read().ok()?;
        let key = match kid {
            Some(kid) => cached.keys.get(kid),
            None if cached.keys.len() + cached.unnamed.len() == 1 => {
                cached.keys.values().chain(cached.unnamed.iter()).next()
            }
            None => None,
        }?;
        if key.alg.is_some_and(|declared| declared != alg) {
            return None;
        }
        Some((key.decoding.clone(), self.generation()))
    }

    fn stale(&self) -> bool {
        self.cached
            .read()
            .map(|c| c.fetched.is_none_or(|at| at.elapsed() > self.max_age))
            .unwrap_or(true)
    }

    /// Whether a fetch was tried less than `min_refresh` ago, and its error if it failed.
    fn last_attempt(&self) -> (bool, Option<String>) {
        self.cached
            .read()
            .map(|c| {
                (
                    c.last_attempt
                        .is_some_and(|at| at.elapsed() < self.min_refresh),
                    c.last_error.clone(),
                )
            })
            .unwrap_or((false, None))
    }

    /// The key for `kid`, fetching the JWKS when the cache lacks it or is older than `max_age`;
    /// at most one fetch per `min_refresh`, however many tokens ask.
    pub async fn key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<(DecodingKey, u64), KeyError> {
        if !self.stale()
            && let Some(found) = self.cached_key(kid, alg)
        {
            return Ok(found);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        let found = self.cached_key(kid, alg);
        if found.is_some() && !self.stale() {
            return found.ok_or(KeyError::Unknown);
        }
        let (recent, last_error) = self.last_attempt();
        let error = if recent {
            last_error
        } else {
            self.refresh().await.err().map(|e| e.to_string())
        };
        match (self.cached_key(kid, alg), error) {
            (Some(found), None) => Ok(found),
            (Some(found), Some(reason)) => {
                // The issuer is unreachable: its last known keys still serve.
                tracing::warn!(%reason, "cannot refresh the issuer's keys; using the cached ones");
                Ok(found)
            }
            (None, Some(reason)) => Err(KeyError::Unavailable(reason)),
            (None, None) => Err(KeyError::Unknown),
        }
    }

    async fn refresh(&self) -> Result<(), KeyError> {
        let result = self.fetch().await;
        if let Ok(mut cached) = self.cached.write() {
            cached.last_attempt = Some(Instant::now());
            cached.last_error = result.as_ref().err().map(|e| match e {
                KeyError::Unavailable(reason) => reason.clone(),
                KeyError::Unknown => e.to_string(),
            });
        }
        result
    }

    async fn fetch(&self) -> Result<(), KeyError> {
        let known_uri = self.cached.read().ok().and_then(|c| c.jwks_uri.clone());
        let jwks_uri = match (&self.source, known_uri) {
            (JwksSource::Direct(url), _) => url.clone(),
            (JwksSource::Discovery { .. }, Some(uri)) => uri,
            (JwksSource::Discovery { url, issuer }, None) => {
                let discovery: Discovery = self.get_json(url).await?;
                if discovery.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
                    return Err(KeyError::Unavailable(format!(
                        "the discovery document at {url} names the issuer {}, not {issuer}",
                        discovery.issuer
                    )));
                }
                discovery.jwks_uri
            }
        };
        let set: RawSet = match self.get_json(&jwks_uri).await {
            Ok(set) => set,
            Err(error) => {
                // The provider may have moved its JWKS: discover it again next time.
                if let Ok(mut cached) = self.cached.write() {
                    cached.jwks_uri = None;
                }
                return Err(error);
            }
        };
        let (keys, unnamed) = usable_keys(&set);
        tracing::info!(
            jwks = %jwks_uri,
            keys = keys.len() + unnamed.len(),
            "fetched the issuer's signing keys"
        );
        if let Ok(mut cached) = self.cached.write() {
            cached.keys = keys;
            cached.unnamed = unnamed;
            cached.fetched = Some(Instant::now());
            cached.jwks_uri = Some(jwks_uri);
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, KeyError> {
        let unavailable = |e: reqwest::Error| KeyError::Unavailable(format!("{url}: {e}"));
        let response = self.http.get(url).send().await.map_err(unavailable)?;
        let response = response.error_for_status().map_err(unavailable)?;
        response.json::<T>().await.map_err(unavailable)
    }
}

/// The signature keys of a JWKS, by `kid` (encryption keys and unparsable ones are skipped).
fn usable_keys(set: &RawSet) -> (HashMap<String, Key>, Vec<Key>) {
    let mut keys = HashMap::new();
    let mut unnamed = Vec::new();
    for raw in &set.keys {
        let Ok(jwk) = serde_json::from_value::<Jwk>(raw.clone()) else {
            continue;
        };
        let jwk = &jwk;
        if matches!(
            jwk.common.public_key_use,
            Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
        ) {
            continue;
        }
        let Some(key) = key_of(jwk) else {
            continue;
        };
        match &jwk.common.key_id {
            Some(kid) => {
                keys.insert(kid.clone(), key);
            }
            None => unnamed.push(key),
        }
    }
    (keys, unnamed)
}

fn key_of(jwk: &Jwk) -> Option<Key> {
    let decoding = DecodingKey::from_jwk(jwk).ok()?;
    let alg = jwk
        .common
        .key_algorithm
        .and_then(|a| a.to_string().parse::<Algorithm>().ok());
    Some(Key { decoding, alg })
}
