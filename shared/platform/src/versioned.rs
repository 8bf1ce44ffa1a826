//! The one write path for versioned resources.
//!
//! Every mutable resource is an aggregate with a root row that carries its `version` (the ETag
//! is `"<version>"`). A change goes through [`update`], which in one transaction
//! 1. locks the root row (`SELECT ... FOR UPDATE`), so concurrent writers of one aggregate queue
//!    behind each other instead of both reading the same version;
//! 2. compares the stored version with the client's [`IfMatch`] (412 when it moved);
//! 3. applies the change (children included: an aggregate's children are written only under its
//!    root's lock);
//! 4. bumps the version on the root;
//! 5. records the audit entry with the aggregate before and after;
//!
//! and returns the aggregate as it now is, whose [`Versioned::version`] is the new ETag. A new
//! aggregate goes through [`create`] (audited with no "before"). Implementing [`Versioned`] for
//! an aggregate is the whole of what a service writes to get both.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use diesel::prelude::*;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use crate::audit::{self, Change};
use crate::concurrency::etag;
use crate::problem::ApiError;

/// The version a client read, from its `If-Match` header: a missing header is a 428, one that
/// holds no ETag of ours a 400 naming the header, a stale one (see [`IfMatch::check`]) a 412. In a handler's `params(...)` it documents the header, and the
/// platform then documents the 412 and 428 problems of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub i64);

impl IfMatch {
    pub fn parse(req: &HttpRequest) -> Result<Self, ApiError> {
        let value = req.headers().get(header::IF_MATCH).ok_or_else(|| {
            ApiError::PreconditionRequired("send If-Match with the ETag you read".to_owned())
        })?;
        value
            .to_str()
            .ok()
            .map(|v| v.trim())
            .map(|v| v.strip_prefix("W/").unwrap_or(v))
            .and_then(|v| v.strip_prefix('"')?.strip_suffix('"'))
            .filter(|v| !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<i64>().ok())
            .map(IfMatch)
            .ok_or_else(|| {
                ApiError::field(
                    "If-Match",
                    "If-Match holds the ETag read, a number in quotes such as \"3\"",
                )
            })
    }

    /// Refuses with 412 unless `current` is the version the client read.
    pub fn check(self, current: i64) -> Result<(), ApiError> {
        if self.0 == current {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed {
                detail: format!(
                    "the resource has changed since you read it (your ETag {}, current {}); read it again",
                    etag(self.0),
                    etag(current)
                ),
                current,
            })
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req))
    }
}

impl utoipa::IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(
                    "The ETag of the version being changed, as read (a stale one gets 412, none 428, a malformed one 400)",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(r#"^(W/)?"[0-9]{1,18}"$"#))
                        .max_length(Some(22)),
                ))
                .build(),
        ]
    }
}

/// An aggregate whose root row carries a version.
pub trait Versioned: Sized {
    /// The entity's name in the audit trail (`intervento`, `adhesion`, ...).
    const ENTITY: &'static str;
    /// What identifies the aggregate (its id or number).
    type Key: ToString + Copy;

    /// Reads the aggregate with its root row locked `FOR UPDATE` for the rest of the transaction
    /// (404 when there is none).
    fn lock(conn: &mut PgConnection, key: &Self::Key) -> Result<Self, ApiError>;

    /// The stored version.
    fn version(&self) -> i64;

    /// Stores `version` (and the time of the change) on the root row.
    fn bump(conn: &mut PgConnection, key: &Self::Key, version: i64) -> QueryResult<usize>;

    /// What the audit trail keeps of the aggregate, before and after a change.
    fn audit_view(&self) -> Result<serde_json::Value, ApiError>;
}

/// The usual [`Versioned::bump`] of a root row with `version` and `updated_at` columns:
/// `bump_version!(atti_integrativi, conn, id, version)`.
#[macro_export]
macro_rules! bump_version {
    ($table:ident, $conn:expr, $key:expr, $version:expr) => {
        ::diesel::update($table::table.find($key))
            .set((
                $table::version.eq($version),
                $table::updated_at.eq(::diesel::dsl::now),
            ))
            .execute($conn)
    };
}

/// Who changes what, and why: the audit entry's words.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub reason: Option<&'a str>,
}

impl<'a> Edit<'a> {
    pub fn new(actor: &'a str, action: &'a str) -> Self {
        Self {
            actor,
            action,
            reason: None,
        }
    }

    pub fn because(self, reason: Option<&'a str>) -> Self {
        Self { reason, ..self }
    }
}

/// Changes the aggregate `key` if it is still at the version `expected`: lock, compare, apply,
/// bump, audit, in one transaction (a savepoint inside the caller's). `apply` sees the aggregate
/// as it was and writes the change; an error from it undoes everything. Returns the aggregate as
/// it is after the change.
pub fn update<R: Versioned>(
    conn: &mut PgConnection,
    key: R::Key,
    expected: IfMatch,
    edit: Edit<'_>,
    apply: impl FnOnce(&mut PgConnection, &R) -> Result<(), ApiError>,
) -> Result<R, ApiError> {
    write(conn, key, Some(expected), edit, apply)
}

/// Changes the aggregate `key` whatever version it is at: for an act that does not depend on
/// what a client read (a decision of the Tavolo, taken on the register as it stands). Lock,
/// apply, bump, audit, as [`update`] does.
pub fn act<R: Versioned>(
    conn: &mut PgConnection,
    key: R::Key,
    edit: Edit<'_>,
    apply: impl FnOnce(&mut PgConnection, &R) -> Result<(), ApiError>,
) -> Result<R, ApiError> {
    write(conn, key, None, edit, apply)
}

fn write<R: Versioned>(
    conn: &mut PgConnection,
    key: R::Key,
    expected: Option<IfMatch>,
    edit: Edit<'_>,
    apply: impl FnOnce(&mut PgConnection, &R) -> Result<(), ApiError>,
) -> Result<R, ApiError> {
    conn.transaction(|conn| {
        let before = R::lock(conn, &key)?;
        if let Some(expected) = expected {
            expected.check(before.version())?;
        }
        apply(conn, &before)?;
        R::bump(conn, &key, before.version() + 1)?;
        let after = R::lock(conn, &key)?;
        record_change::<R>(conn, key, edit, Some(&before), &after)?;
        Ok(after)
    })
}

/// Creates an aggregate: `insert` writes it (at its first version) and says its key; the new
/// aggregate is read back locked and audited, in one transaction.
pub fn create<R: Versioned>(
    conn: &mut PgConnection,
    edit: Edit<'_>,
    insert: impl FnOnce(&mut PgConnection) -> Result<R::Key, ApiError>,
) -> Result<R, ApiError> {
    conn.transaction(|conn| {
        let key = insert(conn)?;
        let created = R::lock(conn, &key)?;
        record_change::<R>(conn, key, edit, None, &created)?;
        Ok(created)
    })
}

/// The audit entry of a change of `key` from `before` (none for a creation) to `after`.
fn record_change<R: Versioned>(
    conn: &mut PgConnection,
    key: R::Key,
    edit: Edit<'_>,
    before: Option<&R>,
    after: &R,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Change {
            actor: edit.actor,
            entity: R::ENTITY,
            entity_id: key.to_string(),
            action: edit.action,
            reason: edit.reason,
            before: before.map(Versioned::audit_view).transpose()?,
            after: Some(after.audit_view()?),
        },
    )
}

/// The audit view of anything serialisable; a value that cannot be serialised is an error,
/// never a missing "before" or "after".
pub fn view_of<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_is_required_and_parsed() {
        let missing = TestRequest::default().to_http_request();
        assert!(matches!(
            IfMatch::parse(&missing),
            Err(ApiError::PreconditionRequired(_))
        ));
        for (header, expected) in [
            ("\"7\"", Some(7)),
            ("W/\"7\"", Some(7)),
            ("\"x\"", None),
            ("7", None),
            ("\"-7\"", None),
            ("\"\"", None),
        ] {
            let req = TestRequest::default()
                .insert_header((header::IF_MATCH, header))
                .to_http_request();
            assert_eq!(IfMatch::parse(&req).ok(), expected.map(IfMatch), "{header}");
        }
        let malformed = TestRequest::default()
            .insert_header((header::IF_MATCH, "aaaa"))
            .to_http_request();
        assert!(matches!(
            IfMatch::parse(&malformed),
            Err(ApiError::Validation { .. })
        ));
        assert!(IfMatch(7).check(7).is_ok());
        assert!(matches!(
            IfMatch(7).check(8),
            Err(ApiError::PreconditionFailed { current: 8, .. })
        ));
    }
}
