//! The Rapporto di monitoraggio of a semester (art. 7): general progress, programmatic context,
//! per-intervento analysis with observations and critical issues. The data are read from
//! monitoring and, over HTTP, from agreements and adhesion (`data`); pure functions turn them into
//! the Italian text (`view`, `format`) and the charts (`charts`); askama lays out the HTML and
//! typst the PDF/A-2b (`pdf`). An issued report is frozen with its data and hashes (`issued`).

mod charts;
pub mod data;
pub mod format;
mod issued;
mod pdf;
mod view;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::db::PgPool;
use apq_platform::extract::{Path, Query};
use askama::Template;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::eligibility::peers;
use crate::peers::{Adhesion, Agreements, Catalogue};
use data::ReportData;
pub use issued::{get_issue, issue, issue_document, list_issues, verify_issue};
use view::{Issue, View};

/// The HTML document, laid out by askama from the view.
#[derive(Template)]
#[template(path = "rapporto.html")]
struct Html<'a> {
    v: &'a View,
    charts: &'a [String],
}

/// The report as JSON: its Italian text, section by section, and the data it was made from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub view: View,
    /// What the report was made from (monitoring's records and the peers' answers).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// A PDF/A-2b document, as bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(
    dead_code,
    reason = "a schema only: the PDF's bytes are served as they are"
)]
pub struct PdfDocument(Vec<u8>);

/// The formats of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocFormat {
    Html,
    Pdf,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `html` or `pdf`; without it the Accept header decides (HTML unless it asks for
    /// `application/pdf`).
    #[param(inline)]
    pub format: Option<DocFormat>,
}

/// The format asked for: the `format` parameter, else `Accept: application/pdf`, else HTML.
pub fn negotiate(query: Option<DocFormat>, accept: Option<&str>) -> DocFormat {
    if let Some(format) = query {
        return format;
    }
    let accept = accept.unwrap_or_default().to_ascii_lowercase();
    let wants = |mime: &str| {
        accept.split(',').find_map(|part| {
            let mut pieces = part.split(';');
            let kind = pieces.next().unwrap_or_default().trim();
            (kind == mime).then(|| {
                pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0)
            })
        })
    };
    match (wants("application/pdf"), wants("text/html")) {
        (Some(pdf), Some(html)) if pdf > html => DocFormat::Pdf,
        (Some(pdf), None) if pdf > 0.0 => DocFormat::Pdf,
        _ => DocFormat::Html,
    }
}

impl FormatQuery {
    /// The format this request asks for (the parameter, else its `Accept` header).
    pub fn negotiate(&self, req: &HttpRequest) -> DocFormat {
        negotiate(
            self.format,
            req.headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok()),
        )
    }
}

/// A rendered document.
pub struct Rendered {
    pub html: String,
    pub pdf: Option<Vec<u8>>,
}

fn html(view: &View, charts: &[String]) -> Result<String, ApiError> {
    Html { v: view, charts }
        .render()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("the report's HTML: {e}")))
}

/// Renders the data as HTML and, if asked, PDF/A (typesetting runs off the async workers).
pub async fn render(data: &ReportData, stage: Issue, with_pdf: bool) -> Result<Rendered, ApiError> {
    let view = view::view(data, stage);
    let charts = charts::all(data)?;
    let html = html(&view, &charts)?;
    let on = match stage {
        Issue::Draft => data.generated_at.date_naive(),
        Issue::Issued { on, .. } => on,
    };
    let pdf = if with_pdf {
        Some(
            web::block(move || pdf::render(&view, &charts, on))
                .await
                .map_err(ApiError::internal)??,
        )
    } else {
        None
    };
    Ok(Rendered { html, pdf })
}

#[derive(Debug, Deserialize)]
pub struct SemesterPath {
    pub semester: Semester,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The Rapporto di monitoraggio of a semester as it would be issued now (a draft), as JSON: the
/// Italian text section by section and the data it is made from. Public. A peer service that
/// cannot be read gives 503 naming it.
#[utoipa::path(
    tag = "reports",
    params(("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2")),
    responses((status = 200, description = "The report", body = Report))
)]
#[get("/reports/{semester}")]
pub async fn json(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    catalogue: web::Data<Catalogue>,
    path: Path<SemesterPath>,
) -> Result<HttpResponse, ApiError> {
    let data = data::gather(
        &pool,
        peers(&agreements, &adhesion, &catalogue),
        path.semester,
        today(),
    )
    .await?;
    let view = view::view(&data, Issue::Draft);
    Ok(HttpResponse::Ok().json(Report {
        view,
        data: serde_json::to_value(&data).map_err(ApiError::internal)?,
    }))
}

pub fn respond(format: DocFormat, html: String, pdf: Option<Vec<u8>>, name: &str) -> HttpResponse {
    match (format, pdf) {
        (DocFormat::Pdf, Some(pdf)) => HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.pdf\""),
            ))
            .insert_header((header::VARY, "Accept"))
            .body(pdf),
        _ => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::VARY, "Accept"))
            .body(html),
    }
}

/// The Rapporto di monitoraggio of a semester as a document, as it would be issued now (a
/// draft): HTML with charts and a print stylesheet, or PDF/A-2b with embedded fonts
/// (`Accept: application/pdf` or `?format=pdf`). Public.
#[utoipa::path(
    tag = "reports",
    params(("semester" = apq_domain::Semester, Path, description = "A semester, e.g. 2009-S2"), FormatQuery),
    responses((status = 200, description = "The report",
               content((String = "text/html"), (PdfDocument = "application/pdf"))))
)]
#[get("/reports/{semester}/document")]
pub async fn document(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    catalogue: web::Data<Catalogue>,
    path: Path<SemesterPath>,
    query: Query<FormatQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let format = query.negotiate(&req);
    let data = data::gather(
        &pool,
        peers(&agreements, &adhesion, &catalogue),
        path.semester,
        today(),
    )
    .await?;
    let rendered = render(&data, Issue::Draft, format == DocFormat::Pdf).await?;
    Ok(respond(
        format,
        rendered.html,
        rendered.pdf,
        &format!("rapporto-{}-bozza", path.semester),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_negotiated() {
        for (query, accept, expected) in [
            (None, None, DocFormat::Html),
            (None, Some("text/html"), DocFormat::Html),
            (None, Some("application/pdf"), DocFormat::Pdf),
            (
                None,
                Some("application/pdf, text/html;q=0.5"),
                DocFormat::Pdf,
            ),
            (
                None,
                Some("text/html, application/pdf;q=0.5"),
                DocFormat::Html,
            ),
            (None, Some("*/*"), DocFormat::Html),
            (None, Some("application/pdf;q=0"), DocFormat::Html),
            (Some(DocFormat::Pdf), Some("text/html"), DocFormat::Pdf),
            (
                Some(DocFormat::Html),
                Some("application/pdf"),
                DocFormat::Html,
            ),
        ] {
            assert_eq!(negotiate(query, accept), expected, "{query:?} {accept:?}");
        }
    }
}
