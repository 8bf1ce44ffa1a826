//! ETags: every mutable resource has a version and its ETag is `"<version>"`. Updates send it
//! back in `If-Match` ([`crate::versioned::IfMatch`]) and go through [`crate::versioned::update`].

use actix_web::http::header::{self, HeaderValue};

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
