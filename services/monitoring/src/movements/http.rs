//! The events' endpoints: parse, authorise, call the rules and queries, answer. What the rules
//! refuse becomes a problem here, in one place (`From<MovementError> for ApiError`).

use actix_web::{HttpResponse, get, post, web};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::{ApiError, Caller};
use chrono::Utc;

use super::json::{CodePath, Movement, MovementList, NewImpegno, NewPagamento};
use super::queries;
use super::rules::{self, Draft, MovementError, MovementKind};
use crate::access::require_recorder;
use crate::peers::Agreements;

impl From<MovementError> for ApiError {
    fn from(error: MovementError) -> Self {
        match error.field() {
            Some(field) => ApiError::field(field, error),
            None => ApiError::Conflict(error.to_string()),
        }
    }
}

async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    code: String,
    draft: Draft,
) -> Result<HttpResponse, ApiError> {
    require_recorder(&caller, &code, "record its impegni and pagamenti")?;
    ApiError::refuse_any_or_first(
        rules::validate(&draft, Utc::now().date_naive()),
        MovementError::field,
    )?;
    let code = agreements.intervento(&code).await?.code;
    idempotency::respond_once(
        &pool,
        caller.subject(),
        key,
        (code, draft),
        |conn, actor, (code, draft)| {
            let created = queries::record(conn, &code, actor, &draft)?;
            Stored::created(
                &created,
                format!("/v1/interventi/{code}/{}", draft.kind.register()),
                Some(etag(created.version)),
            )
        },
    )
    .await
}

/// Records an impegno (I) or a disimpegno (D) of the intervento: its responsabile or admin.
/// Never edited: a correction is a disimpegno. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewImpegno,
    responses(
        (status = 201, description = "Recorded", body = Movement, headers(("Location" = String, description = "The intervento's impegni"))),
        (status = 409, description = "The code is taken, or the date falls in a semester whose scheda is submitted", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/impegni")]
pub async fn create_impegno(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<CodePath>,
    body: Json<NewImpegno>,
) -> Result<HttpResponse, ApiError> {
    let draft = Draft::from(body.into_inner());
    create(caller, key, pool, agreements, path.into_inner().code, draft).await
}

/// Records a pagamento (P) or a rettifica (R) of the intervento: its responsabile or admin.
/// Never edited: a correction is a rettifica. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "puc",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), IdempotencyKey),
    request_body = NewPagamento,
    responses(
        (status = 201, description = "Recorded", body = Movement, headers(("Location" = String, description = "The intervento's pagamenti"))),
        (status = 409, description = "The code is taken, or the date falls in a semester whose scheda is submitted", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/pagamenti")]
pub async fn create_pagamento(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<CodePath>,
    body: Json<NewPagamento>,
) -> Result<HttpResponse, ApiError> {
    let draft = Draft::from(body.into_inner());
    create(caller, key, pool, agreements, path.into_inner().code, draft).await
}

async fn list(
    pool: web::Data<PgPool>,
    code: String,
    kind: MovementKind,
) -> Result<HttpResponse, ApiError> {
    crate::peers::intervento_code(&code)?;
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(queries::of(conn, &code, Some(kind))?)
    })
    .await?;
    let net = rules::net(&items, kind);
    Ok(HttpResponse::Ok().json(MovementList { items, net }))
}

/// The intervento's impegni and disimpegni, oldest first, with their net total. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$")),
    responses((status = 200, description = "The impegni", body = MovementList))
)]
#[get("/interventi/{code}/impegni")]
pub async fn list_impegni(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    list(pool, path.into_inner().code, MovementKind::Impegno).await
}

/// The intervento's pagamenti and rettifiche, oldest first, with their net total. Public.
#[utoipa::path(
    tag = "puc",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$")),
    responses((status = 200, description = "The pagamenti", body = MovementList))
)]
#[get("/interventi/{code}/pagamenti")]
pub async fn list_pagamenti(
    pool: web::Data<PgPool>,
    path: Path<CodePath>,
) -> Result<HttpResponse, ApiError> {
    list(pool, path.into_inner().code, MovementKind::Pagamento).await
}

#[cfg(test)]
mod tests {
    use apq_domain::Euro;
    use chrono::NaiveDate;

    use super::*;

    fn validate(draft: &Draft, today: NaiveDate) -> Result<(), ApiError> {
        ApiError::refuse_any_or_first(rules::validate(draft, today), MovementError::field)
    }

    #[test]
    fn an_event_is_checked_on_its_own() {
        let today: NaiveDate = "2010-06-30".parse().unwrap_or_default();
        let good = Draft {
            kind: MovementKind::Impegno,
            code: "IMP-2009/01".into(),
            tipologia: "I",
            reversal: false,
            date: "2009-03-01".parse().unwrap_or_default(),
            amount: Euro::from_cents(100),
            causale: None,
            note: None,
        };
        assert!(validate(&good, today).is_ok());
        let bad = [
            (
                Draft {
                    code: String::new(),
                    ..good.clone()
                },
                "code",
            ),
            (
                Draft {
                    code: "A".repeat(21),
                    ..good.clone()
                },
                "code",
            ),
            (
                Draft {
                    code: "A#1".into(),
                    ..good.clone()
                },
                "code",
            ),
            (
                Draft {
                    amount: Euro::ZERO,
                    ..good.clone()
                },
                "amount",
            ),
            (
                Draft {
                    date: "2010-07-01".parse().unwrap_or_default(),
                    ..good.clone()
                },
                "date",
            ),
            (
                Draft {
                    tipologia: "D",
                    reversal: true,
                    ..good.clone()
                },
                "causale",
            ),
            (
                Draft {
                    note: Some("a|b".into()),
                    ..good
                },
                "note",
            ),
        ];
        for (draft, field) in bad {
            let error = validate(&draft, today).err().map(|e| format!("{e:?}"));
            assert!(
                error.as_deref().is_some_and(|e| e.contains(field)),
                "{field}: {error:?}"
            );
        }
    }

    #[test]
    fn a_refusal_with_a_field_is_a_problem_naming_it_and_a_conflict_otherwise() {
        match ApiError::from(MovementError::Rettifiche) {
            ApiError::Validation { errors } => {
                assert_eq!(errors[0].field, "amount");
                assert_eq!(
                    errors[0].message,
                    "the rettifiche would exceed what was recorded (IGRUE check 052)"
                );
            }
            other => panic!("{other:?}"),
        }
        let taken = MovementError::Taken {
            intervento: "CSTT-ALI".into(),
            kind: MovementKind::Impegno,
            code: "I-1".into(),
        };
        match ApiError::from(taken) {
            ApiError::Conflict(detail) => {
                assert_eq!(detail, "CSTT-ALI already has the impegno I-1")
            }
            other => panic!("{other:?}"),
        }
    }
}
