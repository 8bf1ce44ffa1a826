//! The catalogue's rows and queries (diesel, synchronous, `&mut PgConnection`), and the
//! aggregate the write path locks: a service with its versions.

use apq_platform::ApiError;
use apq_platform::versioned::{self, Versioned};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::json::{ServiceEntry, ServiceFilter};
use super::rules::{ServiceStatus, pricing_models};
use crate::record::{Availability, PricingModel, ServiceRecord};
use crate::schema::{service_versions, services};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub number: i32,
    pub name: String,
    pub ambito: Option<String>,
    pub tipologia: Option<String>,
    pub availability: Availability,
    pub pricing_models: Vec<PricingModel>,
    pub status: ServiceStatus,
    pub current_version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_versions)]
struct VersionRow {
    service_number: i32,
    version: i32,
    status: ServiceStatus,
    record: serde_json::Value,
    changed_by: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

/// Version `version` of service `number` (its current one when `None`), the service's row
/// locked when `lock`.
pub fn read_version(
    conn: &mut PgConnection,
    number: i32,
    version: Option<i32>,
    lock: bool,
) -> Result<ServiceEntry, ApiError> {
    let query = services::table
        .find(number)
        .select(services::current_version);
    let current: i32 = if lock {
        query.for_update().first(conn)
    } else {
        query.first(conn)
    }
    .optional()?
    .ok_or_else(|| ApiError::NotFound(format!("service {number}")))?;
    let wanted = version.unwrap_or(current);
    let row: VersionRow = service_versions::table
        .find((number, wanted))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("version {wanted} of service {number}")))?;
    let record: ServiceRecord = serde_json::from_value(row.record).map_err(ApiError::internal)?;
    Ok(ServiceEntry {
        number: row.service_number,
        version: row.version,
        status: row.status.into(),
        current: row.version == current,
        total_cost: record.total_cost(),
        record,
        changed_by: row.changed_by,
        reason: row.reason,
        created_at: row.created_at,
    })
}

/// A service is one aggregate: its row (which says the current version) and its versions, as
/// its current [`ServiceEntry`] shows them.
pub struct ServiceAggregate(pub ServiceEntry);

impl Versioned for ServiceAggregate {
    const ENTITY: &'static str = "service";
    type Key = i32;

    fn lock(conn: &mut PgConnection, number: &i32) -> Result<Self, ApiError> {
        read_version(conn, *number, None, true).map(Self)
    }

    fn version(&self) -> i64 {
        i64::from(self.0.version)
    }

    fn bump(conn: &mut PgConnection, number: &i32, version: i64) -> QueryResult<usize> {
        let version = i32::try_from(version).map_err(|_| diesel::result::Error::NotFound)?;
        diesel::update(services::table.find(number))
            .set((
                services::current_version.eq(version),
                services::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
    }

    fn audit_view(&self) -> Result<serde_json::Value, ApiError> {
        versioned::view_of(&(&self.0.status, &self.0.record))
    }
}

/// Writes `record` as version `version` of its service (the first creates the service; a later
/// one becomes current when the write path bumps the service to it).
pub fn write_version(
    conn: &mut PgConnection,
    record: &ServiceRecord,
    status: ServiceStatus,
    version: i32,
    actor: &str,
    reason: Option<&str>,
) -> Result<i32, ApiError> {
    let values = (
        services::name.eq(&record.name),
        services::ambito.eq(&record.ambito_amministrativo),
        services::tipologia.eq(&record.tipologia),
        services::availability.eq(Availability::from(record.availability)),
        services::pricing_models.eq(pricing_models(record)),
        services::status.eq(status),
        services::search_text.eq(record.search_text()),
    );
    if version > 1 {
        diesel::update(services::table.find(record.number))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(services::table)
            .values((
                services::number.eq(record.number),
                services::current_version.eq(version),
                values,
            ))
            .execute(conn)?;
    }
    diesel::insert_into(service_versions::table)
        .values((
            service_versions::service_number.eq(record.number),
            service_versions::version.eq(version),
            service_versions::status.eq(status),
            service_versions::record.eq(serde_json::to_value(record).map_err(ApiError::internal)?),
            service_versions::changed_by.eq(actor),
            service_versions::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(record.number)
}

/// Whether the catalogue has a service numbered `number`.
pub fn exists(conn: &mut PgConnection, number: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(services::table.find(number))).get_result(conn)
}

/// A page of the catalogue by number after `after`: `limit + 1` rows, so the page knows
/// whether another follows.
pub fn page(
    conn: &mut PgConnection,
    filter: &ServiceFilter,
    after: Option<i32>,
    limit: u32,
) -> QueryResult<Vec<ServiceRow>> {
    let mut query = services::table
        .select(ServiceRow::as_select())
        .order(services::number.asc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(ambito) = &filter.ambito {
        query = query.filter(services::ambito.eq(ambito));
    }
    if let Some(pricing) = filter.pricing {
        query = query.filter(services::pricing_models.contains(vec![pricing.as_str()]));
    }
    if let Some(availability) = filter.availability {
        query = query.filter(services::availability.eq(availability));
    }
    if let Some(status) = filter.status {
        query = query.filter(services::status.eq(status));
    }
    if let Some(q) = filter.q.as_ref().filter(|q| !q.trim().is_empty()) {
        query = query.filter(
            diesel::dsl::sql::<Bool>("search @@ plainto_tsquery('italian', ")
                .bind::<Text, _>(q.clone())
                .sql(")"),
        );
    }
    if let Some(code) = &filter.intervento_code {
        query = query.filter(
            diesel::dsl::sql::<Bool>(
                "EXISTS (SELECT 1 FROM service_versions v WHERE v.service_number = services.number \
                 AND v.version = services.current_version AND v.record->>'intervento_code' = ",
            )
            .bind::<Text, _>(code.clone())
            .sql(")"),
        );
    }
    if let Some(after) = after {
        query = query.filter(services::number.gt(after));
    }
    query.load(conn)
}

/// The current record of every active service, by number.
pub fn active_records(conn: &mut PgConnection) -> Result<Vec<(i32, ServiceRecord)>, ApiError> {
    let records: Vec<(i32, serde_json::Value)> = service_versions::table
        .inner_join(services::table)
        .filter(service_versions::version.eq(services::current_version))
        .filter(services::status.eq(ServiceStatus::Active))
        .order(services::number.asc())
        .select((service_versions::service_number, service_versions::record))
        .load(conn)?;
    records
        .into_iter()
        .map(|(number, record)| {
            let record = serde_json::from_value(record).map_err(ApiError::internal)?;
            Ok((number, record))
        })
        .collect()
}
