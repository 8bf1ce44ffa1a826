//! The feed's endpoints. What the rules refuse becomes a problem here.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Query};
use apq_platform::{ApiError, Caller, FieldError};

use super::json::{
    AcknowledgementBatch, AcknowledgementList, FeedItem, FeedPage, FeedQuery, NewAcknowledgement,
    NewAcknowledgementBatch,
};
use super::queries::{self, AckError, Acknowledgement};
use super::rules::{self, FeedError};
use crate::indicators::Indicator;
use crate::schede::Scheda;

impl From<FeedError> for ApiError {
    fn from(error: FeedError) -> Self {
        ApiError::field(error.field(), error)
    }
}

/// The problem of a refused acknowledgement, naming `field` (the change_seq of the body, or of
/// one item of a batch).
fn problem(error: AckError, field: String) -> ApiError {
    match error {
        AckError::UnknownChange { .. } => ApiError::Unprocessable {
            detail: error.to_string(),
            errors: vec![FieldError::new(field, "not a change of this scheda")],
        },
        AckError::Db(e) => e.into(),
    }
}

const FEED_READERS: &[Role] = &[
    Role::Sync,
    Role::Admin,
    Role::Auditor,
    Role::ResponsabileAccordo,
];

/// A scheda in the feed, with its intervento's `indicators` for its semester and the `events` of
/// its intervento (those dated after the semester are left out).
fn item(
    scheda: Scheda,
    indicators: &[Indicator],
    events: &crate::lists::Events,
) -> Result<FeedItem, ApiError> {
    let indicators = rules::indicators_for(indicators, &scheda.intervento_code, scheda.semester);
    let code = scheda.intervento_code.as_str();
    let last_day = scheda.semester.last_day();
    let movements = rules::movements_up_to(events.0.get(code), last_day);
    let phases = events.1.get(code).cloned().unwrap_or_default();
    Ok(FeedItem {
        // Committed rows have one (and `change_seq > cursor` leaves NULL out).
        change_seq: scheda.change_seq.ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("scheda {} has no change_seq", scheda.id))
        })?,
        scheda,
        indicators,
        movements,
        phases,
    })
}

/// The schede submitted or validated since `cursor`, oldest change first (sync, admin, auditor,
/// responsabile_accordo).
#[utoipa::path(
    tag = "feed",
    security(("bearer" = [])),
    params(FeedQuery),
    responses((status = 200, description = "A page of changes", body = FeedPage))
)]
#[get("/feed")]
pub async fn feed(
    caller: Caller,
    pool: web::Data<PgPool>,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(FEED_READERS)?;
    let (cursor, limit) = rules::check_page(query.cursor, query.limit)?;
    let page = run_db(&pool, move |conn| {
        let (rows, more) = queries::changed_since(conn, cursor, limit)?;
        let indicators = crate::indicators::load_all(conn)?;
        let codes: Vec<&str> = rows.iter().map(|r| r.intervento_code.as_str()).collect();
        let events = crate::lists::events_of(conn, &codes)?;
        let items = (rows.into_iter())
            .map(|row| item(Scheda::try_from(row)?, &indicators, &events))
            .collect::<Result<Vec<_>, ApiError>>()?;
        let checkpoint = items.last().map(|i| i.change_seq).unwrap_or(cursor);
        Ok::<_, ApiError>(FeedPage {
            items,
            limit,
            checkpoint,
            more,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Records what the sync job transmitted (or CNIPA's convalida outcome). Idempotent: the same
/// (scheda, change_seq, outcome) again changes nothing and answers 200; a new outcome for a
/// transmitted change (validated or rejected) updates it.
#[utoipa::path(
    tag = "feed",
    security(("bearer" = [])),
    request_body = NewAcknowledgement,
    responses(
        (status = 201, description = "Recorded", body = Acknowledgement),
        (status = 200, description = "Already recorded", body = Acknowledgement),
        (status = 422, description = "No such scheda change", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feed/acknowledgements")]
pub async fn acknowledge(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<NewAcknowledgement>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Sync, Role::Admin])?;
    let body = body.into_inner();
    let actor = caller.subject().to_owned();
    let (created, ack) = run_tx(&pool, move |conn| {
        queries::record(conn, &body, &actor).map_err(|e| problem(e, "change_seq".to_owned()))
    })
    .await?;
    Ok(if created {
        HttpResponse::Created().json(ack)
    } else {
        HttpResponse::Ok().json(ack)
    })
}

/// Records a feed page's acknowledgements in one transaction (sync, admin): each as
/// `POST /v1/feed/acknowledgements` would, all or none (an unknown change refuses the batch,
/// naming its item). The sync job acknowledges a page at a time this way.
#[utoipa::path(
    tag = "feed",
    security(("bearer" = [])),
    request_body = NewAcknowledgementBatch,
    responses(
        (status = 200, description = "Recorded (or already recorded)", body = AcknowledgementBatch),
        (status = 422, description = "An item is no change of its scheda (the problem names it)", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feed/acknowledgement-batches")]
pub async fn acknowledge_batch(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<NewAcknowledgementBatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Sync, Role::Admin])?;
    let items = body.into_inner().items;
    rules::check_batch(items.len())?;
    let actor = caller.subject().to_owned();
    let batch = run_tx(&pool, move |conn| {
        // Rows are locked in key order whatever the order given, so two batches never deadlock.
        let order = rules::lock_order(&items);
        let mut recorded = vec![None; items.len()];
        let mut created = 0;
        for i in order {
            let (new, ack) = queries::record(conn, &items[i], &actor)
                .map_err(|e| problem(e, format!("items[{i}].change_seq")))?;
            created += u32::from(new);
            recorded[i] = Some(ack);
        }
        Ok::<_, ApiError>(AcknowledgementBatch {
            items: recorded.into_iter().flatten().collect(),
            created,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(batch))
}

/// What the sync job has acknowledged (feed readers).
#[utoipa::path(
    tag = "feed",
    security(("bearer" = [])),
    responses((status = 200, description = "The acknowledgements", body = AcknowledgementList))
)]
#[get("/feed/acknowledgements")]
pub async fn list_acknowledgements(
    caller: Caller,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(FEED_READERS)?;
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(queries::acknowledgements(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AcknowledgementList { items }))
}
