//! The Applicativo Intese feed: each semester's schede in a documented JSON form (intervento
//! code, CUP, costs, financing, cronoprogramma, progress, indicators), as a change feed ordered
//! by `change_seq` so the sync job pulls only what changed since its checkpoint; and the
//! acknowledgements in which the job records what it transmitted and CNIPA's convalida.
//!
//! A write puts a scheda (back) in the feed by setting its `change_seq` to NULL; the deferred
//! trigger `schede_change_seq` gives it the next position when the transaction commits, under
//! the database's position lock, so positions are handed out in commit order: a reader whose
//! cursor has passed P never sees a change below P appear later (see the platform migration
//! `commit_positions`). Committed rows always have a position.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Role, text_enum};
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Query};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::indicators::{Indicator, load_all};
use crate::iter::PhaseRow;
use crate::movements::Movement;
use crate::schede::Scheda;
use crate::schema::{acknowledgements, schede};

mod queries;
mod rules;

use rules::FeedError;

impl From<FeedError> for ApiError {
    fn from(error: FeedError) -> Self {
        ApiError::field(error.field(), error)
    }
}

const FEED_READERS: &[Role] = &[
    Role::Sync,
    Role::Admin,
    Role::Auditor,
    Role::ResponsabileAccordo,
];

/// An indicator's value for the scheda's semester.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedIndicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// Absent where the seed gives none.
    pub baseline: Option<String>,
    /// Absent where the seed gives none.
    pub target: Option<String>,
    pub value: Option<String>,
}

/// One scheda as the Applicativo Intese receives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedItem {
    /// Its position in the feed: pass the last one as `cursor` to get what changed after it.
    #[schema(format = Int64)]
    pub change_seq: i64,
    pub scheda: Scheda,
    /// The intervento's indicators with their value for the semester.
    pub indicators: Vec<FeedIndicator>,
    /// The intervento's impegni and pagamenti (and their reversals) dated up to the semester's
    /// last day, oldest first: the events the scheda's commitments and payments come from.
    pub movements: Vec<Movement>,
    /// The intervento's procedural iter as it stands: each phase's planned and actual dates.
    pub phases: Vec<PhaseRow>,
}

impl FeedItem {
    /// A scheda in the feed, with its intervento's `indicators` for its semester and the
    /// `events` of its intervento (those dated after the semester are left out).
    fn new(
        scheda: Scheda,
        indicators: &[Indicator],
        events: &crate::lists::Events,
    ) -> Result<Self, ApiError> {
        let indicators =
            rules::indicators_for(indicators, &scheda.intervento_code, scheda.semester);
        let code = scheda.intervento_code.as_str();
        let last_day = scheda.semester.last_day();
        let movements = (events.0.get(code).into_iter().flatten())
            .filter(|m| m.date <= last_day)
            .cloned()
            .collect();
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
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    #[schema(format = Int32)]
    pub limit: u32,
    /// The checkpoint after this page: the last item's change_seq (or the cursor given, if empty).
    #[schema(format = Int64)]
    pub checkpoint: i64,
    /// Whether more items follow.
    pub more: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The last change_seq already received (0 for everything).
    #[param(format = Int64, minimum = 0)]
    pub cursor: Option<i64>,
    /// How many items (1-200, default 50).
    #[param(format = Int32, minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
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
        let indicators = load_all(conn)?;
        let codes: Vec<&str> = rows.iter().map(|r| r.intervento_code.as_str()).collect();
        let events = crate::lists::events_of(conn, &codes)?;
        let items = (rows.into_iter())
            .map(|row| FeedItem::new(Scheda::try_from(row)?, &indicators, &events))
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

text_enum!(
    /// What became of a transmitted scheda.
    Outcome { Transmitted = "transmitted", Validated = "validated", Rejected = "rejected" }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = acknowledgements)]
pub struct Acknowledgement {
    pub scheda_id: Uuid,
    #[schema(format = Int64)]
    pub change_seq: i64,
    pub transmitted_at: DateTime<Utc>,
    pub outcome: String,
    /// CNIPA's message for a validation or a rejection.
    pub message: Option<String>,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAcknowledgement {
    pub scheda_id: Uuid,
    #[schema(format = Int64)]
    pub change_seq: i64,
    pub transmitted_at: DateTime<Utc>,
    pub outcome: Outcome,
    pub message: Option<String>,
}

/// A feed page's acknowledgements, recorded in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAcknowledgementBatch {
    /// 1 to 200 acknowledgements (a feed page at most).
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<NewAcknowledgement>,
}

/// The batch as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementBatch {
    /// Each acknowledgement as it stands now, in the order given.
    pub items: Vec<Acknowledgement>,
    /// How many of them were new (the others were already recorded).
    #[schema(format = Int32)]
    pub created: u32,
}

/// The largest batch: a feed page.
pub const MAX_BATCH: usize = 200;

/// Why an acknowledgement is refused.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    #[error("scheda {scheda_id} has no change {change_seq}")]
    UnknownChange { scheda_id: Uuid, change_seq: i64 },
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl AckError {
    /// The problem, naming `field` (the change_seq of the body, or of one item of a batch).
    fn problem(self, field: String) -> ApiError {
        match self {
            AckError::UnknownChange { .. } => ApiError::Unprocessable {
                detail: self.to_string(),
                errors: vec![apq_platform::FieldError::new(
                    field,
                    "not a change of this scheda",
                )],
            },
            AckError::Db(e) => e.into(),
        }
    }
}

/// Records one acknowledgement (query): a new one is inserted; a new outcome (validated or
/// rejected) for a transmitted change replaces the old; the same again changes nothing.
/// Answers whether it was new, and the acknowledgement as it stands.
pub fn record(
    conn: &mut PgConnection,
    body: &NewAcknowledgement,
    actor: &str,
) -> Result<(bool, Acknowledgement), AckError> {
    let known: i64 = schede::table
        .filter(schede::id.eq(body.scheda_id))
        .filter(schede::change_seq.ge(body.change_seq))
        .count()
        .get_result(conn)?;
    if known == 0 || body.change_seq < 1 {
        return Err(AckError::UnknownChange {
            scheda_id: body.scheda_id,
            change_seq: body.change_seq,
        });
    }
    // One statement, through the primary key as its conflict arbiter: no plan of a lookup
    // (which a table that was empty when the plan was made can leave a sequential scan) stands
    // between a page's acknowledgements and the index. A new outcome (validated or rejected)
    // replaces the one recorded; the same again, or a transmission again, changes nothing.
    let (ack, created) = diesel::insert_into(acknowledgements::table)
        .values((
            acknowledgements::scheda_id.eq(body.scheda_id),
            acknowledgements::change_seq.eq(body.change_seq),
            acknowledgements::transmitted_at.eq(body.transmitted_at),
            acknowledgements::outcome.eq(body.outcome.as_str()),
            acknowledgements::message.eq(&body.message),
            acknowledgements::actor.eq(actor),
        ))
        .on_conflict((acknowledgements::scheda_id, acknowledgements::change_seq))
        .do_update()
        .set((
            acknowledgements::message.eq(sql::<Nullable<Text>>(
                "CASE WHEN excluded.outcome NOT IN ('transmitted', acknowledgements.outcome) \
                 THEN excluded.message ELSE acknowledgements.message END",
            )),
            acknowledgements::outcome.eq(sql::<Text>(
                "CASE WHEN excluded.outcome = 'transmitted' THEN acknowledgements.outcome \
                 ELSE excluded.outcome END",
            )),
        ))
        .returning((Acknowledgement::as_returning(), sql::<Bool>("xmax = 0")))
        .get_result(conn)?;
    Ok((created, ack))
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
        record(conn, &body, &actor).map_err(|e| e.problem("change_seq".to_owned()))
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
    if !(1..=MAX_BATCH).contains(&items.len()) {
        return Err(ApiError::field("items", "from 1 to 200 acknowledgements"));
    }
    let actor = caller.subject().to_owned();
    let batch = run_tx(&pool, move |conn| {
        // Rows are locked in key order whatever the order given, so two batches never deadlock.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| (items[i].scheda_id, items[i].change_seq));
        let mut recorded = vec![None; items.len()];
        let mut created = 0;
        for i in order {
            let (new, ack) = record(conn, &items[i], &actor)
                .map_err(|e| e.problem(format!("items[{i}].change_seq")))?;
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementList {
    pub items: Vec<Acknowledgement>,
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
        Ok::<_, ApiError>(
            acknowledgements::table
                .order((
                    acknowledgements::change_seq.asc(),
                    acknowledgements::scheda_id.asc(),
                ))
                .select(Acknowledgement::as_select())
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(AcknowledgementList { items }))
}
