//! Layered settings: built-in defaults, then an optional TOML file (`--config` or `APQ_CONFIG`),
//! then `APQ_*` environment variables (`APQ_DATABASE__URL`, `APQ_SERVER__PORT`, ...). The result
//! is passed explicitly to [`crate::Service::build`]; nothing reads settings from a global.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub cors: CorsSettings,
    pub rate_limit: RateLimitSettings,
    /// Base URLs and timeouts of the peer services this one calls, by service name.
    #[serde(default)]
    pub peers: BTreeMap<String, PeerSettings>,
    pub log: LogSettings,
    /// Outbound TLS (peers, identity providers, OTLP).
    pub tls: TlsSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TlsSettings {
    /// A PEM bundle of CA certificates trusted on top of the system's (e.g. the Region's
    /// internal CA): `APQ_TLS__CA_FILE`.
    pub ca_file: Option<PathBuf>,
    /// Refuse plain `http://` outbound calls (peers, OTLP, key fetches). Off by default.
    pub https_only: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Actix workers; defaults to the number of cores.
    pub workers: Option<usize>,
    pub shutdown_timeout_secs: u64,
    /// Largest accepted JSON body; larger ones get 413.
    pub body_limit_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub pool_size: u32,
    pub min_idle: u32,
    /// How long a request waits for a pooled connection before answering 503.
    pub acquire_timeout_ms: u64,
    /// Connection attempts at start (500 ms apart) before giving up.
    pub startup_attempts: u32,
    /// Ping each connection when it leaves the pool (one more round trip per request). Off by
    /// default: a connection the server closed fails once with 503 and is then discarded.
    pub test_on_checkout: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// The issuer's Ed25519 public key (PEM), inline...
    pub public_key_pem: Option<String>,
    /// ...or read from this file.
    pub public_key_path: Option<PathBuf>,
    pub issuer: String,
    /// The `aud` this service accepts (e.g. `apq-agreements`).
    pub audience: String,
    pub leeway_secs: u64,
    /// The Region's OpenID Connect provider, when tokens come from it.
    #[serde(default)]
    pub oidc: Option<OidcSettings>,
    /// PDND vouchers (the national interoperability platform), when comuni's systems call.
    #[serde(default)]
    pub pdnd: Option<PdndSettings>,
}

/// An OpenID Connect provider whose tokens are accepted: its keys come from the JWKS named by
/// its discovery document, and its claims are mapped to our roles and `ente` scope.
#[derive(Debug, Clone, Deserialize)]
pub struct OidcSettings {
    /// The provider's `iss` (e.g. `https://idp.regione.toscana.it/realms/apq`).
    pub issuer: String,
    /// Its discovery document; default `<issuer>/.well-known/openid-configuration`.
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// The `aud` this service accepts from the provider; default `auth.audience`.
    #[serde(default)]
    pub audience: Option<String>,
    /// Signature algorithms accepted (RS256, ES256, EdDSA by default).
    #[serde(
        default = "default_oidc_algorithms",
        deserialize_with = "list_or_comma_separated"
    )]
    pub algorithms: Vec<String>,
    /// Where the provider puts the caller's roles or groups: a dotted path into the claims
    /// (`realm_access.roles`, `groups`, `resource_access.apq.roles`); a list or a space- or
    /// comma-separated string.
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// The provider's values mapped to our roles: `"apq-admin=admin,apq-ente=ente"` or a table.
    /// Values are compared without regard to case; values not listed give no role. Without a
    /// map, values that are our role names are taken as they are.
    #[serde(default, deserialize_with = "pairs")]
    pub role_map: BTreeMap<String, String>,
    /// The claim that names the body an `ente` caller acts for (dotted path), e.g. `ipa_code`.
    #[serde(default = "default_ente_claim")]
    pub ente_claim: String,
    /// The claim listing the interventi of a responsabile di intervento (dotted path).
    #[serde(default = "default_interventi_claim")]
    pub interventi_claim: String,
    /// The claim that identifies the caller; default `sub`.
    #[serde(default = "default_subject_claim")]
    pub subject_claim: String,
    /// Keys are refetched on an unknown `kid` at most once per this many seconds...
    #[serde(default = "default_jwks_min_refresh_secs")]
    pub jwks_min_refresh_secs: u64,
    /// ...and in any case when they are older than this.
    #[serde(default = "default_jwks_max_age_secs")]
    pub jwks_max_age_secs: u64,
}

/// PDND vouchers: JWTs the platform issues to a client for a purpose; each accepted purpose and
/// client is bound here to the body (`ente`) it acts for.
#[derive(Debug, Clone, Deserialize)]
pub struct PdndSettings {
    /// The voucher's `iss` (`interop.pagopa.it`; `uat.interop.pagopa.it` in UAT).
    pub issuer: String,
    /// PDND's published keys (`https://interop.pagopa.it/.well-known/jwks.json`).
    pub jwks_url: String,
    /// The audience of our e-service as registered on PDND.
    pub audience: String,
    /// `purposeId/client_id=ente` pairs (comma-separated) or a list of tables
    /// `{ purpose_id, client_id, ente }`.
    #[serde(default, deserialize_with = "bindings")]
    pub bindings: Vec<PdndBinding>,
    /// Signature algorithms accepted (RS256 by default, what PDND signs with).
    #[serde(
        default = "default_pdnd_algorithms",
        deserialize_with = "list_or_comma_separated"
    )]
    pub algorithms: Vec<String>,
    #[serde(default = "default_jwks_min_refresh_secs")]
    pub jwks_min_refresh_secs: u64,
    #[serde(default = "default_jwks_max_age_secs")]
    pub jwks_max_age_secs: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PdndBinding {
    pub purpose_id: String,
    pub client_id: String,
    /// The body (ISTAT code or aggregation id) the client acts for through this purpose.
    pub ente: String,
}

fn default_oidc_algorithms() -> Vec<String> {
    vec!["RS256".to_owned(), "ES256".to_owned(), "EdDSA".to_owned()]
}
fn default_pdnd_algorithms() -> Vec<String> {
    vec!["RS256".to_owned()]
}
fn default_roles_claim() -> String {
    "roles".to_owned()
}
fn default_ente_claim() -> String {
    "ente".to_owned()
}
fn default_interventi_claim() -> String {
    "interventi".to_owned()
}
fn default_subject_claim() -> String {
    "sub".to_owned()
}
fn default_jwks_min_refresh_secs() -> u64 {
    30
}
fn default_jwks_max_age_secs() -> u64 {
    3_600
}

/// `a=b,c=d` or a table, as a map.
fn pairs<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum MapOrString {
        Map(BTreeMap<String, String>),
        One(String),
    }
    match MapOrString::deserialize(deserializer)? {
        MapOrString::Map(map) => Ok(map),
        MapOrString::One(text) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.split_once('=')
                    .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                    .ok_or_else(|| {
                        serde::de::Error::custom(format!("\"{item}\" is not provider=role"))
                    })
            })
            .collect(),
    }
}

/// `purpose/client=ente,...` or a list of tables, as bindings.
fn bindings<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<PdndBinding>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<PdndBinding>),
        One(String),
    }
    match ListOrString::deserialize(deserializer)? {
        ListOrString::List(list) => Ok(list),
        ListOrString::One(text) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let parsed = item.split_once('=').and_then(|(left, ente)| {
                    left.split_once('/').map(|(purpose, client)| PdndBinding {
                        purpose_id: purpose.trim().to_owned(),
                        client_id: client.trim().to_owned(),
                        ente: ente.trim().to_owned(),
                    })
                });
                parsed.ok_or_else(|| {
                    serde::de::Error::custom(format!("\"{item}\" is not purposeId/client_id=ente"))
                })
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CorsSettings {
    /// Origins of the portal front-ends allowed to call the API from a browser.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    /// Requests a client may make per window (also the burst); 0 disables the limit.
    pub requests_per_window: u32,
    pub window_secs: u64,
    /// The reverse proxies (IPs or CIDRs) whose `X-Forwarded-For` / `Forwarded` is believed; a
    /// list, or one comma-separated string (`APQ_RATE_LIMIT__TRUSTED_PROXIES`). None by default.
    #[serde(default, deserialize_with = "list_or_comma_separated")]
    pub trusted_proxies: Vec<String>,
}

/// A list of strings given either as a list or as one comma-separated string (an override, or
/// an environment variable read without list parsing).
fn list_or_comma_separated<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        One(String),
    }
    let items = match ListOrString::deserialize(deserializer)? {
        ListOrString::List(items) => items,
        ListOrString::One(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

#[derive(Debug, Clone, Deserialize)]
pub struct PeerSettings {
    pub base_url: String,
    #[serde(default = "default_peer_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_peer_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
}

fn default_peer_timeout_ms() -> u64 {
    3_000
}
fn default_peer_connect_timeout_ms() -> u64 {
    1_000
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `json` (one structured line per event) or `pretty`.
    pub format: String,
    /// A tracing filter, e.g. `info,apq_platform=debug`.
    pub filter: String,
}

/// A peer service this one calls, and where it answers by default (a developer's machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub name: &'static str,
    pub default_url: &'static str,
}

/// What a service tells the settings about itself: the platform knows no service.
#[derive(Debug, Clone, Copy)]
pub struct Defaults<'a> {
    /// Its name: the default database `apq_<name>` and audience `apq-<name>`.
    pub name: &'a str,
    pub port: u16,
    /// The peers it calls (`peers.<name>.*`).
    pub peers: &'a [Peer],
}

/// A service known only by its name: port 8080, no peers (what the platform's own tests use).
impl<'a> From<&'a str> for Defaults<'a> {
    fn from(name: &'a str) -> Self {
        Self {
            name,
            port: 8080,
            peers: &[],
        }
    }
}

impl Settings {
    /// Defaults for `service`, then `file` if given, then the `APQ_*` environment.
    pub fn load<'a>(service: impl Into<Defaults<'a>>, file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = Self::defaults(&service.into())?;
        if let Some(path) = file {
            builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
        }
        let settings: Settings = builder
            .add_source(
                Environment::with_prefix("APQ")
                    .prefix_separator("_")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("cors.allowed_origins")
                    .with_list_parse_key("rate_limit.trusted_proxies")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()?;
        Ok(settings)
    }

    /// Defaults plus explicit overrides (`"database.url" => "..."`), no file and no environment:
    /// what tests use, so that one test's settings never leak into another's.
    pub fn with_overrides<'a>(
        service: impl Into<Defaults<'a>>,
        overrides: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let mut builder = Self::defaults(&service.into())?;
        for (key, value) in overrides {
            builder = builder.set_override(*key, value.as_str())?;
        }
        Ok(builder.build()?.try_deserialize()?)
    }

    fn defaults(
        defaults: &Defaults<'_>,
    ) -> anyhow::Result<config::ConfigBuilder<config::builder::DefaultState>> {
        let service = defaults.name;
        let mut builder = Config::builder()
            .set_default("server.host", "127.0.0.1")?
            .set_default("server.port", i64::from(defaults.port))?
            .set_default("server.shutdown_timeout_secs", 10)?
            .set_default("server.body_limit_bytes", 1_048_576)?
            .set_default(
                "database.url",
                format!("postgres://postgres@127.0.0.1:5432/apq_{service}"),
            )?
            .set_default("database.pool_size", 16)?
            .set_default("database.min_idle", 2)?
            .set_default("database.acquire_timeout_ms", 2_000)?
            .set_default("database.startup_attempts", 20)?
            .set_default("database.test_on_checkout", false)?
            .set_default("auth.issuer", "apq-dev")?
            .set_default("auth.audience", format!("apq-{service}"))?
            .set_default("auth.leeway_secs", 30)?
            .set_default("cors.allowed_origins", Vec::<String>::new())?
            .set_default("rate_limit.requests_per_window", 6_000)?
            .set_default("rate_limit.window_secs", 60)?
            .set_default("rate_limit.trusted_proxies", Vec::<String>::new())?
            .set_default("log.format", "json")?
            .set_default("log.filter", "info")?
            .set_default("tls.https_only", false)?;
        for peer in defaults.peers {
            let name = peer.name;
            builder = builder.set_default(format!("peers.{name}.base_url"), peer.default_url)?;
        }
        Ok(builder)
    }

    pub fn peer(&self, name: &str) -> anyhow::Result<&PeerSettings> {
        self.peers.get(name).ok_or_else(|| {
            anyhow::anyhow!("no settings for the peer service \"{name}\" (peers.{name}.base_url)")
        })
    }

    /// Whether the dev issuer's key is configured (it is optional once a provider is).
    pub fn has_public_key(&self) -> bool {
        self.auth.public_key_pem.is_some() || self.auth.public_key_path.is_some()
    }

    /// The issuer's public key, from `auth.public_key_pem` or `auth.public_key_path`.
    pub fn public_key_pem(&self) -> anyhow::Result<String> {
        if let Some(pem) = &self.auth.public_key_pem {
            return Ok(pem.clone());
        }
        let path = self.auth.public_key_path.as_ref().ok_or_else(|| {
            anyhow::anyhow!("no public key: set auth.public_key_pem or auth.public_key_path (APQ_AUTH__PUBLIC_KEY_PATH)")
        })?;
        std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the public key {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn defaults_depend_on_the_service() {
        const PEERS: [Peer; 1] = [Peer {
            name: "catalogue",
            default_url: "http://127.0.0.1:8082",
        }];
        let defaults = Defaults {
            name: "adhesion",
            port: 8083,
            peers: &PEERS,
        };
        let s = Settings::with_overrides(defaults, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.server.port, 8083);
        assert_eq!(s.auth.audience, "apq-adhesion");
        assert_eq!(
            s.database.url.expose_secret(),
            "postgres://postgres@127.0.0.1:5432/apq_adhesion"
        );
        let catalogue = s.peer("catalogue").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(catalogue.base_url, "http://127.0.0.1:8082");
        assert_eq!(s.peers.len(), 1, "only the peers the service names");
        let bare = Settings::with_overrides("fixture", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bare.server.port, 8080);
        assert!(bare.peers.is_empty());
    }

    #[test]
    fn overrides_win() {
        let s = Settings::with_overrides(
            "agreements",
            &[
                ("database.url", "postgres://x/y".to_owned()),
                ("server.port", "0".to_owned()),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.database.url.expose_secret(), "postgres://x/y");
        assert_eq!(s.server.port, 0);
    }

    #[test]
    fn trusted_proxies_are_a_list_or_comma_separated() {
        let none = Settings::with_overrides("adhesion", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(none.rate_limit.trusted_proxies.is_empty());
        let some = Settings::with_overrides(
            "adhesion",
            &[(
                "rate_limit.trusted_proxies",
                "10.0.0.0/8, 127.0.0.1,,".to_owned(),
            )],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(some.rate_limit.trusted_proxies, ["10.0.0.0/8", "127.0.0.1"]);
    }

    #[test]
    fn providers_are_configured_by_a_toml_file_with_tables_or_strings() {
        let dir = std::env::temp_dir().join(format!("apq-settings-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.join("apq.toml");
        std::fs::write(
            &file,
            r#"
[auth.oidc]
issuer = "https://idp.example/realms/apq"
roles_claim = "realm_access.roles"
ente_claim = "ipa_code"
algorithms = ["RS256", "ES256"]
[auth.oidc.role_map]
"APQ-Admins" = "admin"
auditors = "auditor"

[auth.pdnd]
issuer = "interop.pagopa.it"
jwks_url = "https://interop.pagopa.it/.well-known/jwks.json"
audience = "https://apq.example/adhesion/v1"
[[auth.pdnd.bindings]]
purpose_id = "p1"
client_id = "c1"
ente = "048017"
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let s = Settings::load("adhesion", Some(&file)).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir_all(&dir);
        let oidc = s.auth.oidc.unwrap_or_else(|| panic!("no oidc"));
        assert_eq!(oidc.roles_claim, "realm_access.roles");
        assert_eq!(oidc.algorithms, ["RS256", "ES256"]);
        assert_eq!(oidc.jwks_min_refresh_secs, 30);
        assert!(
            oidc.role_map
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("APQ-Admins") && v == "admin")
        );
        let pdnd = s.auth.pdnd.unwrap_or_else(|| panic!("no pdnd"));
        assert_eq!(
            pdnd.bindings,
            [PdndBinding {
                purpose_id: "p1".to_owned(),
                client_id: "c1".to_owned(),
                ente: "048017".to_owned()
            }]
        );
        assert_eq!(pdnd.algorithms, ["RS256"]);

        let strings = Settings::with_overrides(
            "adhesion",
            &[
                ("auth.oidc.issuer", "https://idp.example".to_owned()),
                ("auth.oidc.role_map", "A=admin, b=ente".to_owned()),
                ("auth.oidc.algorithms", "EdDSA".to_owned()),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let oidc = strings.auth.oidc.unwrap_or_else(|| panic!("no oidc"));
        assert_eq!(oidc.role_map.get("A").map(String::as_str), Some("admin"));
        assert_eq!(oidc.algorithms, ["EdDSA"]);
        assert!(strings.auth.pdnd.is_none());

        let bad = Settings::with_overrides(
            "adhesion",
            &[
                ("auth.pdnd.issuer", "x".to_owned()),
                ("auth.pdnd.jwks_url", "x".to_owned()),
                ("auth.pdnd.audience", "x".to_owned()),
                ("auth.pdnd.bindings", "no-slash=048017".to_owned()),
            ],
        );
        assert!(bad.is_err());
    }
}
