//! RFC 9457 problem details: the one error shape of every APQ API.
//!
//! Handlers return `Result<_, ApiError>`. Client errors say what is wrong (and for validation,
//! which field); server errors say only that something failed and carry the request id, while
//! the cause goes to the log.

use std::fmt;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "type": "https://apq.regione.toscana.it/problems/validation",
    "title": "The request is not valid",
    "status": 400,
    "detail": "1 field is not valid",
    "errors": [{"field": "cup", "message": "a CUP has 15 characters, this one has 7"}],
    "request_id": "0b5cbb5f-6f3b-4f6b-9d0c-6a3b7a6a2e4c"
}))]
pub struct Problem {
    /// A URI that identifies the problem type.
    #[serde(rename = "type")]
    #[schema(format = "uri", max_length = 200)]
    pub problem_type: String,
    /// A short summary of the problem type.
    #[schema(max_length = 200)]
    pub title: String,
    /// The HTTP status code.
    #[schema(format = Int32, minimum = 100, maximum = 599)]
    pub status: u16,
    /// What happened in this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub detail: Option<String>,
    /// The fields that failed validation, one entry each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 100)]
    pub errors: Vec<FieldError>,
    /// The id of the request, to quote when asking for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub request_id: Option<String>,
}

/// One invalid field: where it is (a dotted path into the body, or a query or path parameter) and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    #[schema(max_length = 200)]
    pub field: String,
    #[schema(max_length = 1000)]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

const TYPE_BASE: &str = "https://apq.regione.toscana.it/problems/";

/// Every error an APQ handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed input: the body, a query or path parameter could not be parsed.
    #[error("the request is malformed: {detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed input that fails validation; each field is listed.
    #[error("{} field(s) are not valid", errors.len())]
    Validation { errors: Vec<FieldError> },
    /// Well-formed input that breaks a business rule (e.g. co-financing above the cap).
    #[error("{detail}")]
    Unprocessable {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("authentication is required: {0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The `If-Match` precondition failed: somebody else changed the resource. The answer
    /// carries the current `ETag`, so that a client can read again what changed and retry.
    #[error("{detail}")]
    PreconditionFailed { detail: String, current: i64 },
    /// An update without `If-Match` where one is required.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The path exists, the method does not; `allow` lists the methods it has.
    #[error("{method} is not allowed here; the allowed methods are {}", allow.join(", "))]
    MethodNotAllowed { method: String, allow: Vec<String> },
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("too many requests")]
    TooManyRequests { retry_after: Duration },
    /// A dependency (the database, a peer service) is unavailable: try again later.
    #[error("{what} is unavailable")]
    Unavailable { what: String, retry_after: Duration },
    /// Anything else: logged with its cause, reported without it.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::Validation { errors }
    }

    /// `Ok` when nothing was found wrong, else a 422 naming every field in `errors`.
    pub fn unless_any(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::validation(errors))
        }
    }

    /// One problem naming the field of every refusal (`field` says which: the aggregate error's
    /// own `field`).
    pub fn naming_each<E, F>(errors: impl IntoIterator<Item = E>, field: impl Fn(&E) -> F) -> Self
    where
        E: fmt::Display,
        F: Into<String>,
    {
        let fields = errors.into_iter().map(|e| FieldError::new(field(&e), e));
        Self::validation(fields.collect())
    }

    /// `Ok` when the rules refused nothing, else [`ApiError::naming_each`].
    pub fn refuse_any<E, F>(
        errors: impl IntoIterator<Item = E>,
        field: impl Fn(&E) -> F,
    ) -> Result<(), Self>
    where
        E: fmt::Display,
        F: Into<String>,
    {
        let mut errors = errors.into_iter().peekable();
        match errors.peek() {
            None => Ok(()),
            Some(_) => Err(Self::naming_each(errors, field)),
        }
    }

    /// The problem for refusals of which some may name no field: the first such stands alone
    /// (its own problem), else one problem naming every field.
    pub fn first_or_naming_each<E, F>(
        errors: impl IntoIterator<Item = E>,
        field: impl Fn(&E) -> Option<F>,
    ) -> Self
    where
        E: fmt::Display + Into<Self>,
        F: Into<String>,
    {
        let mut fields = Vec::new();
        for error in errors {
            match field(&error) {
                Some(name) => fields.push(FieldError::new(name, error)),
                None => return error.into(),
            }
        }
        Self::validation(fields)
    }

    /// `Ok` when the rules refused nothing, else [`ApiError::first_or_naming_each`].
    pub fn refuse_any_or_first<E, F>(
        errors: impl IntoIterator<Item = E>,
        field: impl Fn(&E) -> Option<F>,
    ) -> Result<(), Self>
    where
        E: fmt::Display + Into<Self>,
        F: Into<String>,
    {
        let mut errors = errors.into_iter().peekable();
        match errors.peek() {
            None => Ok(()),
            Some(_) => Err(Self::first_or_naming_each(errors, field)),
        }
    }

    pub fn field(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self::Validation {
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::Unprocessable {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn unavailable(what: impl Into<String>) -> Self {
        Self::Unavailable {
            what: what.into(),
            retry_after: Duration::from_secs(5),
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest { .. } => ("bad-request", "The request is malformed"),
            Self::Validation { .. } => ("validation", "The request is not valid"),
            Self::Unprocessable { .. } => (
                "business-rule",
                "The request breaks a rule of the programme",
            ),
            Self::Unauthorized(_) => ("unauthorized", "Authentication is required"),
            Self::Forbidden(_) => ("forbidden", "The caller may not do this"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::Conflict(_) => ("conflict", "Conflict with the current state"),
            Self::PreconditionFailed { .. } => ("precondition-failed", "The resource has changed"),
            Self::PreconditionRequired(_) => ("precondition-required", "If-Match is required"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "The request body is too large"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::Unavailable { .. } => ("unavailable", "Service temporarily unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The problem document for this error (without the request id, which is added when sent).
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let (detail, errors) = match self {
            Self::BadRequest { detail, errors } | Self::Unprocessable { detail, errors } => {
                (Some(detail.clone()), errors.clone())
            }
            Self::Validation { errors } => {
                let n = errors.len();
                let detail = if n == 1 {
                    errors
                        .first()
                        .map(|e| format!("{}: {}", e.field, e.message))
                } else {
                    Some(format!("{n} fields are not valid"))
                };
                (detail, errors.clone())
            }
            Self::Internal(_) => (
                Some("The request could not be completed; quote the request id when asking for support.".to_owned()),
                Vec::new(),
            ),
            other => (Some(other.to_string()), Vec::new()),
        };
        Problem {
            problem_type: format!("{TYPE_BASE}{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors,
            request_id: None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::Validation { .. } => StatusCode::BAD_REQUEST,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut problem = self.problem();
        problem.request_id = request_id::current();
        match self {
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, request_id = ?problem.request_id, "internal error");
            }
            Self::Unavailable { what, .. } => {
                tracing::warn!(dependency = %what, request_id = ?problem.request_id, "dependency unavailable");
            }
            other => tracing::info!(status = problem.status, error = %other, "request refused"),
        }
        let mut response = problem_response(&problem);
        let retry_after = match self {
            Self::TooManyRequests { retry_after } | Self::Unavailable { retry_after, .. } => {
                Some(retry_after.as_secs().max(1))
            }
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Self::MethodNotAllowed { allow, .. } = self
            && let Ok(value) = HeaderValue::from_str(&allow.join(", "))
        {
            response.headers_mut().insert(header::ALLOW, value);
        }
        if let Self::PreconditionFailed { current, .. } = self
            && let Ok(value) = HeaderValue::from_str(&crate::concurrency::etag(*current))
        {
            response.headers_mut().insert(header::ETAG, value);
        }
        if let Self::Unauthorized(_) = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"apq\""),
            );
        }
        response
    }
}

/// Serializes a problem as an `application/problem+json` response.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(problem)
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
        use crate::db::DbError;
        match error {
            DbError::Unavailable(_) => Self::unavailable("the database"),
            DbError::Query(diesel::result::Error::NotFound) => {
                Self::NotFound("the resource".to_owned())
            }
            DbError::Query(diesel::result::Error::DatabaseError(kind, info)) => {
                use diesel::result::DatabaseErrorKind as K;
                match kind {
                    K::UniqueViolation => Self::Conflict(
                        "a resource with the same identifying fields already exists".to_owned(),
                    ),
                    K::SerializationFailure => Self::Conflict(
                        "the resource was changed concurrently; retry the request".to_owned(),
                    ),
                    // A CHECK constraint caught what no rule of the code did: refused, not a 500.
                    K::CheckViolation => {
                        tracing::warn!(constraint = ?info.constraint_name(), "check constraint violated");
                        Self::Unprocessable {
                            detail: "a value is outside what the register accepts".to_owned(),
                            errors: Vec::new(),
                        }
                    }
                    K::ForeignKeyViolation => Self::Unprocessable {
                        detail: "the request refers to a resource that does not exist".to_owned(),
                        errors: Vec::new(),
                    },
                    K::ClosedConnection => Self::unavailable("the database"),
                    // Two writers waited on each other; PostgreSQL rolled this one back.
                    _ if info.message().contains("deadlock detected") => Self::Conflict(
                        "the resource was changed concurrently; retry the request".to_owned(),
                    ),
                    // Operator intervention: the server is shutting down or restarting.
                    _ if info.message().contains("terminating connection")
                        || info.message().contains("shutting down") =>
                    {
                        Self::unavailable("the database")
                    }
                    _ => Self::Internal(anyhow::anyhow!(
                        "database error {kind:?}: {}",
                        info.message()
                    )),
                }
            }
            other => Self::Internal(other.into()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        crate::db::DbError::Query(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's refusal: `Field` names an input field, `Alone` none.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Refusal {
        Field(&'static str),
        Alone,
    }

    impl fmt::Display for Refusal {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "refused {self:?}")
        }
    }

    impl From<Refusal> for ApiError {
        fn from(refusal: Refusal) -> Self {
            ApiError::Conflict(refusal.to_string())
        }
    }

    fn fields(result: Result<(), ApiError>) -> Option<Vec<String>> {
        match result {
            Err(ApiError::Validation { errors }) => {
                Some(errors.into_iter().map(|e| e.field).collect())
            }
            Err(other) => Some(vec![format!("alone: {other}")]),
            Ok(()) => None,
        }
    }

    #[test]
    fn refusals_name_every_field_or_the_first_that_names_none_stands_alone() {
        use Refusal::{Alone, Field};
        let named = |r: &Refusal| match r {
            Field(name) => Some(*name),
            Alone => None,
        };
        let always = |r: &Refusal| named(r).unwrap_or("none");
        // (the refusals, the fields refuse_any names, what refuse_any_or_first answers)
        type Case = (
            Vec<Refusal>,
            Option<Vec<&'static str>>,
            Option<Vec<&'static str>>,
        );
        let cases: [Case; 4] = [
            (vec![], None, None),
            (
                vec![Field("a"), Field("b")],
                Some(vec!["a", "b"]),
                Some(vec!["a", "b"]),
            ),
            (
                vec![Field("a"), Alone, Field("b")],
                Some(vec!["a", "none", "b"]),
                Some(vec!["alone: refused Alone"]),
            ),
            (
                vec![Alone, Alone],
                Some(vec!["none", "none"]),
                Some(vec!["alone: refused Alone"]),
            ),
        ];
        for (errors, each, or_first) in cases {
            let owned =
                |v: Option<Vec<&str>>| v.map(|v| v.into_iter().map(str::to_owned).collect());
            assert_eq!(
                fields(ApiError::refuse_any(errors.clone(), always)),
                owned(each),
                "{errors:?}"
            );
            assert_eq!(
                fields(ApiError::refuse_any_or_first(errors.clone(), named)),
                owned(or_first),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let error = ApiError::internal(anyhow::anyhow!("password=secret at db.rs:12"));
        let problem = error.problem();
        assert_eq!(problem.status, 500);
        let body = serde_json::to_string(&problem).unwrap_or_default();
        assert!(!body.contains("secret"), "{body}");
    }

    #[test]
    fn a_single_field_error_names_the_field_in_the_detail() {
        let problem = ApiError::field("cup", "a CUP has 15 characters, this one has 7").problem();
        assert_eq!(problem.status, 400);
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(
            problem.detail.as_deref(),
            Some("cup: a CUP has 15 characters, this one has 7")
        );
    }
}
