//! Optimistic concurrency: every mutable resource has a version; its ETag is `"<version>"`, an
//! update must send `If-Match` with the ETag it read, and a stale one gets 412.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderValue};

use crate::problem::ApiError;

/// The strong ETag of a resource version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

pub fn etag_header(version: i64) -> (header::HeaderName, HeaderValue) {
    (
        header::ETAG,
        HeaderValue::from_str(&etag(version)).unwrap_or(HeaderValue::from_static("\"0\"")),
    )
}

/// `200 OK` with a resource's representation and the ETag of its `version`: what a read or an
/// update of a versioned resource answers.
pub fn ok_with_etag<T: serde::Serialize>(version: i64, body: &T) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .insert_header(etag_header(version))
        .json(body)
}

/// The version the client expects, from `If-Match`; 428 when it is missing, 412 when unparsable.
pub fn required_version(req: &HttpRequest) -> Result<i64, ApiError> {
    let value = req.headers().get(header::IF_MATCH).ok_or_else(|| {
        ApiError::PreconditionRequired("send If-Match with the ETag you read".to_owned())
    })?;
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            ApiError::PreconditionFailed(
                "If-Match does not hold an ETag of this resource".to_owned(),
            )
        })
}

/// Refuses with 412 when the stored version is not the one the client read.
pub fn check_version(expected: i64, current: i64) -> Result<(), ApiError> {
    if expected == current {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(format!(
            "the resource has changed since you read it (your ETag {}, current {}); read it again",
            etag(expected),
            etag(current)
        )))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_is_required_and_parsed() {
        let missing = TestRequest::default().to_http_request();
        assert!(matches!(
            required_version(&missing),
            Err(ApiError::PreconditionRequired(_))
        ));
        let ok = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"7\""))
            .to_http_request();
        assert_eq!(required_version(&ok).ok(), Some(7));
        assert!(check_version(7, 8).is_err());
    }
}
