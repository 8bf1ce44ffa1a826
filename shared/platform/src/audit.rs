//! The audit trail: every change is recorded with who, when, what (before and after) and why,
//! in the same transaction as the change, and is readable through the API.

use actix_web::get;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::ApiError;
use crate::schema::audit_log;

/// One change to record.
pub struct Change<'a> {
    pub actor: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Records `change`; call it inside the transaction that makes the change.
pub fn record(conn: &mut PgConnection, change: Change<'_>) -> Result<(), ApiError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor.eq(change.actor),
            audit_log::entity.eq(change.entity),
            audit_log::entity_id.eq(&change.entity_id),
            audit_log::action.eq(change.action),
            audit_log::reason.eq(change.reason),
            audit_log::before.eq(change.before),
            audit_log::after.eq(change.after),
            audit_log::request_id.eq(crate::request_id::current()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A recorded change, as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable)]
pub struct AuditEntry {
    #[schema(format = Int64)]
    pub id: i64,
    /// Its place in the trail, given when its transaction commits, in commit order: the trail is
    /// paged by it, so an entry committed after a page was read is never before that page's end.
    #[schema(format = Int64)]
    pub position: i64,
    pub at: DateTime<Utc>,
    #[schema(max_length = 200)]
    pub actor: String,
    #[schema(max_length = 100)]
    pub entity: String,
    #[schema(max_length = 100)]
    pub entity_id: String,
    #[schema(max_length = 100)]
    pub action: String,
    #[schema(max_length = 4000)]
    pub reason: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    #[schema(max_length = 64)]
    pub request_id: Option<String>,
}

/// The changes of one entity (or of all entities of a kind), in commit order, after the
/// position `after`.
///
/// An entry's position is NULL until its transaction commits (the deferred trigger
/// `audit_log_position` fills it in, see the platform migration `commit_positions`): other
/// transactions never see it so, and `position > after` leaves out the writer's own.
pub fn history(
    conn: &mut PgConnection,
    entity: Option<&str>,
    entity_id: Option<&str>,
    after: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, ApiError> {
    let mut query = audit_log::table
        .filter(audit_log::position.gt(after))
        .order(audit_log::position.asc())
        .limit(limit)
        .into_boxed();
    if let Some(entity) = entity {
        query = query.filter(audit_log::entity.eq(entity));
    }
    if let Some(entity_id) = entity_id {
        query = query.filter(audit_log::entity_id.eq(entity_id));
    }
    Ok(query
        .select((
            audit_log::id,
            audit_log::position.assume_not_null(),
            audit_log::at,
            audit_log::actor,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::action,
            audit_log::reason,
            audit_log::before,
            audit_log::after,
            audit_log::request_id,
        ))
        .load(conn)?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// The kind of entity (e.g. `intervento`, `tranche`, `tavolo_decision`).
    pub entity: Option<String>,
    /// One entity's id.
    pub entity_id: Option<String>,
}

/// Who may read a service's audit trail: the service says ([`crate::Service::audit_readers`]).
pub struct Readers(pub &'static [apq_domain::Role]);

/// The audit trail: who changed what, when and why, in commit order (oldest first). A page's
/// cursor is the place after its last entry: what commits later comes after it. For admin,
/// auditor and responsabile_accordo.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditFilter, crate::pagination::PageParams),
    responses((status = 200, description = "A page of changes", body = crate::pagination::Page<AuditEntry>))
)]
#[get("/audit")]
pub async fn list(
    caller: crate::Caller,
    readers: actix_web::web::Data<Readers>,
    pool: actix_web::web::Data<crate::db::PgPool>,
    filter: crate::extract::Query<AuditFilter>,
    page: crate::extract::Query<crate::pagination::PageParams>,
) -> Result<actix_web::HttpResponse, ApiError> {
    caller.require_any(readers.0)?;
    let filter = filter.0;
    let limit = page.limit()?;
    let after: i64 = page.after()?.unwrap_or(0);
    let path = match (&filter.entity, &filter.entity_id) {
        (Some(e), Some(id)) => format!("/v1/audit?entity={e}&entity_id={id}"),
        (Some(e), None) => format!("/v1/audit?entity={e}"),
        (None, Some(id)) => format!("/v1/audit?entity_id={id}"),
        (None, None) => "/v1/audit".to_owned(),
    };
    let rows = crate::db::run_db(&pool, move |conn| {
        history(
            conn,
            filter.entity.as_deref(),
            filter.entity_id.as_deref(),
            after,
            i64::from(limit) + 1,
        )
    })
    .await?;
    Ok(
        actix_web::HttpResponse::Ok().json(crate::pagination::Page::from_rows(
            rows,
            limit,
            |e| e.position,
            &path,
        )),
    )
}
