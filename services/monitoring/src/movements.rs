//! The financial events of an intervento, as the national monitoring (PUC FN04, FN06) carries
//! them: each impegno and disimpegno, each pagamento and rettifica, with its own code, date, type,
//! positive amount, causale and note. Events are never edited (a correction is a new event, a
//! disimpegno or a rettifica), so the history is the table. A scheda's commitments and payments
//! are derived from them ([`totals`]).

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Euro, Role, Semester, text_enum};
use apq_platform::concurrency::etag;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::text_column::{EuroColumn, SemesterColumn};
use apq_platform::versioned::{self, Edit, Versioned};
use apq_platform::{ApiError, Caller, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::peers::Agreements;
use crate::schema::{movements, schede};

text_enum!(
    /// Which register an event belongs to.
    MovementKind { Impegno = "impegno", Pagamento = "pagamento" }
);

text_enum!(
    /// TIPOLOGIA_IMPEGNO: I impegno, D disimpegno (it reduces the commitments).
    TipologiaImpegno { Impegno = "I", Disimpegno = "D" }
);

text_enum!(
    /// TIPOLOGIA_PAG: P pagamento, R rettifica (it reduces the payments).
    TipologiaPagamento { Pagamento = "P", Rettifica = "R" }
);

/// An impegno or a pagamento as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = movements)]
pub struct Movement {
    pub id: Uuid,
    pub intervento_code: String,
    /// `impegno` or `pagamento`.
    #[schema(value_type = MovementKind)]
    pub kind: String,
    /// Its own code (COD_IMPEGNO, COD_PAGAMENTO), unique in the intervento's register.
    pub code: String,
    /// I or D for an impegno, P or R for a pagamento.
    #[schema(pattern = "^[IDPR]$")]
    pub tipologia: String,
    #[diesel(column_name = on_date)]
    pub date: NaiveDate,
    /// Always positive: the tipologia says the direction.
    #[diesel(deserialize_as = EuroColumn)]
    pub amount: Euro,
    pub causale: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl Movement {
    /// A disimpegno or a rettifica: it reduces the total.
    pub fn reversal(&self) -> bool {
        matches!(self.tipologia.as_str(), "D" | "R")
    }

    pub fn amount(&self) -> Euro {
        self.amount
    }
}

impl Versioned for Movement {
    const ENTITY: &'static str = "movement";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        movements::table
            .find(id)
            .select(Movement::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("movement {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(movements, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// A new impegno (I) or disimpegno (D).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImpegno {
    /// COD_IMPEGNO: letters, digits and `. _ / -`, at most 20.
    #[schema(pattern = r"^[A-Za-z0-9._/-]{1,20}$", max_length = 20)]
    pub code: String,
    pub tipologia: TipologiaImpegno,
    pub date: NaiveDate,
    /// Positive.
    #[schema(value_type = apq_domain::PositiveEuro)]
    pub amount: Euro,
    /// CAUSALE_DISIMPEGNO: required for a disimpegno (at most 100 characters).
    #[serde(default)]
    #[schema(max_length = 100, pattern = "^[^#|\\r\\n\\u0000]*$",
        extensions(("x-required-when" = json!({"tipologia": "D"}))))]
    pub causale: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^#|\\r\\n\\u0000]*$")]
    pub note: Option<String>,
}

/// A new pagamento (P) or rettifica (R).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPagamento {
    /// COD_PAGAMENTO: letters, digits and `. _ / -`, at most 20.
    #[schema(pattern = r"^[A-Za-z0-9._/-]{1,20}$", max_length = 20)]
    pub code: String,
    pub tipologia: TipologiaPagamento,
    pub date: NaiveDate,
    /// Positive.
    #[schema(value_type = apq_domain::PositiveEuro)]
    pub amount: Euro,
    /// CAUSALE_PAGAMENTO (at most 100 characters): required for a rettifica.
    #[serde(default)]
    #[schema(max_length = 100, pattern = "^[^#|\\r\\n\\u0000]*$",
        extensions(("x-required-when" = json!({"tipologia": "R"}))))]
    pub causale: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^#|\\r\\n\\u0000]*$")]
    pub note: Option<String>,
}

/// What both registers record.
#[derive(Debug, Clone, Serialize)]
struct Draft {
    kind: MovementKind,
    code: String,
    tipologia: &'static str,
    reversal: bool,
    date: NaiveDate,
    amount: Euro,
    causale: Option<String>,
    note: Option<String>,
}

impl From<NewImpegno> for Draft {
    fn from(b: NewImpegno) -> Self {
        Draft {
            kind: MovementKind::Impegno,
            code: b.code,
            tipologia: b.tipologia.as_str(),
            reversal: b.tipologia == TipologiaImpegno::Disimpegno,
            date: b.date,
            amount: b.amount,
            causale: b.causale,
            note: b.note,
        }
    }
}

impl From<NewPagamento> for Draft {
    fn from(b: NewPagamento) -> Self {
        Draft {
            kind: MovementKind::Pagamento,
            code: b.code,
            tipologia: b.tipologia.as_str(),
            reversal: b.tipologia == TipologiaPagamento::Rettifica,
            date: b.date,
            amount: b.amount,
            causale: b.causale,
            note: b.note,
        }
    }
}

fn fits(text: &Option<String>, max: usize) -> bool {
    text.as_deref()
        .is_none_or(|t| t.chars().count() <= max && !t.contains(['#', '|', '\r', '\n']))
}

/// The checks of one event on its own (the field names are the body's).
fn validate(draft: &Draft, today: NaiveDate) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let code_ok = (1..=20).contains(&draft.code.len())
        && draft
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'));
    if !code_ok {
        errors.push(FieldError::new(
            "code",
            "1 to 20 letters, digits or . _ / -",
        ));
    }
    if draft.amount <= Euro::ZERO {
        errors.push(FieldError::new(
            "amount",
            "must be positive (the tipologia says the direction)",
        ));
    }
    if draft.date > today {
        errors.push(FieldError::new("date", "cannot be in the future"));
    }
    if draft.reversal && draft.causale.as_deref().is_none_or(|c| c.trim().is_empty()) {
        errors.push(FieldError::new(
            "causale",
            match draft.kind {
                MovementKind::Impegno => "a disimpegno needs its causale",
                MovementKind::Pagamento => "a rettifica needs its causale",
            },
        ));
    }
    if !fits(&draft.causale, 100) {
        errors.push(FieldError::new(
            "causale",
            "at most 100 characters, on one line, without # or |",
        ));
    }
    if !fits(&draft.note, 500) {
        errors.push(FieldError::new(
            "note",
            "at most 500 characters, on one line, without # or |",
        ));
    }
    ApiError::unless_any(errors)
}

/// Net commitments and net payments of `events` dated on or before `up_to` (disimpegni and
/// rettifiche subtract).
pub fn totals(events: &[Movement], up_to: NaiveDate) -> (Euro, Euro) {
    let mut commitments = Euro::ZERO;
    let mut payments = Euro::ZERO;
    for e in events.iter().filter(|e| e.date <= up_to) {
        let total = if e.kind == MovementKind::Impegno.as_str() {
            &mut commitments
        } else {
            &mut payments
        };
        *total = if e.reversal() {
            *total - e.amount()
        } else {
            *total + e.amount()
        };
    }
    (commitments, payments)
}

/// Whether the net totals of `events` fit what a scheda stores (NUMERIC(15,2)) at every date:
/// a scheda takes the totals of the events up to the end of its semester.
fn storable_at_every_date(events: &[Movement]) -> bool {
    let fits = |total: Euro| Euro::from_decimal(total.decimal()).is_ok();
    events.iter().all(|e| {
        let (commitments, payments) = totals(events, e.date);
        fits(commitments) && fits(payments)
    })
}

/// The events of `code`, oldest first (one kind, if asked).
pub fn of(
    conn: &mut PgConnection,
    code: &str,
    kind: Option<MovementKind>,
) -> QueryResult<Vec<Movement>> {
    let mut query = movements::table
        .filter(movements::intervento_code.eq(code))
        .order((movements::on_date.asc(), movements::created_at.asc()))
        .select(Movement::as_select())
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(movements::kind.eq(kind.as_str()));
    }
    query.load(conn)
}

/// Records one event: refused when its code is taken (409), when the semester it falls in (or a
/// later one) already has a submitted or validated scheda (409: that scheda's totals were
/// declared on the events then recorded), or when a reversal would bring the total below zero
/// (checks 050 and 052). The open schede of the intervento take the new totals.
fn record(
    conn: &mut PgConnection,
    intervento: &str,
    actor: &str,
    draft: &Draft,
) -> Result<Movement, ApiError> {
    // One writer per intervento at a time: the net totals checked below stay true at commit.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('movements:' || $1))")
        .bind::<diesel::sql_types::Text, _>(intervento)
        .execute(conn)?;
    let closed: Option<String> = schede::table
        .filter(schede::intervento_code.eq(intervento))
        .filter(schede::state.eq_any(["submitted", "validated"]))
        .select(schede::semester)
        .order(schede::semester.desc())
        .first(conn)
        .optional()?;
    if let Some(semester) = closed
        && Semester::parse(&semester).is_ok_and(|s| draft.date <= s.last_day())
    {
        return Err(ApiError::Conflict(format!(
            "the scheda of {intervento} for {semester} is submitted: an event dated {} falls in a closed semester (record a correction with a later date)",
            draft.date
        )));
    }
    let taken: i64 = movements::table
        .filter(movements::intervento_code.eq(intervento))
        .filter(movements::kind.eq(draft.kind.as_str()))
        .filter(movements::code.eq(&draft.code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(format!(
            "{intervento} already has the {} {}",
            draft.kind, draft.code
        )));
    }
    let edit = Edit::new(actor, draft.kind.as_str()).because(draft.note.as_deref());
    let created: Movement = versioned::create(conn, edit, |conn| {
        let id = Uuid::new_v4();
        diesel::insert_into(movements::table)
            .values((
                movements::id.eq(id),
                movements::intervento_code.eq(intervento),
                movements::kind.eq(draft.kind.as_str()),
                movements::code.eq(&draft.code),
                movements::tipologia.eq(draft.tipologia),
                movements::on_date.eq(draft.date),
                movements::amount.eq(draft.amount.decimal()),
                movements::causale.eq(&draft.causale),
                movements::note.eq(&draft.note),
                movements::recorded_by.eq(actor),
            ))
            .execute(conn)?;
        Ok(id)
    })?;
    let events = of(conn, intervento, None)?;
    let (commitments, payments) = totals(&events, NaiveDate::MAX);
    let field = match draft.kind {
        MovementKind::Impegno if commitments.is_negative() => Some(("050", "the disimpegni")),
        MovementKind::Pagamento if payments.is_negative() => Some(("052", "the rettifiche")),
        _ => None,
    };
    if let Some((check, what)) = field {
        return Err(ApiError::field(
            "amount",
            format!("{what} would exceed what was recorded (IGRUE check {check})"),
        ));
    }
    if !storable_at_every_date(&events) {
        return Err(ApiError::field(
            "amount",
            format!(
                "the {} would add up past {}.99 euro, the largest total a scheda holds",
                match draft.kind {
                    MovementKind::Impegno => "impegni",
                    MovementKind::Pagamento => "pagamenti",
                },
                Euro::MAX_UNITS
            ),
        ));
    }
    refresh_open_schede(conn, intervento, &events)?;
    Ok(created)
}

/// Gives the intervento's draft and returned schede the totals of the events up to the end of
/// their semester (their version moves: an ETag read before no longer matches).
pub fn refresh_open_schede(
    conn: &mut PgConnection,
    intervento: &str,
    events: &[Movement],
) -> Result<(), ApiError> {
    let open: Vec<(Uuid, SemesterColumn)> = schede::table
        .filter(schede::intervento_code.eq(intervento))
        .filter(schede::state.eq_any(["draft", "returned"]))
        .select((schede::id, schede::semester))
        .load(conn)?;
    for (id, semester) in open {
        let semester = Semester::from(semester);
        let (commitments, payments) = totals(events, semester.last_day());
        diesel::update(schede::table.find(id))
            .set((
                schede::commitments.eq(commitments.decimal()),
                schede::payments.eq(payments.decimal()),
                schede::version.eq(schede::version + 1),
                schede::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Who records an intervento's events (and its cost plan and economies, `records` in the
/// refusal): its responsabile (named in the token) or admin.
pub fn require_recorder(caller: &Caller, code: &str, records: &str) -> Result<(), ApiError> {
    if caller.has_any(&[Role::Admin]) || caller.answers_for(code) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only the responsabile of {code} or admin record its {records}"
        )))
    }
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    code: String,
    draft: Draft,
) -> Result<HttpResponse, ApiError> {
    require_recorder(&caller, &code, "impegni and pagamenti")?;
    validate(&draft, Utc::now().date_naive())?;
    let intervento = agreements.intervento(&code).await?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&(&intervento.code, &draft));
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let created = record(conn, &intervento.code, &actor, &draft)?;
            let register = match draft.kind {
                MovementKind::Impegno => "impegni",
                MovementKind::Pagamento => "pagamenti",
            };
            Stored::created(
                &created,
                format!("/v1/interventi/{}/{register}", intervento.code),
                Some(etag(created.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
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

/// One register of an intervento with its net total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovementList {
    pub items: Vec<Movement>,
    /// Impegni minus disimpegni, or pagamenti minus rettifiche.
    pub net: Euro,
}

async fn list(
    pool: web::Data<PgPool>,
    code: String,
    kind: MovementKind,
) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, move |conn| {
        Ok::<_, ApiError>(of(conn, &code, Some(kind))?)
    })
    .await?;
    let (commitments, payments) = totals(&items, NaiveDate::MAX);
    let net = match kind {
        MovementKind::Impegno => commitments,
        MovementKind::Pagamento => payments,
    };
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
    let code = path.into_inner().code;
    crate::peers::intervento_code(&code)?;
    list(pool, code, MovementKind::Impegno).await
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
    let code = path.into_inner().code;
    crate::peers::intervento_code(&code)?;
    list(pool, code, MovementKind::Pagamento).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, tipologia: &str, date: &str, amount: i64) -> Movement {
        Movement {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            kind: kind.into(),
            code: "X".into(),
            tipologia: tipologia.into(),
            date: date.parse().unwrap_or_default(),
            amount: Euro::from_cents(amount * 100),
            causale: None,
            note: None,
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn totals_net_the_reversals_up_to_the_date() {
        let events = vec![
            event("impegno", "I", "2009-03-01", 500_000),
            event("pagamento", "P", "2009-05-01", 200_000),
            event("impegno", "D", "2009-09-01", 50_000),
            event("pagamento", "R", "2010-02-01", 10_000),
            event("pagamento", "P", "2010-07-01", 100_000),
        ];
        let euro = |n: i64| Euro::from_cents(n * 100);
        let table = [
            ("2009-01-01", 0, 0),
            ("2009-06-30", 500_000, 200_000),
            ("2009-12-31", 450_000, 200_000),
            ("2010-06-30", 450_000, 190_000),
            ("2010-12-31", 450_000, 290_000),
        ];
        for (up_to, c, p) in table {
            let up_to: NaiveDate = up_to.parse().unwrap_or_default();
            assert_eq!(totals(&events, up_to), (euro(c), euro(p)), "up to {up_to}");
        }
    }

    #[test]
    fn totals_past_what_a_scheda_stores_are_caught_at_any_date() {
        let max = Euro::MAX_UNITS;
        let fitting = vec![
            event("impegno", "I", "2009-03-01", max),
            event("impegno", "D", "2009-09-01", max),
            event("impegno", "I", "2010-03-01", max),
        ];
        assert!(storable_at_every_date(&fitting));
        // The net total fits, but up to 2009-06-30 the impegni add up to twice the maximum.
        let past = vec![
            event("impegno", "I", "2009-03-01", max),
            event("impegno", "I", "2009-04-01", max),
            event("impegno", "D", "2010-09-01", max),
        ];
        assert!(!storable_at_every_date(&past));
        let paid = vec![
            event("pagamento", "P", "2009-03-01", max),
            event("pagamento", "P", "2009-04-01", 1),
        ];
        assert!(!storable_at_every_date(&paid));
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
}
