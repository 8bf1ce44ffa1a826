//! The issued reports' queries: the latest version of a semester's, the versions, one version
//! with its frozen data and documents, and the insert of a new one with its audit.

use apq_platform::ApiError;
use apq_platform::audit::{self, Change};
use diesel::prelude::*;

use super::IssuedReport;
use crate::report::Rendered;
use crate::report::data::ReportData;
use crate::schema::report_issues;

/// What an issue freezes: the data as the exact JSON text that was hashed, the HTML, the PDF/A.
pub struct Frozen {
    pub data: String,
    pub html: String,
    pub pdf: Vec<u8>,
}

impl Frozen {
    /// What an issue of `data`, typeset as `rendered`, freezes.
    pub fn new(data: &ReportData, rendered: Rendered) -> Result<Self, ApiError> {
        let pdf = (rendered.pdf)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the PDF was not made")))?;
        Ok(Self {
            data: serde_json::to_string(data).map_err(ApiError::internal)?,
            html: rendered.html,
            pdf,
        })
    }
}

/// The latest version issued of a semester's report (0 when none).
pub fn latest_version(conn: &mut PgConnection, semester: &str) -> QueryResult<i32> {
    report_issues::table
        .filter(report_issues::semester.eq(semester))
        .select(diesel::dsl::max(report_issues::version))
        .first::<Option<i32>>(conn)
        .map(Option::unwrap_or_default)
}

/// The versions issued of a semester's report, oldest first.
pub fn versions(conn: &mut PgConnection, semester: &str) -> QueryResult<Vec<IssuedReport>> {
    report_issues::table
        .filter(report_issues::semester.eq(semester))
        .order(report_issues::version.asc())
        .select(IssuedReport::as_select())
        .load(conn)
}

/// One version, with what it froze; 404 when there is none.
pub fn one(
    conn: &mut PgConnection,
    semester: &str,
    version: i32,
) -> Result<(IssuedReport, Frozen), ApiError> {
    let (issued, data, html, pdf) = report_issues::table
        .filter(report_issues::semester.eq(semester))
        .filter(report_issues::version.eq(version))
        .select((
            IssuedReport::as_select(),
            report_issues::data,
            report_issues::html,
            report_issues::pdf,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("version {version} of the {semester} report")))?;
    Ok((issued, Frozen { data, html, pdf }))
}

/// Keeps a new version with what it froze, and audits it; a conflict (409) when the latest
/// version is no longer `existing` (another was issued meanwhile).
pub fn insert(
    conn: &mut PgConnection,
    issued: &IssuedReport,
    frozen: &Frozen,
    existing: i32,
) -> Result<(), ApiError> {
    if latest_version(conn, &issued.semester)? != existing {
        return Err(ApiError::Conflict(format!(
            "another version of the {} report was issued meanwhile",
            issued.semester
        )));
    }
    diesel::insert_into(report_issues::table)
        .values((
            report_issues::id.eq(issued.id),
            report_issues::semester.eq(&issued.semester),
            report_issues::version.eq(issued.version),
            report_issues::issued_on.eq(issued.issued_on),
            report_issues::issued_at.eq(issued.issued_at),
            report_issues::issued_by.eq(&issued.issued_by),
            report_issues::reason.eq(&issued.reason),
            report_issues::data.eq(&frozen.data),
            report_issues::data_sha256.eq(&issued.data_sha256),
            report_issues::html.eq(&frozen.html),
            report_issues::html_sha256.eq(&issued.html_sha256),
            report_issues::pdf.eq(&frozen.pdf),
            report_issues::pdf_sha256.eq(&issued.pdf_sha256),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Change {
            actor: &issued.issued_by,
            entity: "report",
            entity_id: format!("{}:{}", issued.semester, issued.version),
            action: "issue",
            reason: issued.reason.as_deref(),
            before: None,
            after: Some(apq_platform::versioned::view_of(issued)?),
        },
    )
}
