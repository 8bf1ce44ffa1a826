//! Issued reports are frozen: issuing a semester's Rapporto (the soggetto responsabile) keeps the
//! data it was made from, as the exact JSON text that was hashed, with the HTML and the PDF/A and
//! the SHA-256 of each. A correction is a new version; every version stays readable, and can be
//! typeset again from its data to show it gives the same bytes.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::{Role, Semester};
use apq_platform::ApiError;
use apq_platform::auth::Caller;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::data::{ReportData, gather};
use super::view::Issue;
use super::{DocFormat, FormatQuery, SemesterPath, render, respond};
use crate::eligibility::peers;
use crate::peers::{Adhesion, Agreements, Catalogue};
use crate::schema::report_issues;

const ISSUERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

mod queries;
mod rules;

use queries::Frozen;
pub use rules::{IssueError, sha256};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    /// The date printed on the report (default: today). Not after today.
    pub issued_on: Option<NaiveDate>,
    /// Why a new version corrects the earlier one; required from the second version on.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// An issued version of a semester's Rapporto.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = report_issues)]
pub struct IssuedReport {
    pub id: Uuid,
    pub semester: String,
    #[schema(format = Int32)]
    pub version: i32,
    pub issued_on: NaiveDate,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    pub reason: Option<String>,
    /// SHA-256 (hex) of the frozen data, of the HTML and of the PDF/A.
    pub data_sha256: String,
    pub html_sha256: String,
    pub pdf_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedList {
    pub items: Vec<IssuedReport>,
}

impl IssuedReport {
    /// A new version of the semester's report, with the hashes of what it froze.
    fn new(
        semester: Semester,
        version: i32,
        issued_on: NaiveDate,
        issued_by: &str,
        reason: Option<&str>,
        frozen: &Frozen,
    ) -> Self {
        Self {
            id: Uuid::new_v4(),
            semester: semester.to_string(),
            version,
            issued_on,
            issued_at: Utc::now(),
            issued_by: issued_by.to_owned(),
            reason: rules::reason(reason),
            data_sha256: sha256(frozen.data.as_bytes()),
            html_sha256: sha256(frozen.html.as_bytes()),
            pdf_sha256: sha256(&frozen.pdf),
        }
    }

    /// Where the version is read.
    fn location(&self) -> String {
        format!("/v1/reports/{}/issues/{}", self.semester, self.version)
    }
}

/// Issues the semester's Rapporto (soggetto responsabile, admin): reads the data now, typesets
/// the HTML and the PDF/A, and keeps all three with their SHA-256. Issuing again is a correction:
/// a new version, with its reason; the earlier stays readable.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2")),
    request_body = NewIssue,
    responses(
        (status = 201, description = "Issued", body = IssuedReport,
         headers(("Location" = String, description = "The issued version"))),
        (status = 409, description = "Another version was issued at the same time", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reports/{semester}/issues")]
pub async fn issue(
    caller: Caller,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    catalogue: web::Data<Catalogue>,
    path: Path<SemesterPath>,
    body: Json<NewIssue>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(ISSUERS)?;
    let semester = path.semester;
    let body = body.into_inner();
    let key = semester.to_string();
    let existing = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::latest_version(conn, &key)?)
    })
    .await?;
    let today = Utc::now().date_naive();
    let reason = body.reason.as_deref();
    let on = rules::check_new_issue(body.issued_on, reason, today, semester, existing)
        .map_err(|errors| ApiError::naming_each(errors, IssueError::field))?;
    let peers = peers(&agreements, &adhesion, &catalogue);
    let data = gather(&pool, peers, semester, on).await?;
    let version = existing + 1;
    let rendered = render(&data, Issue::Issued { version, on }, true).await?;
    let frozen = Frozen::new(&data, rendered)?;
    let issued = IssuedReport::new(semester, version, on, caller.subject(), reason, &frozen);
    let issued = run_tx(&pool, move |conn| {
        queries::insert(conn, &issued, &frozen, existing).map(|()| issued)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, issued.location()))
        .json(issued))
}

/// The issued versions of a semester's Rapporto, oldest first. Public.
#[utoipa::path(
    tag = "reports",
    params(("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2")),
    responses((status = 200, description = "The issued versions", body = IssuedList))
)]
#[get("/reports/{semester}/issues")]
pub async fn list_issues(
    pool: web::Data<PgPool>,
    path: Path<SemesterPath>,
) -> Result<HttpResponse, ApiError> {
    let key = path.semester.to_string();
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::versions(conn, &key)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IssuedList { items }))
}

#[derive(Debug, Deserialize)]
pub struct VersionPath {
    pub semester: Semester,
    pub version: i32,
}

async fn load_one(
    pool: &PgPool,
    semester: Semester,
    version: i32,
) -> Result<(IssuedReport, Frozen), ApiError> {
    let key = semester.to_string();
    run_db(pool, move |conn| queries::one(conn, &key, version)).await
}

/// One issued version of a semester's Rapporto, with its hashes. Public.
#[utoipa::path(
    tag = "reports",
    params(
        ("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2"),
        ("version" = i32, Path, description = "The version, from 1"),
    ),
    responses((status = 200, description = "The issued version", body = IssuedReport))
)]
#[get("/reports/{semester}/issues/{version}")]
pub async fn get_issue(
    pool: web::Data<PgPool>,
    path: Path<VersionPath>,
) -> Result<HttpResponse, ApiError> {
    let (issued, ..) = load_one(&pool, path.semester, path.version).await?;
    Ok(HttpResponse::Ok().json(issued))
}

/// The document of an issued version, exactly as issued: HTML, or PDF/A-2b with
/// `Accept: application/pdf` or `?format=pdf`. The ETag is the document's SHA-256. Public.
#[utoipa::path(
    tag = "reports",
    params(
        ("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2"),
        ("version" = i32, Path, description = "The version, from 1"),
        FormatQuery,
    ),
    responses((status = 200, description = "The issued document",
               content((String = "text/html"), (super::PdfDocument = "application/pdf")),
               headers(("ETag" = String, description = "The document's SHA-256"))))
)]
#[get("/reports/{semester}/issues/{version}/document")]
pub async fn issue_document(
    pool: web::Data<PgPool>,
    path: Path<VersionPath>,
    query: Query<FormatQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let format = query.negotiate(&req);
    let (issued, Frozen { html, pdf, .. }) = load_one(&pool, path.semester, path.version).await?;
    let etag = match format {
        DocFormat::Pdf => &issued.pdf_sha256,
        DocFormat::Html => &issued.html_sha256,
    };
    let mut response = respond(
        format,
        html,
        Some(pdf),
        &format!("rapporto-{}-v{}", issued.semester, issued.version),
    );
    if let Ok(value) = header::HeaderValue::from_str(&format!("\"{etag}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

/// Typesetting an issued version again from its frozen data, against what was issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = ReportVerification)]
pub struct Verification {
    pub semester: String,
    #[schema(format = Int32)]
    pub version: i32,
    /// The frozen data still hash to what was recorded.
    pub data_intact: bool,
    pub html_sha256: String,
    pub pdf_sha256: String,
    /// Typesetting the frozen data again gives the same HTML and PDF bytes.
    pub identical: bool,
}

/// Typesets an issued version again from the data it was frozen with and compares the hashes
/// with those recorded at issue. Public.
#[utoipa::path(
    tag = "reports",
    params(
        ("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2"),
        ("version" = i32, Path, description = "The version, from 1"),
    ),
    responses((status = 200, description = "The comparison", body = Verification))
)]
#[get("/reports/{semester}/issues/{version}/verification")]
pub async fn verify_issue(
    pool: web::Data<PgPool>,
    path: Path<VersionPath>,
) -> Result<HttpResponse, ApiError> {
    let (
        issued,
        Frozen {
            data: data_text, ..
        },
    ) = load_one(&pool, path.semester, path.version).await?;
    let data: ReportData = serde_json::from_str(&data_text).map_err(ApiError::internal)?;
    let rendered = render(
        &data,
        Issue::Issued {
            version: issued.version,
            on: issued.issued_on,
        },
        true,
    )
    .await?;
    let html_sha256 = sha256(rendered.html.as_bytes());
    let pdf_sha256 = rendered.pdf.as_deref().map(sha256).unwrap_or_default();
    Ok(HttpResponse::Ok().json(Verification {
        data_intact: sha256(data_text.as_bytes()) == issued.data_sha256,
        identical: html_sha256 == issued.html_sha256 && pdf_sha256 == issued.pdf_sha256,
        semester: issued.semester,
        version: issued.version,
        html_sha256,
        pdf_sha256,
    }))
}
