//! The transmissions' endpoints: parse, authorise, call the rules and queries, answer. What the
//! rules refuse becomes a problem here, in one place (`From<TransmissionError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::versioned::IfMatch;
use apq_platform::{ApiError, Caller, FieldError};

use super::json::{
    ErrorFilter, ErrorList, IdPath, NewTransmission, Transmission, TransmissionDetail,
    TransmissionList,
};
use super::queries;
use super::rules::{MAX_LISTED, TransmissionError};
use crate::national::{self, Described};
use crate::peers::Agreements;
use crate::puc::response;

/// Who makes a transmission and uploads IGRUE's answer: the regional monitoring office
/// (`responsabile_accordo`), admin, and the sync job.
const SENDERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo, Role::Sync];

/// Who reads the transmissions and the errors IGRUE found.
const READERS: &[Role] = &[
    Role::Admin,
    Role::ResponsabileAccordo,
    Role::Auditor,
    Role::Sync,
];

impl From<TransmissionError> for ApiError {
    fn from(error: TransmissionError) -> Self {
        let detail = error.to_string();
        match error {
            // 422 listing the findings (the first MAX_LISTED).
            TransmissionError::Blocked { findings, .. } => ApiError::Unprocessable {
                detail,
                errors: (findings.into_iter().take(MAX_LISTED))
                    .map(|f| FieldError::new(f.field, f.message))
                    .collect(),
            },
            TransmissionError::AlreadyAnswered(_) => ApiError::Conflict(detail),
            // 422 naming the line that breaks the answer.
            TransmissionError::Malformed(malformed) => ApiError::Unprocessable {
                detail,
                errors: vec![FieldError::new(
                    format!("line {}", malformed.line),
                    malformed.reason,
                )],
            },
        }
    }
}

/// The records of the last transmission made, in the order sent, from the pool.
pub async fn last_sent(pool: &web::Data<PgPool>) -> Result<Vec<Described>, ApiError> {
    run_db(pool, queries::last_records).await
}

/// Makes the national transmission of a semester: the PUC file of the live data (as the preview
/// `GET /v1/puc/{semester}` shows it, tombstones included), stored with every record and who sent
/// it. Refused (422, listing them) while a blocking finding of the national checks stands.
/// `responsabile_accordo`, admin or the sync job; safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewTransmission,
    responses(
        (status = 201, description = "Made", body = Transmission, headers(("Location" = String, description = "The transmission"))),
        (status = 422, description = "A blocking finding of the national checks stands (each listed)", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "A peer service does not answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/puc/transmissions")]
pub async fn create_transmission(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    body: Json<NewTransmission>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(SENDERS)?;
    let body = body.into_inner();
    let lives = national::gather(&pool, &agreements, body.semester).await?;
    idempotency::respond_once(
        &pool,
        caller.subject(),
        key,
        body,
        move |conn, actor, body| {
            let made = queries::transmit(conn, actor, body.semester, &lives)?;
            Stored::created(
                &made,
                format!("/v1/puc/transmissions/{}", made.id),
                Some(etag(made.version)),
            )
        },
    )
    .await
}

/// The transmissions made, newest first: `responsabile_accordo`, admin, auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    responses((status = 200, description = "The transmissions", body = TransmissionList))
)]
#[get("/puc/transmissions")]
pub async fn list_transmissions(
    caller: Caller,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(queries::transmissions(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(TransmissionList { items }))
}

/// One transmission with its records and, once IGRUE answered, the errors on each:
/// `responsabile_accordo`, admin, auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transmission's id")),
    responses(
        (status = 200, description = "The transmission", body = TransmissionDetail, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such transmission", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/puc/transmissions/{id}")]
pub async fn get_transmission(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let id = path.id;
    let detail = run_db(&pool, move |conn| queries::detail(conn, id)).await?;
    Ok(ok_with_etag(detail.transmission.version, &detail))
}

/// The file of a transmission, exactly as sent (CRLF line ends): `responsabile_accordo`, admin,
/// auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transmission's id")),
    responses(
        (status = 200, description = "The PUC file", body = String, content_type = "text/plain"),
        (status = 404, description = "No such transmission", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/puc/transmissions/{id}/file")]
pub async fn transmission_file(
    caller: Caller,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let id = path.id;
    let file = run_db(&pool, move |conn| queries::file_of(conn, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(file))
}

/// Uploads IGRUE's answer to a transmission (the file as received, `text/plain`): each refused
/// record gets IGRUE's errors, with their descriptions, through the progressivo it had. A
/// malformed answer (framing, legend, FF count, a progressivo not in the transmission) is
/// refused whole naming the line, and changes nothing. `responsabile_accordo`, admin or the sync
/// job; requires `If-Match`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The transmission's id"), IfMatch),
    request_body(content = String, content_type = "text/plain", description = "IGRUE's answer file"),
    responses(
        (status = 200, description = "Read", body = TransmissionDetail, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such transmission", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The transmission already has its answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The answer is malformed (the line that breaks it is named)", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/puc/transmissions/{id}/response")]
pub async fn respond(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: String,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(SENDERS)?;
    let parsed = response::parse(&body).map_err(TransmissionError::from)?;
    let id = path.id;
    let actor = caller.subject().to_owned();
    let detail = run_db(&pool, move |conn| {
        queries::answer(conn, id, if_match, &actor, &body, &parsed)?;
        queries::detail(conn, id)
    })
    .await?;
    Ok(ok_with_etag(detail.transmission.version, &detail))
}

/// The errors IGRUE found in its answer to the last transmission, each on the record (and the
/// entity) it concerns with IGRUE's description; a later transmission clears them.
/// `responsabile_accordo`, admin, auditor, sync.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(ErrorFilter),
    responses((status = 200, description = "The errors standing", body = ErrorList))
)]
#[get("/puc/errors")]
pub async fn list_errors(
    caller: Caller,
    pool: web::Data<PgPool>,
    query: Query<ErrorFilter>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(READERS)?;
    let code = query.intervento_code.clone();
    if let Some(code) = &code {
        crate::peers::intervento_code(code)?;
    }
    let list = run_db(&pool, move |conn| queries::standing(conn, code.as_deref())).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[cfg(test)]
mod tests {
    use apq_domain::Semester;
    use uuid::Uuid;

    use super::*;
    use crate::puc::response::Malformed;
    use crate::transmissions::rules::Blocking;

    #[test]
    fn a_blocked_file_is_a_422_listing_at_most_a_hundred_findings() {
        let semester = Semester::parse("2010-S1").unwrap_or_else(|e| panic!("{e}"));
        let blocking = Blocking {
            field: "GEOSIGMA/FN06/IMPORTO_PAG".into(),
            message: "028 [G-P]: I pagamenti superano gli impegni".into(),
        };
        for (count, listed) in [
            (1, 1),
            (MAX_LISTED, MAX_LISTED),
            (MAX_LISTED + 5, MAX_LISTED),
        ] {
            let findings = vec![blocking.clone(); count];
            match ApiError::from(TransmissionError::Blocked { semester, findings }) {
                ApiError::Unprocessable { detail, errors } => {
                    assert!(
                        detail.starts_with("the file of 2010-S1 would be refused: "),
                        "{detail}"
                    );
                    assert_eq!(errors.len(), listed);
                    assert_eq!(errors[0].field, "GEOSIGMA/FN06/IMPORTO_PAG");
                    assert!(errors[0].message.starts_with("028 [G-P]: "), "{errors:?}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_malformed_answer_is_a_422_naming_its_line_and_a_second_answer_a_conflict() {
        let malformed = Malformed {
            line: 3,
            reason: "il progressivo 9 non è nella trasmissione".into(),
        };
        match ApiError::from(TransmissionError::Malformed(malformed)) {
            ApiError::Unprocessable { detail, errors } => {
                assert_eq!(
                    detail,
                    "IGRUE's answer is refused whole: riga 3: il progressivo 9 non è nella trasmissione"
                );
                assert_eq!(errors[0].field, "line 3");
                assert_eq!(
                    errors[0].message,
                    "il progressivo 9 non è nella trasmissione"
                );
            }
            other => panic!("{other:?}"),
        }
        let id = Uuid::nil();
        match ApiError::from(TransmissionError::AlreadyAnswered(id)) {
            ApiError::Conflict(detail) => {
                assert_eq!(
                    detail,
                    format!("transmission {id} already has IGRUE's answer")
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
