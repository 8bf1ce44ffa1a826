//! The registry's rows and queries (diesel, synchronous, `&mut PgConnection`).

use apq_domain::IstatCode;
use apq_platform::ApiError;
use apq_platform::text_column::OptionalIstatColumn;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::EnteFilter;
use super::rules::{EnteKind, name_pattern};
use crate::schema::{aggregation_members, enti};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = enti)]
pub struct EnteRow {
    pub id: Uuid,
    pub code: String,
    pub kind: EnteKind,
    pub name: String,
    #[diesel(deserialize_as = OptionalIstatColumn)]
    pub istat_code: Option<IstatCode>,
    pub province_code: Option<String>,
    pub province_short: Option<String>,
    pub region_code: Option<String>,
    pub cadastral_code: Option<String>,
    pub population: Option<i32>,
    pub piccolo_comune: Option<bool>,
    pub existed_from: Option<chrono::NaiveDate>,
    pub ceased_on: Option<chrono::NaiveDate>,
    pub population_as_of: Option<chrono::NaiveDate>,
}

pub fn by_code(conn: &mut PgConnection, code: &str) -> Result<EnteRow, ApiError> {
    enti::table
        .filter(enti::code.eq(code))
        .select(EnteRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("ente {code}")))
}

/// A page of the registry by code after `after`: `limit + 1` rows, so the page knows whether
/// another follows.
pub fn page(
    conn: &mut PgConnection,
    filter: &EnteFilter,
    after: Option<&str>,
    limit: u32,
) -> QueryResult<Vec<EnteRow>> {
    let mut query = enti::table
        .select(EnteRow::as_select())
        .order(enti::code.asc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(enti::kind.eq(kind));
    }
    if let Some(region) = &filter.region_code {
        query = query.filter(enti::region_code.eq(region));
    }
    if let Some(province) = &filter.province {
        query = query.filter(enti::province_short.eq(province.to_uppercase()));
    }
    if let Some(piccolo) = filter.piccolo_comune {
        query = query.filter(enti::piccolo_comune.eq(piccolo));
    }
    if filter.ceased != Some(true) {
        query = query.filter(enti::ceased_on.is_null());
    }
    if let Some(pattern) = name_pattern(filter.q.as_deref()) {
        query = query.filter(enti::name.ilike(pattern));
    }
    if let Some(after) = after {
        query = query.filter(enti::code.gt(after));
    }
    query.load(conn)
}

/// An aggregation's members' codes, in order.
pub fn members(conn: &mut PgConnection, aggregation: Uuid) -> QueryResult<Vec<String>> {
    let members = diesel::alias!(enti as members);
    aggregation_members::table
        .inner_join(members.on(members.field(enti::id).eq(aggregation_members::member_id)))
        .filter(aggregation_members::aggregation_id.eq(aggregation))
        .order(members.field(enti::code).asc())
        .select(members.field(enti::code))
        .load(conn)
}

/// The codes of the aggregations a body belongs to, in order.
pub fn member_of(conn: &mut PgConnection, member: Uuid) -> QueryResult<Vec<String>> {
    let aggregates = diesel::alias!(enti as aggregates);
    aggregation_members::table
        .inner_join(
            aggregates.on(aggregates
                .field(enti::id)
                .eq(aggregation_members::aggregation_id)),
        )
        .filter(aggregation_members::member_id.eq(member))
        .order(aggregates.field(enti::code).asc())
        .select(aggregates.field(enti::code))
        .load(conn)
}

/// The comuni of the registry among `codes`, by id and code.
pub fn comuni(conn: &mut PgConnection, codes: &[&str]) -> QueryResult<Vec<(Uuid, String)>> {
    enti::table
        .filter(enti::code.eq_any(codes))
        .filter(enti::kind.eq(EnteKind::Comune))
        .select((enti::id, enti::code))
        .load(conn)
}

/// Writes an aggregation (without members); says its id. A taken code is a unique violation.
pub fn insert_aggregation(
    conn: &mut PgConnection,
    code: &str,
    kind: EnteKind,
    name: &str,
) -> QueryResult<Uuid> {
    let id = Uuid::new_v4();
    diesel::insert_into(enti::table)
        .values((
            enti::id.eq(id),
            enti::code.eq(code),
            enti::kind.eq(kind),
            enti::name.eq(name),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Adds the members to the aggregation.
pub fn add_members(
    conn: &mut PgConnection,
    aggregation: Uuid,
    members: &[Uuid],
) -> QueryResult<()> {
    for member in members {
        diesel::insert_into(aggregation_members::table)
            .values((
                aggregation_members::aggregation_id.eq(aggregation),
                aggregation_members::member_id.eq(member),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(())
}
