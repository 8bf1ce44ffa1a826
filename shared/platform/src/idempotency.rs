//! Safe retries of POSTs: a client sends `Idempotency-Key`; the first request with a key runs and
//! its response is stored in the same transaction as its effects; a retry with the same key and
//! the same body gets the stored response again, a retry with another body gets 422. A
//! concurrent duplicate waits on the key's row and then replays.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, LOCATION};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel::upsert::on_constraint;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use crate::db::{PgPool, run_db};
use crate::problem::ApiError;
use crate::schema::idempotency_keys;

pub const HEADER: &str = "idempotency-key";

/// The `Idempotency-Key` header, if sent (1-255 visible ASCII characters), with the request it
/// came with (method and route), so a key reused for another request is refused. In a handler's
/// `params(...)` it documents the header; the platform then documents the 422 problem.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: Option<String>,
    request: String,
}

impl IdempotencyKey {
    /// The key as sent, if any.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// A fingerprint of what was asked (method, route, body).
    pub fn fingerprint(&self, body: &impl Serialize) -> String {
        fingerprint(&self.request, body)
    }
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(HEADER) {
            None => Ok(None),
            Some(value) => match value.to_str() {
                Ok(key)
                    if !key.is_empty()
                        && key.len() <= 255
                        && key.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(Some(key.to_owned()))
                }
                _ => Err(ApiError::field(
                    "Idempotency-Key",
                    "an idempotency key is 1 to 255 visible ASCII characters",
                )),
            },
        };
        let request = format!("{} {}", req.method(), req.path());
        ready(parsed.map(|key| IdempotencyKey { key, request }))
    }
}

impl utoipa::IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes a retried request safe: the same key with the same body replays the first answer, with another body it gets 422",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some("^[!-~]{1,255}$"))
                        .min_length(Some(1))
                        .max_length(Some(255)),
                ))
                .build(),
        ]
    }
}

/// A response that can be stored and replayed.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: StatusCode,
    pub body: serde_json::Value,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl Stored {
    /// `201 Created` with `Location` and `ETag`.
    pub fn created<T: Serialize>(
        body: &T,
        location: String,
        etag: Option<String>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            status: StatusCode::CREATED,
            body: serde_json::to_value(body).map_err(ApiError::internal)?,
            location: Some(location),
            etag,
        })
    }

    pub fn ok<T: Serialize>(body: &T, etag: Option<String>) -> Result<Self, ApiError> {
        Ok(Self {
            status: StatusCode::OK,
            body: serde_json::to_value(body).map_err(ApiError::internal)?,
            location: None,
            etag,
        })
    }

    pub fn into_response(self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        if let Some(location) = self.location {
            builder.insert_header((LOCATION, location));
        }
        if let Some(etag) = self.etag {
            builder.insert_header((ETAG, etag));
        }
        builder.json(self.body)
    }
}

fn fingerprint(request: &str, body: &impl Serialize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(request.as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(body).unwrap_or_default());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs `work` once per (caller, key) inside one transaction, or replays its stored response.
/// Without a key, `work` simply runs in a transaction.
pub fn once(
    conn: &mut PgConnection,
    caller: &str,
    key: &IdempotencyKey,
    request_hash: &str,
    work: impl FnOnce(&mut PgConnection) -> Result<Stored, ApiError>,
) -> Result<Stored, ApiError> {
    conn.transaction(|conn| {
        let Some(key) = key.key() else {
            return work(conn);
        };
        // Claim the key; a concurrent request with the same key blocks here until we commit.
        let claimed = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::caller.eq(caller),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::status.eq(0_i16),
                idempotency_keys::body.eq(serde_json::Value::Null),
            ))
            .on_conflict(on_constraint("idempotency_keys_pkey"))
            .do_nothing()
            .execute(conn)?;
        if claimed == 0 {
            let (hash, status, body, location, etag): (
                String,
                i16,
                serde_json::Value,
                Option<String>,
                Option<String>,
            ) = idempotency_keys::table
                .find((caller, key))
                .select((
                    idempotency_keys::request_hash,
                    idempotency_keys::status,
                    idempotency_keys::body,
                    idempotency_keys::location,
                    idempotency_keys::etag,
                ))
                .first(conn)?;
            if hash != request_hash {
                return Err(ApiError::unprocessable(
                    "this Idempotency-Key was already used for a different request",
                ));
            }
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(500))
                .map_err(ApiError::internal)?;
            return Ok(Stored {
                status,
                body,
                location,
                etag,
            });
        }
        let stored = work(conn)?;
        diesel::update(idempotency_keys::table.find((caller, key)))
            .set((
                idempotency_keys::status.eq(i16::try_from(stored.status.as_u16()).unwrap_or(500)),
                idempotency_keys::body.eq(&stored.body),
                idempotency_keys::location.eq(&stored.location),
                idempotency_keys::etag.eq(&stored.etag),
            ))
            .execute(conn)?;
        Ok(stored)
    })
}

/// A POST's write, the shape every creating handler shares: `work` runs once per (caller, key) in
/// one transaction on the blocking pool, given the caller's subject and the body, and its stored
/// response is answered (or replayed, for a retry with the same key and body).
pub async fn respond_once<B, F>(
    pool: &PgPool,
    actor: &str,
    key: IdempotencyKey,
    body: B,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    B: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection, &str, B) -> Result<Stored, ApiError> + Send + 'static,
{
    let actor = actor.to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(pool, move |conn| {
        once(conn, &actor, &key, &hash, |conn| work(conn, &actor, body))
    })
    .await?;
    Ok(stored.into_response())
}
