//! The file's sources read a page at a time (monitoring's records, then the agreements
//! register for each project of the page, a few calls at once) and the preview endpoint. The
//! file itself is streamed: a page's records leave before the next page is read, so a national
//! file (ten thousand projects) is written in memory that does not grow with it.

use actix_web::{HttpRequest, HttpResponse, get, web};
use apq_domain::Semester;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Path, Query};
use apq_platform::{ApiError, FieldError};
use chrono::NaiveDate;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::Deserialize;
use utoipa::IntoParams;

use super::queries::{self, Own};
use super::{Assembly, Described, Live, amounts, assemble_with, output_indicators};
use crate::indicators::{self, Indicator};
use crate::peers::{Agreements, Atto};
use crate::puc::tables;

/// Projects read from the database per page.
pub const PAGE: i64 = 200;

/// Calls to the agreements register in flight at once while a page is read.
const CALLS_IN_FLIGHT: usize = 8;

/// Where a file's data come from, for the data of one day.
pub struct Source {
    pool: web::Data<PgPool>,
    agreements: Agreements,
    as_of: NaiveDate,
    atti: Vec<Atto>,
    indicators: Vec<Indicator>,
}

impl Source {
    /// The sources of `semester`'s file (its data are those of its last day).
    pub async fn open(
        pool: &web::Data<PgPool>,
        agreements: &Agreements,
        semester: Semester,
    ) -> Result<Self, ApiError> {
        let indicators = run_db(pool, indicators::load_all).await?;
        Ok(Source {
            atti: agreements.atti().await?,
            pool: pool.clone(),
            agreements: agreements.clone(),
            as_of: semester.last_day(),
            indicators,
        })
    }

    /// The projects after the COD_LOCALE_PROGETTO `after` (a page of [`PAGE`]), with what
    /// monitoring and the agreements register hold of each.
    pub async fn page(&self, after: Option<String>) -> Result<Vec<Live>, ApiError> {
        let as_of = self.as_of;
        let own = run_db(&self.pool, move |conn| {
            Ok::<_, ApiError>(queries::page(conn, as_of, after.as_deref(), PAGE)?)
        })
        .await?;
        stream::iter(own.into_iter().map(|own| self.live(own)))
            .buffered(CALLS_IN_FLIGHT)
            .try_collect()
            .await
    }

    /// One project with what the register holds of its intervento.
    async fn live(&self, own: Own) -> Result<Live, ApiError> {
        let code = own.project.intervento_code.as_str();
        let intervento = self.agreements.intervento(code).await?;
        let summary = self.agreements.financial_summary(intervento.id).await?;
        let strumento = self
            .atti
            .iter()
            .find(|a| a.id == intervento.atto_id)
            .and_then(|a| tables::strumento(a.number));
        Ok(Live {
            amounts: amounts(&summary),
            indicators: output_indicators(&self.indicators, code)?,
            transfers: self.agreements.paid_tranches(code).await?,
            strumento,
            intervento,
            movements: own.movements,
            phases: own.phases,
            soggetti: own.soggetti,
            cost_plan: own.cost_plan,
            economies: own.economies,
            project: own.project,
        })
    }
}

/// The page after `page`, or none when `page` was the last.
fn after(page: &[Live]) -> Option<Option<String>> {
    (page.len() as i64 == PAGE).then(|| page.last().map(|l| l.project.local_code.clone()))
}

/// Reads what the file of `semester` is made of, whole: the projects not cancelled by its end,
/// with their records in monitoring and in the agreements register.
pub async fn gather(
    pool: &web::Data<PgPool>,
    agreements: &Agreements,
    semester: Semester,
) -> Result<Vec<Live>, ApiError> {
    let source = Source::open(pool, agreements, semester).await?;
    let mut lives = source.page(None).await?;
    let mut next = after(&lives);
    while let Some(cursor) = next {
        let page = source.page(cursor).await?;
        next = after(&page);
        lives.extend(page);
    }
    Ok(lives)
}

/// The file of `semester`, streamed a page at a time. What cannot be read before the first byte
/// is sent (a peer down, the first page) is a problem as usual; a failure later cuts the answer
/// short, and a file without its `FF` trailer is not a file the national database reads.
async fn stream_file(
    pool: &web::Data<PgPool>,
    agreements: &Agreements,
    semester: Semester,
    previous: Vec<Described>,
) -> Result<HttpResponse, ApiError> {
    let source = Source::open(pool, agreements, semester).await?;
    let first = source.page(None).await?;
    let mut assembly = Assembly::new(semester.last_day(), &previous, false)?;
    let (parts, received) = tokio::sync::mpsc::channel::<Result<web::Bytes, ApiError>>(2);
    actix_web::rt::spawn(async move {
        let written = async {
            let mut page = first;
            loop {
                for live in &page {
                    assembly.add(live)?;
                }
                let next = after(&page);
                if parts.send(Ok(assembly.take().into())).await.is_err() {
                    return Ok(None); // the client went away
                }
                match next {
                    Some(cursor) => page = source.page(cursor).await?,
                    None => break,
                }
            }
            assembly.finish(&previous).map(|written| Some(written.rest))
        }
        .await;
        let last = match written {
            Ok(Some(rest)) => Ok(rest.into()),
            Ok(None) => return,
            Err(error) => Err(error),
        };
        let _ = parts.send(last).await;
    });
    let body = stream::unfold(received, |mut received| async move {
        received.recv().await.map(|part| (part, received))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .streaming(body))
}

#[derive(Debug, Deserialize)]
pub struct SemesterPath {
    pub semester: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileFormat {
    /// `file` for the file itself (as `Accept: text/plain`); JSON otherwise.
    #[param(pattern = "^(json|file)$")]
    pub format: Option<String>,
}

impl FileFormat {
    /// Whether the file itself is asked for, by `format` or else by the `Accept` header.
    fn wants_file(&self, request: &HttpRequest) -> Result<bool, ApiError> {
        match self.format.as_deref() {
            None => Ok(request
                .headers()
                .get("accept")
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.starts_with("text/plain"))),
            Some("file") => Ok(true),
            Some("json") => Ok(false),
            Some(_) => Err(ApiError::validation(vec![FieldError::new(
                "format",
                "json or file",
            )])),
        }
    }
}

/// The PUC file of the semester as it would be sent, with what each record is and the national
/// checks' findings (JSON), or the file itself, streamed (`?format=file` or `Accept:
/// text/plain`). Public.
#[utoipa::path(
    tag = "puc",
    params(("semester" = apq_domain::Semester, Path, description = "The semester, e.g. 2010-S1"), FileFormat),
    responses(
        (status = 200, description = "The preview", content(
            (super::Preview = "application/json"),
            (String = "text/plain"),
        )),
        (status = 503, description = "A peer service does not answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/puc/{semester}")]
pub async fn preview(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<SemesterPath>,
    query: Query<FileFormat>,
) -> Result<HttpResponse, ApiError> {
    let semester = Semester::parse(&path.semester).map_err(|e| ApiError::field("semester", e))?;
    let as_file = query.wants_file(&request)?;
    let previous = crate::transmissions::last_sent(&pool).await?;
    if as_file {
        return stream_file(&pool, &agreements, semester, previous).await;
    }
    let lives = gather(&pool, &agreements, semester).await?;
    Ok(HttpResponse::Ok().json(assemble_with(semester, &lives, &previous)?))
}
