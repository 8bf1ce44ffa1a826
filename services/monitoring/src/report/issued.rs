//! Issued reports are frozen: issuing a semester's Rapporto (the soggetto responsabile) keeps the
//! data it was made from, as the exact JSON text that was hashed, with the HTML and the PDF/A and
//! the SHA-256 of each. A correction is a new version; every version stays readable, and can be
//! typeset again from its data to show it gives the same bytes.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::{Role, Semester};
use apq_platform::audit::{self, Change};
use apq_platform::auth::Caller;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::{ApiError, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::data::{ReportData, gather};
use super::view::Issue;
use super::{DocFormat, FormatQuery, SemesterPath, render, respond};
use crate::eligibility::peers;
use crate::peers::{Adhesion, Agreements, Catalogue};
use crate::schema::report_issues;

const ISSUERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

/// The hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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

/// Validates a new issue against the versions already issued (pure).
pub fn check_new_issue(
    body: &NewIssue,
    today: NaiveDate,
    semester: Semester,
    existing: i32,
) -> Result<NaiveDate, ApiError> {
    let on = body.issued_on.unwrap_or(today);
    let mut errors = Vec::new();
    if on > today {
        errors.push(FieldError::new(
            "issued_on",
            "a report cannot be issued in the future",
        ));
    }
    let ends = crate::deadlines::for_semester(semester).ends_on;
    if on <= ends {
        errors.push(FieldError::new(
            "issued_on",
            format!("the semester ends on {ends}: its report is issued after it"),
        ));
    }
    let reason = body.reason.as_deref().map(str::trim).unwrap_or_default();
    if existing > 0 && reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "a correction says why it replaces the earlier version",
        ));
    }
    if reason.chars().count() > 2000 {
        errors.push(FieldError::new("reason", "at most 2000 characters"));
    }
    if errors.is_empty() {
        Ok(on)
    } else {
        Err(ApiError::Validation { errors })
    }
}

fn latest_version(conn: &mut PgConnection, semester: &str) -> QueryResult<i32> {
    report_issues::table
        .filter(report_issues::semester.eq(semester))
        .select(diesel::dsl::max(report_issues::version))
        .first::<Option<i32>>(conn)
        .map(Option::unwrap_or_default)
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
    let key = semester.to_string();
    let body = body.into_inner();
    let today = Utc::now().date_naive();
    let existing = {
        let key = key.clone();
        run_db(&pool, move |conn| {
            Ok::<_, ApiError>(latest_version(conn, &key)?)
        })
        .await?
    };
    let on = check_new_issue(&body, today, semester, existing)?;
    let data = gather(
        &pool,
        peers(&agreements, &adhesion, &catalogue),
        semester,
        on,
    )
    .await?;
    let version = existing + 1;
    let rendered = render(&data, Issue::Issued { version, on }, true).await?;
    let pdf = rendered
        .pdf
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the PDF was not made")))?;
    let data_text = serde_json::to_string(&data).map_err(ApiError::internal)?;
    let issued = IssuedReport {
        id: Uuid::new_v4(),
        semester: key,
        version,
        issued_on: on,
        issued_at: Utc::now(),
        issued_by: caller.subject().to_owned(),
        reason: body
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        data_sha256: sha256(data_text.as_bytes()),
        html_sha256: sha256(rendered.html.as_bytes()),
        pdf_sha256: sha256(&pdf),
    };
    let stored = issued.clone();
    let html = rendered.html;
    run_tx(&pool, move |conn| {
        if latest_version(conn, &stored.semester)? != existing {
            return Err(ApiError::Conflict(format!(
                "another version of the {} report was issued meanwhile",
                stored.semester
            )));
        }
        diesel::insert_into(report_issues::table)
            .values((
                report_issues::id.eq(stored.id),
                report_issues::semester.eq(&stored.semester),
                report_issues::version.eq(stored.version),
                report_issues::issued_on.eq(stored.issued_on),
                report_issues::issued_at.eq(stored.issued_at),
                report_issues::issued_by.eq(&stored.issued_by),
                report_issues::reason.eq(&stored.reason),
                report_issues::data.eq(&data_text),
                report_issues::data_sha256.eq(&stored.data_sha256),
                report_issues::html.eq(&html),
                report_issues::html_sha256.eq(&stored.html_sha256),
                report_issues::pdf.eq(&pdf),
                report_issues::pdf_sha256.eq(&stored.pdf_sha256),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Change {
                actor: &stored.issued_by,
                entity: "report",
                entity_id: format!("{}:{}", stored.semester, stored.version),
                action: "issue",
                reason: stored.reason.as_deref(),
                before: None,
                after: Some(apq_platform::versioned::view_of(&stored)?),
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/reports/{}/issues/{}", issued.semester, issued.version),
        ))
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
        Ok::<_, ApiError>(
            report_issues::table
                .filter(report_issues::semester.eq(&key))
                .order(report_issues::version.asc())
                .select(IssuedReport::as_select())
                .load(conn)?,
        )
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
) -> Result<(IssuedReport, String, String, Vec<u8>), ApiError> {
    let key = semester.to_string();
    run_db(pool, move |conn| {
        report_issues::table
            .filter(report_issues::semester.eq(&key))
            .filter(report_issues::version.eq(version))
            .select((
                IssuedReport::as_select(),
                report_issues::data,
                report_issues::html,
                report_issues::pdf,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("version {version} of the {key} report")))
    })
    .await
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
    let (issued, _, html, pdf) = load_one(&pool, path.semester, path.version).await?;
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
    let (issued, data_text, ..) = load_one(&pool, path.semester, path.version).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn new_issues_are_checked() {
        let s = Semester::parse("2009-S2").unwrap_or_else(|_| panic!("semester"));
        let today = day(2010, 2, 20);
        let ok = |issued_on, reason: Option<&str>, existing| {
            check_new_issue(
                &NewIssue {
                    issued_on,
                    reason: reason.map(str::to_owned),
                },
                today,
                s,
                existing,
            )
        };
        assert_eq!(ok(None, None, 0).ok(), Some(today));
        assert_eq!(
            ok(Some(day(2010, 2, 1)), None, 0).ok(),
            Some(day(2010, 2, 1))
        );
        assert!(ok(Some(day(2010, 3, 1)), None, 0).is_err(), "in the future");
        assert!(
            ok(Some(day(2009, 12, 31)), None, 0).is_err(),
            "before the semester ends"
        );
        assert!(ok(None, None, 1).is_err(), "a correction needs a reason");
        assert!(ok(None, Some("  "), 1).is_err(), "a blank reason is none");
        assert!(ok(None, Some("importi corretti"), 1).is_ok());
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
