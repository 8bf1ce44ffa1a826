//! Authentication and the role model.
//!
//! Tokens are JWTs signed with the issuer's Ed25519 key (EdDSA); services hold only the public
//! key. A token is accepted when its signature, `exp`, `iss` and `aud` (this service's audience)
//! are right. The caller appears in handlers as an extractor: `caller: Caller` requires a token,
//! `caller: Option<Caller>` allows anonymous public reads.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use apq_domain::Role;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;
use crate::settings::Settings;

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
/// A token's signature is checked once: verified claims are remembered (by the whole token
/// text) until the token expires, so a client's repeated calls cost a map lookup, not an
/// Ed25519 verification. The memory is bounded and per process.
#[derive(Clone)]
pub struct JwtVerifier {
    key: Arc<DecodingKey>,
    validation: Arc<Validation>,
    verified: Arc<std::sync::Mutex<std::collections::HashMap<String, Claims>>>,
}

const VERIFIED_CAPACITY: usize = 10_000;

impl JwtVerifier {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let pem = settings.public_key_pem()?;
        Self::new(
            &pem,
            &settings.auth.issuer,
            &settings.auth.audience,
            settings.auth.leeway_secs,
        )
    }

    pub fn new(
        public_key_pem: &str,
        issuer: &str,
        audience: &str,
        leeway_secs: u64,
    ) -> anyhow::Result<Self> {
        let key = DecodingKey::from_ed_pem(public_key_pem.as_bytes())
            .map_err(|e| anyhow::anyhow!("the public key is not an Ed25519 PEM key: {e}"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = leeway_secs;
        validation.validate_exp = true;
        Ok(Self {
            key: Arc::new(key),
            validation: Arc::new(validation),
            verified: Arc::new(std::sync::Mutex::new(std::collections::HashMap::new())),
        })
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(self.validation.leeway).unwrap_or(0);
        if let Ok(verified) = self.verified.lock()
            && let Some(claims) = verified.get(token)
            && claims.exp + leeway > now
        {
            return Ok(claims.clone());
        }
        let claims = self.verify_signature(token)?;
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= VERIFIED_CAPACITY {
                verified.retain(|_, c| c.exp + leeway > now);
                if verified.len() >= VERIFIED_CAPACITY {
                    verified.clear();
                }
            }
            verified.insert(token.to_owned(), claims.clone());
        }
        Ok(claims)
    }

    fn verify_signature(&self, token: &str) -> Result<Claims, ApiError> {
        use jsonwebtoken::errors::ErrorKind;
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::InvalidAudience => "the token is not meant for this service",
                    ErrorKind::InvalidIssuer => "the token was issued by an unknown issuer",
                    ErrorKind::InvalidSignature => "the token's signature is not valid",
                    ErrorKind::InvalidAlgorithm => "the token is not signed with EdDSA",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is not valid",
                };
                ApiError::Unauthorized(why.to_owned())
            })
    }
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

fn authenticate(req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let verifier = req
        .app_data::<web::Data<JwtVerifier>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no JwtVerifier registered")))?;
    let claims = verifier.verify(token)?;
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
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|caller| {
            caller.ok_or_else(|| ApiError::Unauthorized("a bearer token is required".to_owned()))
        }))
    }
}

/// Anonymous access where the data is public: `Option<Caller>` is `None` without a token, but a
/// token that is present and invalid is still refused with 401.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(MaybeCaller))
    }
}
