//! Interventi: the projects of an atto, with their identity, section, state and maturity.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use apq_domain::{Cup, Euro, Percent};
use apq_platform::concurrency::{etag, ok_with_etag};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Json, Path, Query, patch as patch_field};
use apq_platform::idempotency::{self, IdempotencyKey, Stored};
use apq_platform::pagination::{Page, PageParams, collection_path};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::require_editor;
use crate::model::{InterventoState, Kind, Sezione};
use crate::schema::{atti_integrativi, interventi};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = interventi)]
pub struct InterventoRow {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub sezione: String,
    pub state: String,
    pub cup: Option<String>,
    pub localisation: Option<String>,
    pub objective: Option<String>,
    pub soggetti_coinvolti: Option<String>,
    pub economic_social_impact: Option<String>,
    pub activities_and_services: Option<String>,
    pub financing_description: Option<String>,
    pub phases_financed: Option<String>,
    pub activation_mode: Option<String>,
    pub administrative_steps: Option<String>,
    pub design_level: Option<String>,
    pub total_cost: Decimal,
    pub cnipa_cofinancing: Decimal,
    pub reuse_agreements_formalised_on: Option<NaiveDate>,
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    pub source_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_on: Option<NaiveDate>,
    /// The Regione's act of non-activation ([`NonActivation`] as JSON).
    pub non_activation: Option<serde_json::Value>,
    /// CNIPA's approval of the progetto esecutivo ([`ProgettoEsecutivoApproval`] as JSON).
    pub progetto_esecutivo_approval: Option<serde_json::Value>,
}

impl InterventoRow {
    pub fn kind(&self) -> Result<Kind, ApiError> {
        self.kind.parse().map_err(ApiError::internal)
    }

    pub fn sezione(&self) -> Result<Sezione, ApiError> {
        self.sezione.parse().map_err(ApiError::internal)
    }

    pub fn cost(&self) -> Euro {
        Euro::from_decimal(self.total_cost).unwrap_or(Euro::ZERO)
    }

    pub fn cofinancing(&self) -> Euro {
        Euro::from_decimal(self.cnipa_cofinancing).unwrap_or(Euro::ZERO)
    }

    /// CNIPA's approval of the progetto esecutivo as recorded.
    pub fn progetto_esecutivo(&self) -> Result<Option<ProgettoEsecutivoApproval>, ApiError> {
        self.progetto_esecutivo_approval
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(ApiError::internal)
    }

    /// The Regione's motivated act of non-activation (art. 5.7), if recorded.
    pub fn non_activation(&self) -> Result<Option<NonActivation>, ApiError> {
        self.non_activation
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(ApiError::internal)
    }
}

/// CNIPA's approval of the progetto esecutivo (art. 5.4, 5.5.a), recorded as its act: the date,
/// the act and who made it, and who recorded it. A date recorded before the act was (an older
/// version of the register kept only the date) has no act, and releases no tranche.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProgettoEsecutivoApproval {
    pub approved_on: NaiveDate,
    /// CNIPA's act (absent only for a date recorded before acts were).
    pub act_ref: Option<String>,
    /// Who made the approval (the office the act names).
    pub approved_by: Option<String>,
    /// Who recorded it in the register.
    pub recorded_by: Option<String>,
}

/// The Regione's motivated act not to activate an intervento of the sezione programmatica
/// (art. 5.7: technical or administrative difficulties that prevent its activation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NonActivation {
    pub decided_on: NaiveDate,
    /// The Regione's act (delibera, decreto).
    pub act_ref: String,
    /// The technical or administrative difficulties that prevent the activation.
    pub motivation: String,
    pub recorded_by: String,
}

/// The technical-administrative maturity that allows the passage to the sezione attuativa
/// (art. 5.4): reuse agreements formalised and progetto esecutivo validated by CNIPA.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Maturity {
    pub reuse_agreements_formalised_on: Option<NaiveDate>,
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    /// CNIPA's approval of the progetto esecutivo with its act, when recorded.
    pub progetto_esecutivo: Option<ProgettoEsecutivoApproval>,
    /// Both steps are recorded.
    pub mature: bool,
}

/// An intervento as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Intervento {
    pub id: Uuid,
    pub atto_id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
    pub state: InterventoState,
    pub cup: Option<Cup>,
    pub localisation: Option<String>,
    pub objective: Option<String>,
    pub soggetti_coinvolti: Option<String>,
    pub economic_social_impact: Option<String>,
    pub activities_and_services: Option<String>,
    pub financing_description: Option<String>,
    pub phases_financed: Option<String>,
    pub activation_mode: Option<String>,
    pub administrative_steps: Option<String>,
    pub design_level: Option<String>,
    pub total_cost: Euro,
    pub cnipa_cofinancing: Euro,
    /// CNIPA's co-financing as a share of the cost.
    pub cofinancing_share: Option<Percent>,
    /// The most CNIPA may co-finance, as a share of the cost (50% ALI, 40% RIUSO).
    pub cofinancing_cap: Percent,
    pub maturity: Maturity,
    /// When the intervento started (the ALI's start, from which the catalogue's relative
    /// go-lives count), once recorded.
    pub started_on: Option<NaiveDate>,
    /// The Regione's motivated act of non-activation (art. 5.7), when the state is
    /// `not_activated`.
    pub non_activation: Option<NonActivation>,
    /// Where the seed says it (line references).
    pub source_ref: Option<String>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<InterventoRow> for Intervento {
    type Error = ApiError;
    fn try_from(row: InterventoRow) -> Result<Self, ApiError> {
        let kind = row.kind()?;
        Ok(Self {
            id: row.id,
            atto_id: row.atto_id,
            kind,
            sezione: row.sezione()?,
            state: row.state.parse().map_err(ApiError::internal)?,
            cup: row
                .cup
                .as_deref()
                .map(|c| Cup::parse(c.trim()))
                .transpose()
                .map_err(ApiError::internal)?,
            total_cost: row.cost(),
            cnipa_cofinancing: row.cofinancing(),
            cofinancing_share: Percent::ratio(row.cnipa_cofinancing, row.total_cost),
            cofinancing_cap: kind.cap(),
            maturity: Maturity {
                mature: row.reuse_agreements_formalised_on.is_some()
                    && row.progetto_esecutivo_validated_on.is_some(),
                reuse_agreements_formalised_on: row.reuse_agreements_formalised_on,
                progetto_esecutivo_validated_on: row.progetto_esecutivo_validated_on,
                progetto_esecutivo: row.progetto_esecutivo()?,
            },
            non_activation: row.non_activation()?,
            started_on: row.started_on,
            code: row.code,
            title: row.title,
            localisation: row.localisation,
            objective: row.objective,
            soggetti_coinvolti: row.soggetti_coinvolti,
            economic_social_impact: row.economic_social_impact,
            activities_and_services: row.activities_and_services,
            financing_description: row.financing_description,
            phases_financed: row.phases_financed,
            activation_mode: row.activation_mode,
            administrative_steps: row.administrative_steps,
            design_level: row.design_level,
            source_ref: row.source_ref,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Loads an intervento, locking it for update when `lock` is set.
pub fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<InterventoRow, ApiError> {
    let query = interventi::table
        .find(id)
        .select(InterventoRow::as_select());
    let row = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    };
    row.optional()?
        .ok_or_else(|| ApiError::NotFound(format!("intervento {id}")))
}

/// The intervento with this code, or 404.
pub fn load_by_code(conn: &mut PgConnection, code: &str) -> Result<InterventoRow, ApiError> {
    interventi::table
        .filter(interventi::code.eq(code))
        .select(InterventoRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("intervento {code}")))
}

pub fn snapshot(row: &InterventoRow) -> Result<serde_json::Value, ApiError> {
    versioned::view_of(&Intervento::try_from(row.clone())?)
}

/// Sets an intervento's version: the one bump of every change to it or its children (financing
/// plan, cost table, tranches, activities), which are written under its lock.
pub fn bump(conn: &mut PgConnection, id: Uuid, version: i64) -> QueryResult<usize> {
    apq_platform::bump_version!(interventi, conn, id, version)
}

impl Versioned for InterventoRow {
    const ENTITY: &'static str = "intervento";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        load(conn, *id, true)
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        bump(conn, *id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        snapshot(self)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterventoFilter {
    /// Only the interventi of this atto.
    pub atto_id: Option<Uuid>,
    pub sezione: Option<Sezione>,
    pub kind: Option<Kind>,
    pub state: Option<InterventoState>,
    pub cup: Option<Cup>,
    /// The intervento with this code (e.g. CSTT-ALI).
    pub code: Option<String>,
}

/// The interventi, by code, with filters.
#[utoipa::path(
    tag = "interventi",
    params(InterventoFilter, PageParams),
    responses((status = 200, description = "A page of interventi", body = Page<Intervento>))
)]
#[get("/interventi")]
pub async fn list(
    pool: web::Data<PgPool>,
    filter: Query<InterventoFilter>,
    page: Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.0;
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let rows = run_db(&pool, move |conn| {
        let mut query = interventi::table
            .select(InterventoRow::as_select())
            .order(interventi::code.asc())
            .limit(i64::from(limit) + 1)
            .into_boxed();
        if let Some(atto) = filter.atto_id {
            query = query.filter(interventi::atto_id.eq(atto));
        }
        if let Some(sezione) = filter.sezione {
            query = query.filter(interventi::sezione.eq(sezione.as_str()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(interventi::kind.eq(kind.as_str()));
        }
        if let Some(state) = filter.state {
            query = query.filter(interventi::state.eq(state.as_str()));
        }
        if let Some(code) = &filter.code {
            query = query.filter(interventi::code.eq(code));
        }
        if let Some(cup) = &filter.cup {
            query = query.filter(interventi::cup.eq(cup.as_str()));
        }
        if let Some(after) = &after {
            query = query.filter(interventi::code.gt(after));
        }
        Ok::<_, ApiError>(query.load(conn)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Intervento::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        items,
        limit,
        |i| i.code.clone(),
        &collection_path(&req),
    )))
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

/// One intervento.
#[utoipa::path(
    tag = "interventi",
    params(("id" = Uuid, Path, description = "The intervento's id")),
    responses(
        (status = 200, description = "The intervento", body = Intervento,
         headers(("ETag" = String, description = "The version, for If-Match"))),
    )
)]
#[get("/interventi/{id}")]
pub async fn get_one(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let row = run_db(&pool, move |conn| load(conn, id, false)).await?;
    let view = Intervento::try_from(row)?;
    Ok(ok_with_etag(view.version, &view))
}

/// A new intervento (its financing plan is set afterwards with PUT .../financing-plan).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIntervento {
    pub atto_id: Uuid,
    #[schema(pattern = "^[A-Z0-9][A-Z0-9-]*$", max_length = 50)]
    pub code: String,
    #[schema(pattern = "\\S", max_length = 500)]
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
    pub cup: Option<Cup>,
    pub localisation: Option<String>,
    pub objective: Option<String>,
    pub soggetti_coinvolti: Option<String>,
    pub design_level: Option<String>,
    pub administrative_steps: Option<String>,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub total_cost: Euro,
}

fn validate_new(body: &NewIntervento) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if body.code.is_empty()
        || body.code.len() > 50
        || !body
            .code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        errors.push(apq_platform::FieldError::new(
            "code",
            "a code is 1-50 upper-case letters, digits and dashes",
        ));
    }
    if body.title.trim().is_empty() || body.title.chars().count() > 500 {
        errors.push(apq_platform::FieldError::new(
            "title",
            "a title is 1-500 characters",
        ));
    }
    if body.total_cost.is_negative() {
        errors.push(apq_platform::FieldError::new(
            "total_cost",
            "a cost cannot be negative",
        ));
    }
    ApiError::unless_any(errors)
}

/// Adds an intervento to an atto. Safe to retry with `Idempotency-Key`.
#[utoipa::path(
    tag = "interventi",
    security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = NewIntervento,
    responses(
        (status = 201, description = "Created", body = Intervento,
         headers(("Location" = String, description = "The new intervento"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The code or the CUP is taken", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The atto does not exist", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi")]
pub async fn create(
    caller: Caller,
    key: IdempotencyKey,
    pool: web::Data<PgPool>,
    body: Json<NewIntervento>,
) -> Result<HttpResponse, ApiError> {
    require_editor(&caller)?;
    let body = body.into_inner();
    validate_new(&body)?;
    let actor = caller.subject().to_owned();
    let hash = key.fingerprint(&body);
    let stored = run_db(&pool, move |conn| {
        idempotency::once(conn, &actor, &key, &hash, |conn| {
            let atto_exists: i64 = atti_integrativi::table
                .filter(atti_integrativi::id.eq(body.atto_id))
                .count()
                .get_result(conn)?;
            if atto_exists == 0 {
                return Err(ApiError::Unprocessable {
                    detail: format!("there is no atto integrativo {}", body.atto_id),
                    errors: vec![apq_platform::FieldError::new(
                        "atto_id",
                        "no such atto integrativo",
                    )],
                });
            }
            let row: InterventoRow =
                versioned::create(conn, Edit::new(&actor, "create"), |conn| {
                    let id = Uuid::new_v4();
                    diesel::insert_into(interventi::table)
                        .values((
                            interventi::id.eq(id),
                            interventi::atto_id.eq(body.atto_id),
                            interventi::code.eq(&body.code),
                            interventi::title.eq(&body.title),
                            interventi::kind.eq(body.kind.as_str()),
                            interventi::sezione.eq(body.sezione.as_str()),
                            interventi::cup.eq(body.cup.as_ref().map(Cup::as_str)),
                            interventi::localisation.eq(&body.localisation),
                            interventi::objective.eq(&body.objective),
                            interventi::soggetti_coinvolti.eq(&body.soggetti_coinvolti),
                            interventi::design_level.eq(&body.design_level),
                            interventi::administrative_steps.eq(&body.administrative_steps),
                            interventi::total_cost.eq(body.total_cost.decimal()),
                            interventi::cnipa_cofinancing.eq(Decimal::ZERO),
                        ))
                        .execute(conn)?;
                    Ok(id)
                })?;
            let view = Intervento::try_from(row)?;
            Stored::created(
                &view,
                format!("/v1/interventi/{}", view.id),
                Some(etag(view.version)),
            )
        })
    })
    .await?;
    Ok(stored.into_response())
}

/// A merge patch (RFC 7396) of an intervento's descriptive fields, its CUP, its start and the
/// formalised reuse agreements. The section and the state change only through decisions of the
/// Tavolo and the acts of the Regione (non-activation, art. 5.7) and CNIPA (revocation); CNIPA's
/// approval of the progetto esecutivo is its own act (`PUT .../progetto-esecutivo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct InterventoPatch {
    #[schema(pattern = "\\S", max_length = 500)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    pub cup: Option<Option<Cup>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub localisation: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub objective: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub soggetti_coinvolti: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub design_level: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub administrative_steps: Option<Option<String>>,
    /// When the reuse agreements were formalised (maturity, art. 5.4).
    #[serde(default, deserialize_with = "patch_field")]
    pub reuse_agreements_formalised_on: Option<Option<NaiveDate>>,
    /// When the intervento (the ALI) started: the catalogue's relative go-lives count from it.
    #[serde(default, deserialize_with = "patch_field")]
    pub started_on: Option<Option<NaiveDate>>,
    /// Why the change is made (kept in the audit trail).
    pub reason: Option<String>,
}

impl InterventoPatch {
    /// The intervento with this patch's fields applied (a field left out stays as it is).
    fn applied_to(&self, current: &InterventoRow) -> InterventoRow {
        let mut next = current.clone();
        if let Some(title) = &self.title {
            next.title.clone_from(title);
        }
        if let Some(cup) = &self.cup {
            next.cup = cup.as_ref().map(|c| c.as_str().to_owned());
        }
        for (field, value) in [
            (&mut next.localisation, &self.localisation),
            (&mut next.objective, &self.objective),
            (&mut next.soggetti_coinvolti, &self.soggetti_coinvolti),
            (&mut next.design_level, &self.design_level),
            (&mut next.administrative_steps, &self.administrative_steps),
        ] {
            if let Some(value) = value {
                field.clone_from(value);
            }
        }
        if let Some(date) = self.reuse_agreements_formalised_on {
            next.reuse_agreements_formalised_on = date;
        }
        if let Some(date) = self.started_on {
            next.started_on = date;
        }
        next
    }
}

/// Changes an intervento. Requires `If-Match` with the ETag read; a stale one gets 412.
#[utoipa::path(
    tag = "interventi",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The intervento's id"),
        IfMatch,
    ),
    request_body(content = InterventoPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Intervento, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The CUP is another intervento's", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/interventi/{id}")]
pub async fn update(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<InterventoPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let patch = body.into_inner();
    // CNIPA's approval of the progetto esecutivo is its act, recorded at
    // PUT /v1/interventi/{id}/progetto-esecutivo (see `acts`), not a field the Regione edits.
    require_editor(&caller)?;
    if patch
        .title
        .as_ref()
        .is_some_and(|t| t.trim().is_empty() || t.chars().count() > 500)
    {
        return Err(ApiError::field("title", "a title is 1-500 characters"));
    }
    let actor = caller.subject().to_owned();
    let updated = run_db(&pool, move |conn| {
        let edit = Edit::new(&actor, "update").because(patch.reason.as_deref());
        versioned::update(conn, id, if_match, edit, |conn, current: &InterventoRow| {
            let next = patch.applied_to(current);
            diesel::update(interventi::table.find(id))
                .set((
                    interventi::title.eq(&next.title),
                    interventi::cup.eq(&next.cup),
                    interventi::localisation.eq(&next.localisation),
                    interventi::objective.eq(&next.objective),
                    interventi::soggetti_coinvolti.eq(&next.soggetti_coinvolti),
                    interventi::design_level.eq(&next.design_level),
                    interventi::administrative_steps.eq(&next.administrative_steps),
                    interventi::reuse_agreements_formalised_on
                        .eq(next.reuse_agreements_formalised_on),
                    interventi::started_on.eq(next.started_on),
                ))
                .execute(conn)?;
            Ok(())
        })
    })
    .await?;
    let view = Intervento::try_from(updated)?;
    Ok(ok_with_etag(view.version, &view))
}
