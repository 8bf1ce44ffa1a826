//! Inadempienze (art. 7): a late or missing obligation opens a case against the party; the
//! soggetto responsabile gives a deadline; when it passes unmet, the case is referred to the
//! Tavolo. Readable by everyone, so the agreements side sees them.

use actix_web::{HttpResponse, get, post, web};
use apq_domain::{Role, Semester};
use apq_platform::audit::{self, Change};
use apq_platform::concurrency::ok_with_etag;
use apq_platform::db::{PgPool, run_db, run_tx};
use apq_platform::extract::{Json, Path};
use apq_platform::versioned::{self, Edit, IfMatch, Versioned};
use apq_platform::{ApiError, Caller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::calendar::load_done;
use crate::deadlines::schedule;
use crate::schema::defaults;

const MANAGERS: &[Role] = &[Role::Admin, Role::ResponsabileAccordo];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = defaults)]
pub struct Default_ {
    pub id: Uuid,
    /// The obligation missed (e.g. data_entry, rapporto, piano_submitted).
    pub obligation: String,
    pub semester: String,
    pub party: String,
    pub description: String,
    pub opened_on: NaiveDate,
    /// The deadline given by the soggetto responsabile.
    pub deadline: Option<NaiveDate>,
    /// open, resolved or referred (to the Tavolo).
    pub state: String,
    pub resolved_on: Option<NaiveDate>,
    pub referred_on: Option<NaiveDate>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DefaultList {
    pub items: Vec<Default_>,
}

/// The defaults, oldest first. Public.
#[utoipa::path(tag = "defaults", responses((status = 200, description = "The defaults", body = DefaultList)))]
#[get("/defaults")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| {
        Ok::<_, ApiError>(
            defaults::table
                .order(defaults::opened_on.asc())
                .select(Default_::as_select())
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(DefaultList { items }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    pub signed_on: NaiveDate,
    /// The date at which obligations are judged late.
    pub as_of: NaiveDate,
}

/// Opens a case for every obligation late at `as_of` that has none yet (managers). Returns the
/// cases opened.
#[utoipa::path(
    tag = "defaults",
    security(("bearer" = [])),
    request_body = Detection,
    responses((status = 200, description = "The cases opened now", body = DefaultList))
)]
#[post("/defaults/detections")]
pub async fn detect(
    caller: Caller,
    pool: web::Data<PgPool>,
    body: Json<Detection>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(MANAGERS)?;
    let Detection { signed_on, as_of } = body.into_inner();
    crate::deadlines::check_span(signed_on, as_of, "as_of")?;
    let actor = caller.subject().to_owned();
    let items = run_tx(&pool, move |conn| {
        let done = load_done(conn)?;
        let mut opened = Vec::new();
        for due in schedule(signed_on, as_of)
            .into_iter()
            .filter(|d| d.due_on < as_of)
        {
            let semester = due
                .semester
                .map(|s: Semester| s.to_string())
                .unwrap_or_default();
            if done
                .iter()
                .any(|(k, s, _)| k == due.obligation.as_str() && *s == semester)
            {
                continue;
            }
            let id = Uuid::new_v4();
            let inserted = diesel::insert_into(defaults::table)
                .values((
                    defaults::id.eq(id),
                    defaults::obligation.eq(due.obligation.as_str()),
                    defaults::semester.eq(&semester),
                    defaults::party.eq(due.obligation.party()),
                    defaults::description.eq(format!(
                        "{} due on {} not fulfilled",
                        due.obligation, due.due_on
                    )),
                    defaults::opened_on.eq(as_of),
                    defaults::state.eq("open"),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            if inserted > 0 {
                audit::record(
                    conn,
                    Change {
                        actor: &actor,
                        entity: "default",
                        entity_id: id.to_string(),
                        action: "open",
                        reason: None,
                        before: None,
                        after: None,
                    },
                )?;
                opened.push(
                    defaults::table
                        .find(id)
                        .select(Default_::as_select())
                        .first(conn)?,
                );
            }
        }
        Ok::<_, ApiError>(opened)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DefaultList { items }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DefaultAction {
    /// The soggetto responsabile gives the party a deadline.
    GiveDeadline { deadline: NaiveDate },
    /// The obligation was fulfilled.
    Resolve { on: NaiveDate },
    /// The deadline passed unmet: the case goes to the Tavolo.
    Refer { on: NaiveDate },
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

/// A default case is versioned: each action is conditional on the version read.
impl Versioned for Default_ {
    const ENTITY: &'static str = "default";
    type Key = Uuid;

    fn lock(conn: &mut PgConnection, id: &Uuid) -> Result<Self, ApiError> {
        defaults::table
            .find(id)
            .select(Default_::as_select())
            .for_update()
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("default {id}")))
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn bump(conn: &mut PgConnection, id: &Uuid, version: i64) -> QueryResult<usize> {
        apq_platform::bump_version!(defaults, conn, id, version)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(self)
    }
}

/// Moves a case on: a deadline, its resolution, or the referral to the Tavolo (only once the
/// deadline has passed). Requires `If-Match`.
#[utoipa::path(
    tag = "defaults",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case's id"), IfMatch),
    request_body = DefaultAction,
    responses(
        (status = 200, description = "The case", body = Default_),
        (status = 409, description = "Not possible in the case's state", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/defaults/{id}/actions")]
pub async fn act(
    caller: Caller,
    if_match: IfMatch,
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
    body: Json<DefaultAction>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(MANAGERS)?;
    let id = path.id;
    let action = body.into_inner();
    let actor = caller.subject().to_owned();
    let case: Default_ = run_db(&pool, move |conn| {
        versioned::update(
            conn,
            id,
            if_match,
            Edit::new(&actor, "act"),
            |conn, current: &Default_| {
                if current.state != "open" {
                    return Err(ApiError::Conflict(format!("the case is {}", current.state)));
                }
                let update = diesel::update(defaults::table.find(id));
                match &action {
                    DefaultAction::GiveDeadline { deadline } => update
                        .set(defaults::deadline.eq(Some(*deadline)))
                        .execute(conn)?,
                    DefaultAction::Resolve { on } => update
                        .set((
                            defaults::state.eq("resolved"),
                            defaults::resolved_on.eq(Some(*on)),
                        ))
                        .execute(conn)?,
                    DefaultAction::Refer { on } => {
                        match current.deadline {
                            None => {
                                return Err(ApiError::Conflict(
                                    "give the party a deadline before referring the case"
                                        .to_owned(),
                                ));
                            }
                            Some(deadline) if *on <= deadline => {
                                return Err(ApiError::Conflict(format!(
                                    "the deadline ({deadline}) has not passed yet"
                                )));
                            }
                            Some(_) => {}
                        }
                        update
                            .set((
                                defaults::state.eq("referred"),
                                defaults::referred_on.eq(Some(*on)),
                            ))
                            .execute(conn)?
                    }
                };
                Ok(())
            },
        )
    })
    .await?;
    Ok(ok_with_etag(case.version, &case))
}
