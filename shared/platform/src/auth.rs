//! Authentication and the role model.
//!
//! Tokens are JWTs from a configured issuer: the dev issuer (an Ed25519 key pair, EdDSA; the
//! services hold only the public key), the Region's OpenID Connect provider (keys from its JWKS,
//! claims mapped to our roles by the settings) or PDND (vouchers bound to a body). A token is
//! accepted when its signature, `exp`, `nbf`, `iss` and `aud` (this service's audience) are
//! right. The caller appears in handlers as an extractor: `caller: Caller` requires a token,
//! `caller: Option<Caller>` allows anonymous public reads.

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use apq_domain::Role;
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::jwks::{JwksCache, JwksSource, KeyError};
use crate::problem::ApiError;
use crate::settings::{OidcSettings, PdndBinding, Settings};

/// The claims of an APQ token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The subject: a person's or a job's id.
    pub sub: String,
    pub iss: String,
    /// One audience or several (`apq-agreements`, `apq-catalogue`, ...).
    pub aud: Audience,
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    pub roles: Vec<Role>,
    /// For `ente` callers: the body they act for (an ISTAT code, or an aggregation's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ente: Option<String>,
    /// For `responsabile_intervento` callers: the interventions they answer for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interventi: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Verifies tokens for one service; built once from the settings and shared by the workers.
///
/// A token is verified against the issuer its `iss` names, among those configured: the dev
/// issuer (the Ed25519 public key of the settings, EdDSA, our claim names), the Region's OpenID
/// Connect provider (keys from its JWKS; RS256, ES256 or EdDSA; claims mapped by the settings)
/// and PDND (vouchers, bound to a body by purpose and client). Any other issuer is refused.
///
/// A token's signature is checked once: verified claims are remembered (by the whole token
/// text, and the issuer's key set) until the token expires, so a client's repeated calls cost a
/// cache lookup, not a signature verification. The memory is bounded (a `moka` cache of
/// [`VERIFIED_CAPACITY`] tokens, each evicted when it expires) and per process.
#[derive(Clone)]
pub struct JwtVerifier {
    issuers: Arc<Vec<TrustedIssuer>>,
    leeway: u64,
    verified: moka::sync::Cache<String, Remembered>,
}

#[derive(Clone)]
struct Remembered {
    claims: Claims,
    issuer: usize,
    generation: u64,
}

/// The most verified tokens a process remembers (the least used go first).
pub const VERIFIED_CAPACITY: u64 = 10_000;

/// A remembered token lives until its `exp` (plus the leeway), and no longer.
struct UntilExpiry {
    leeway: i64,
}

impl moka::Expiry<String, Remembered> for UntilExpiry {
    fn expire_after_create(
        &self,
        _token: &String,
        remembered: &Remembered,
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        let left = remembered.claims.exp + self.leeway - chrono::Utc::now().timestamp();
        Some(Duration::from_secs(u64::try_from(left).unwrap_or(0)))
    }
}

fn verified_cache(leeway: u64) -> moka::sync::Cache<String, Remembered> {
    moka::sync::Cache::builder()
        .max_capacity(VERIFIED_CAPACITY)
        .expire_after(UntilExpiry {
            leeway: i64::try_from(leeway).unwrap_or(0),
        })
        .build()
}

struct TrustedIssuer {
    issuer: String,
    audience: String,
    algorithms: Vec<Algorithm>,
    keys: Keys,
    profile: Profile,
}

enum Keys {
    Static(DecodingKey),
    Jwks(Box<JwksCache>),
}

enum Profile {
    /// Our own claim names (`roles`, `ente`, `interventi`): the dev issuer.
    Apq,
    Oidc(Box<OidcSettings>),
    Pdnd(Vec<PdndBinding>),
}

fn algorithms(names: &[String]) -> anyhow::Result<Vec<Algorithm>> {
    names
        .iter()
        .map(|name| match name.parse::<Algorithm>() {
            Ok(alg @ (Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA)) => Ok(alg),
            _ => Err(anyhow::anyhow!(
                "the signature algorithm {name} is not accepted (RS256, ES256, EdDSA)"
            )),
        })
        .collect()
}

impl JwtVerifier {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let auth = &settings.auth;
        let mut issuers = Vec::new();
        let external = auth.oidc.is_some() || auth.pdnd.is_some();
        if settings.has_public_key() || !external {
            issuers.push(Self::dev_issuer(
                &settings.public_key_pem()?,
                &auth.issuer,
                &auth.audience,
            )?);
        }
        if let Some(oidc) = &auth.oidc {
            let discovery = oidc.discovery_url.clone().unwrap_or_else(|| {
                format!(
                    "{}/.well-known/openid-configuration",
                    oidc.issuer.trim_end_matches('/')
                )
            });
            let keys = JwksCache::new(
                JwksSource::Discovery {
                    url: discovery,
                    issuer: oidc.issuer.clone(),
                },
                &settings.tls,
                Duration::from_secs(oidc.jwks_min_refresh_secs),
                Duration::from_secs(oidc.jwks_max_age_secs),
            )?;
            issuers.push(TrustedIssuer {
                issuer: oidc.issuer.clone(),
                audience: oidc
                    .audience
                    .clone()
                    .unwrap_or_else(|| auth.audience.clone()),
                algorithms: algorithms(&oidc.algorithms)?,
                keys: Keys::Jwks(Box::new(keys)),
                profile: Profile::Oidc(Box::new(oidc.clone())),
            });
        }
        if let Some(pdnd) = &auth.pdnd {
            let keys = JwksCache::new(
                JwksSource::Direct(pdnd.jwks_url.clone()),
                &settings.tls,
                Duration::from_secs(pdnd.jwks_min_refresh_secs),
                Duration::from_secs(pdnd.jwks_max_age_secs),
            )?;
            issuers.push(TrustedIssuer {
                issuer: pdnd.issuer.clone(),
                audience: pdnd.audience.clone(),
                algorithms: algorithms(&pdnd.algorithms)?,
                keys: Keys::Jwks(Box::new(keys)),
                profile: Profile::Pdnd(pdnd.bindings.clone()),
            });
        }
        for (i, a) in issuers.iter().enumerate() {
            if issuers[..i].iter().any(|b| b.issuer == a.issuer) {
                anyhow::bail!(
                    "the issuer {} is configured twice (auth.issuer, auth.oidc.issuer, auth.pdnd.issuer)",
                    a.issuer
                );
            }
        }
        Ok(Self {
            issuers: Arc::new(issuers),
            leeway: auth.leeway_secs,
            verified: verified_cache(auth.leeway_secs),
        })
    }

    fn dev_issuer(
        public_key_pem: &str,
        issuer: &str,
        audience: &str,
    ) -> anyhow::Result<TrustedIssuer> {
        let key = DecodingKey::from_ed_pem(public_key_pem.as_bytes())
            .map_err(|e| anyhow::anyhow!("the public key is not an Ed25519 PEM key: {e}"))?;
        Ok(TrustedIssuer {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            algorithms: vec![Algorithm::EdDSA],
            keys: Keys::Static(key),
            profile: Profile::Apq,
        })
    }

    /// A verifier for the dev issuer only.
    pub fn new(
        public_key_pem: &str,
        issuer: &str,
        audience: &str,
        leeway_secs: u64,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            issuers: Arc::new(vec![Self::dev_issuer(public_key_pem, issuer, audience)?]),
            leeway: leeway_secs,
            verified: verified_cache(leeway_secs),
        })
    }

    /// Verifies `token` with the keys already held (no fetch): what the rate limiter uses. A
    /// token whose issuer's keys must first be fetched is refused here, and verified by
    /// [`Self::authenticate`].
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        if let Some(claims) = self.remembered(token) {
            return Ok(claims);
        }
        let (index, issuer, header) = self.issuer_of(token)?;
        let (key, generation) = match &issuer.keys {
            Keys::Static(key) => (key.clone(), 0),
            Keys::Jwks(cache) => cache
                .cached_key(header.kid.as_deref(), header.alg)
                .ok_or_else(|| unauthorized("the token's signing key is not known yet"))?,
        };
        let claims = self.check(issuer, &key, header.alg, token)?;
        self.remember(token, &claims, index, generation);
        Ok(claims)
    }

    /// Verifies `token`, fetching its issuer's keys when they are not held or a `kid` is new.
    pub async fn authenticate(&self, token: &str) -> Result<Claims, ApiError> {
        if let Some(claims) = self.remembered(token) {
            return Ok(claims);
        }
        let (index, issuer, header) = self.issuer_of(token)?;
        let (key, generation) = match &issuer.keys {
            Keys::Static(key) => (key.clone(), 0),
            Keys::Jwks(cache) => cache
                .key(header.kid.as_deref(), header.alg)
                .await
                .map_err(|error| match error {
                    KeyError::Unknown => unauthorized(&error.to_string()),
                    KeyError::Unavailable(reason) => {
                        tracing::warn!(issuer = %issuer.issuer, %reason, "cannot fetch the issuer's keys");
                        ApiError::unavailable(format!("the identity provider {}", issuer.issuer))
                    }
                })?,
        };
        let claims = self.check(issuer, &key, header.alg, token)?;
        self.remember(token, &claims, index, generation);
        Ok(claims)
    }

    fn remembered(&self, token: &str) -> Option<Claims> {
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(self.leeway).unwrap_or(0);
        let remembered = self.verified.get(token)?;
        let current = match &self.issuers.get(remembered.issuer)?.keys {
            Keys::Static(_) => 0,
            Keys::Jwks(cache) => cache.generation(),
        };
        if remembered.claims.exp + leeway > now && remembered.generation == current {
            Some(remembered.claims)
        } else {
            self.verified.invalidate(token);
            None
        }
    }

    fn remember(&self, token: &str, claims: &Claims, issuer: usize, generation: u64) {
        self.verified.insert(
            token.to_owned(),
            Remembered {
                claims: claims.clone(),
                issuer,
                generation,
            },
        );
    }

    /// The configured issuer the token's (unverified) `iss` names, and its header.
    fn issuer_of(
        &self,
        token: &str,
    ) -> Result<(usize, &TrustedIssuer, jsonwebtoken::Header), ApiError> {
        #[derive(Deserialize)]
        struct Iss {
            iss: Option<String>,
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthorized("the token is not a JWT"))?;
        let iss = jsonwebtoken::dangerous::insecure_decode_claims::<Iss>(token)
            .map_err(|_| unauthorized("the token is not a JWT"))?
            .iss
            .ok_or_else(|| unauthorized("the token lacks a required claim"))?;
        let (index, issuer) = self
            .issuers
            .iter()
            .enumerate()
            .find(|(_, issuer)| issuer.issuer == iss)
            .ok_or_else(|| unauthorized("the token was issued by an unknown issuer"))?;
        if !issuer.algorithms.contains(&header.alg) {
            return Err(unauthorized(
                "the token is not signed with an algorithm its issuer uses",
            ));
        }
        Ok((index, issuer, header))
    }

    fn check(
        &self,
        issuer: &TrustedIssuer,
        key: &DecodingKey,
        alg: Algorithm,
        token: &str,
    ) -> Result<Claims, ApiError> {
        use jsonwebtoken::errors::ErrorKind;
        let mut validation = Validation::new(alg);
        validation.set_audience(&[&issuer.audience]);
        validation.set_issuer(&[&issuer.issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = self.leeway;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let raw = jsonwebtoken::decode::<serde_json::Value>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::ImmatureSignature => "the token is not valid yet",
                    ErrorKind::InvalidAudience => "the token is not meant for this service",
                    ErrorKind::InvalidIssuer => "the token was issued by an unknown issuer",
                    ErrorKind::InvalidSignature => "the token's signature is not valid",
                    ErrorKind::InvalidAlgorithm => {
                        "the token is not signed with an algorithm its issuer uses"
                    }
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is not valid",
                };
                unauthorized(why)
            })?;
        match &issuer.profile {
            Profile::Apq => serde_json::from_value::<Claims>(raw)
                .map_err(|_| unauthorized("the token's claims are not valid")),
            Profile::Oidc(mapping) => map_oidc(&raw, mapping),
            Profile::Pdnd(bindings) => map_pdnd(&raw, bindings),
        }
    }
}

fn unauthorized(why: &str) -> ApiError {
    ApiError::Unauthorized(why.to_owned())
}

/// The claim at a dotted path (`realm_access.roles`); a top-level claim whose name holds dots
/// (`https://example/roles`) is found too.
fn claim_at<'a>(claims: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    claims.get(path).or_else(|| {
        path.split('.')
            .try_fold(claims, |value, key| value.get(key))
    })
}

/// A claim's strings: a list, or one string split on spaces and commas (`scope`).
fn strings_at(claims: &serde_json::Value, path: &str) -> Vec<String> {
    match claim_at(claims, path) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(serde_json::Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn registered(raw: &serde_json::Value) -> (String, Audience, i64, i64) {
    let iss = raw
        .get("iss")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let aud = serde_json::from_value::<Audience>(raw.get("aud").cloned().unwrap_or_default())
        .unwrap_or(Audience::Many(Vec::new()));
    let exp = raw.get("exp").and_then(|v| v.as_i64()).unwrap_or(0);
    let iat = raw.get("iat").and_then(|v| v.as_i64()).unwrap_or(0);
    (iss, aud, exp, iat)
}

/// A provider's claims as ours: the subject, the roles through `role_map`, the `ente` scope and
/// the interventi from the configured claims.
fn map_oidc(raw: &serde_json::Value, mapping: &OidcSettings) -> Result<Claims, ApiError> {
    let sub = strings_at(raw, &mapping.subject_claim)
        .into_iter()
        .next()
        .ok_or_else(|| unauthorized("the token lacks a required claim"))?;
    let mut roles: Vec<Role> = Vec::new();
    for value in strings_at(raw, &mapping.roles_claim) {
        let role = if mapping.role_map.is_empty() {
            value.parse::<Role>().ok()
        } else {
            mapping
                .role_map
                .iter()
                .find(|(from, _)| from.eq_ignore_ascii_case(&value))
                .and_then(|(_, to)| to.parse::<Role>().ok())
        };
        if let Some(role) = role
            && !roles.contains(&role)
        {
            roles.push(role);
        }
    }
    let ente = strings_at(raw, &mapping.ente_claim).into_iter().next();
    let interventi = strings_at(raw, &mapping.interventi_claim);
    let (iss, aud, exp, iat) = registered(raw);
    Ok(Claims {
        sub,
        iss,
        aud,
        exp,
        iat,
        roles,
        ente,
        interventi,
    })
}

/// A PDND voucher as our claims: its `purposeId` and `client_id` must be bound, together, to a
/// body by the settings; the caller then acts as that body (`ente`).
fn map_pdnd(raw: &serde_json::Value, bindings: &[PdndBinding]) -> Result<Claims, ApiError> {
    let text = |name: &str| raw.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let purpose = text("purposeId").ok_or_else(|| unauthorized("the voucher lacks a purposeId"))?;
    let client = text("client_id").ok_or_else(|| unauthorized("the voucher lacks a client_id"))?;
    let sub = text("sub").unwrap_or_else(|| client.clone());
    let binding = bindings
        .iter()
        .find(|b| b.purpose_id == purpose && b.client_id == client)
        .ok_or_else(|| {
            ApiError::Forbidden(
                "the voucher's purpose and client are not bound to a body of this e-service"
                    .to_owned(),
            )
        })?;
    let (iss, aud, exp, iat) = registered(raw);
    Ok(Claims {
        sub,
        iss,
        aud,
        exp,
        iat,
        roles: vec![Role::Ente],
        ente: Some(binding.ente.clone()),
        interventi: Vec::new(),
    })
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: Claims,
}

impl Caller {
    pub fn subject(&self) -> &str {
        &self.claims.sub
    }

    pub fn has(&self, role: Role) -> bool {
        self.claims.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// Refuses with 403 unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.has_any(roles) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "this operation needs one of the roles: {}",
                names.join(", ")
            )))
        }
    }

    /// Admin and auditor read everything; other roles read what their scope allows.
    pub fn reads_everything(&self) -> bool {
        self.has_any(&[
            Role::Admin,
            Role::Auditor,
            Role::ResponsabileAccordo,
            Role::Sync,
        ])
    }

    /// A responsabile di intervento whose token names the intervento `code`.
    pub fn answers_for(&self, code: &str) -> bool {
        self.has(Role::ResponsabileIntervento) && self.claims.interventi.iter().any(|c| c == code)
    }

    /// The body an `ente` caller acts for.
    pub fn ente(&self) -> Option<&str> {
        self.claims.ente.as_deref()
    }

    /// Refuses with 403 unless the caller may act for `ente` (admin, or an `ente` token for it).
    pub fn require_ente(&self, ente: &str) -> Result<(), ApiError> {
        if self.has(Role::Admin) || (self.has(Role::Ente) && self.ente() == Some(ente)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "the caller may not act for the body {ente}"
            )))
        }
    }
}

fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid".to_owned()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::Unauthorized(
            "the Authorization header must be \"Bearer <token>\"".to_owned(),
        )),
    }
}

/// The request's bearer token and the verifier (errors for a malformed header or none).
fn token_and_verifier(
    req: &HttpRequest,
) -> Result<Option<(String, web::Data<JwtVerifier>)>, ApiError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let verifier = req
        .app_data::<web::Data<JwtVerifier>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no JwtVerifier registered")))?;
    Ok(Some((token.to_owned(), verifier.clone())))
}

async fn authenticate(
    found: Result<Option<(String, web::Data<JwtVerifier>)>, ApiError>,
) -> Result<Option<Caller>, ApiError> {
    let Some((token, verifier)) = found? else {
        return Ok(None);
    };
    let claims = verifier.authenticate(&token).await?;
    tracing::Span::current().record("enduser.id", claims.sub.as_str());
    Ok(Some(Caller { claims }))
}

/// The subject of the request's bearer token when the token verifies (with the same verifier,
/// and its cache, as [`Caller`]), else `None`: no token, a malformed `Authorization` header, a
/// token that does not verify, or no verifier registered. It refuses nothing and records
/// nothing: what to answer is still the extractors' business. The rate limit keys on it.
pub fn verified_subject(req: &HttpRequest) -> Option<String> {
    let token = bearer(req).ok()??;
    let verifier = req.app_data::<web::Data<JwtVerifier>>()?;
    verifier.verify(token).ok().map(|claims| claims.sub)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = token_and_verifier(req);
        Box::pin(async move {
            authenticate(found)
                .await?
                .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".to_owned()))
        })
    }
}

/// Anonymous access where the data is public: `Option<Caller>` is `None` without a token, but a
/// token that is present and invalid is still refused with 401.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = token_and_verifier(req);
        Box::pin(async move { authenticate(found).await.map(MaybeCaller) })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn mapping(overrides: &[(&str, &str)]) -> OidcSettings {
        let mut all = vec![("auth.oidc.issuer", "https://idp.example".to_owned())];
        all.extend(overrides.iter().map(|(k, v)| (*k, (*v).to_owned())));
        Settings::with_overrides("agreements", &all)
            .ok()
            .and_then(|s| s.auth.oidc)
            .unwrap_or_else(|| panic!("no oidc settings"))
    }

    fn raw(extra: serde_json::Value) -> serde_json::Value {
        let mut claims = json!({"iss": "https://idp.example", "aud": ["apq-agreements", "account"],
                                "sub": "u1", "exp": 2_000_000_000_i64});
        if let (Some(claims), serde_json::Value::Object(extra)) = (claims.as_object_mut(), extra) {
            claims.extend(extra);
        }
        claims
    }

    #[test]
    fn provider_claims_become_our_roles_and_scope() {
        let keycloak = mapping(&[
            ("auth.oidc.roles_claim", "realm_access.roles"),
            ("auth.oidc.role_map", "apq-ente=ente, APQ-Admin=admin"),
            ("auth.oidc.ente_claim", "attributes.istat"),
        ]);
        let claims = map_oidc(
            &raw(
                json!({"realm_access": {"roles": ["offline_access", "apq-admin", "apq-ente"]},
                        "attributes": {"istat": 48017}}),
            ),
            &keycloak,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.roles, vec![Role::Admin, Role::Ente]);
        assert_eq!(claims.ente.as_deref(), Some("48017"));
        assert_eq!(claims.sub, "u1");

        // A space-separated `scope`, a claim whose name holds dots, no map: our names as they are.
        let scoped = mapping(&[("auth.oidc.roles_claim", "scope")]);
        let claims = map_oidc(&raw(json!({"scope": "openid auditor sync"})), &scoped)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.roles, vec![Role::Auditor, Role::Sync]);
        let dotted = mapping(&[("auth.oidc.roles_claim", "https://apq.example/roles")]);
        let claims = map_oidc(
            &raw(json!({"https://apq.example/roles": ["admin"]})),
            &dotted,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.roles, vec![Role::Admin]);

        let nobody = map_oidc(&raw(json!({"roles": "superuser"})), &scoped)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(nobody.roles.is_empty());
    }

    #[test]
    fn a_verified_token_is_remembered_until_it_expires_and_never_after() {
        let pair = crate::devkeys::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let verifier = JwtVerifier::new(&pair.public_pem, "apq-dev", "apq-agreements", 0)
            .unwrap_or_else(|e| panic!("{e}"));
        let claims = crate::devkeys::TokenRequest::new(vec![Role::Admin]).claims();
        let token = pair.sign(&claims).unwrap_or_else(|e| panic!("{e}"));
        assert!(verifier.remembered(&token).is_none(), "nothing before");
        let verified = verifier.verify(&token).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(verifier.remembered(&token), Some(verified));
        // A token whose expiry has passed is forgotten, even if it was remembered.
        let mut expired = claims.clone();
        expired.exp = chrono::Utc::now().timestamp() - 1;
        verifier.remember("expired", &expired, 0, 0);
        assert!(verifier.remembered("expired").is_none());
        // One remembered under another generation of the issuer's keys is not used.
        verifier.remember("old-keys", &claims, 0, 7);
        assert!(verifier.remembered("old-keys").is_none());
        assert!(
            verifier.verified.get("old-keys").is_none(),
            "and it is evicted"
        );
    }

    #[test]
    fn an_issuer_configured_twice_is_refused_at_start() {
        let pair = crate::devkeys::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let settings = Settings::with_overrides(
            "agreements",
            &[
                ("auth.public_key_pem", pair.public_pem),
                ("auth.issuer", "https://idp.example".to_owned()),
                ("auth.oidc.issuer", "https://idp.example".to_owned()),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let error = JwtVerifier::from_settings(&settings)
            .err()
            .map(|e| e.to_string());
        assert!(
            error.as_deref().is_some_and(|e| e.contains("twice")),
            "{error:?}"
        );
        let algorithms = Settings::with_overrides(
            "agreements",
            &[
                ("auth.oidc.issuer", "https://idp.example".to_owned()),
                ("auth.oidc.algorithms", "HS256".to_owned()),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            JwtVerifier::from_settings(&algorithms).is_err(),
            "HS256 is never accepted"
        );
    }
}
