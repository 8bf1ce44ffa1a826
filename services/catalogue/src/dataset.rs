//! The shipped dataset: the eight services of the seed (`dataset/services.json`, with line
//! references), the ALI budget and the seed's inconsistencies about the catalogue. Idempotent.

use apq_platform::inconsistencies::Inconsistency;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::record::{RecordChecks, ServiceRecord};
use crate::schema::{budget, services};
use crate::services::{ServiceStatus, write_version};

pub const SERVICES: &str = include_str!("../dataset/services.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub services: Vec<ServiceRecord>,
    pub budget: BudgetData,
    pub inconsistencies: Vec<Inconsistency>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetData {
    pub two_year_ali_budget: String,
    pub management_model: String,
    pub services_total: String,
    pub source_ref: String,
}

const MONEY_FIELDS: [&str; 4] = ["amount", "cost", "min_amount", "max_amount"];

/// The dataset writes amounts as plain strings ("1842850.00"); the API's form is
/// `{"amount": "...", "currency": "EUR"}`.
fn money_objects(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if MONEY_FIELDS.contains(&key.as_str()) && field.is_string() {
                    *field = serde_json::json!({"amount": field.clone(), "currency": "EUR"});
                } else {
                    money_objects(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(money_objects),
        _ => {}
    }
}

pub fn parse() -> anyhow::Result<Dataset> {
    let mut raw: Value = serde_json::from_str(SERVICES)?;
    if let Some(services) = raw.get_mut("services") {
        money_objects(services);
    }
    Ok(serde_json::from_value(raw)?)
}

pub fn load(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let data = parse()?;
    let present: i64 = services::table.count().get_result(conn)?;
    if present > 0 {
        return Ok(0);
    }
    let mut written = 0;
    for record in &data.services {
        let errors = record.validate();
        anyhow::ensure!(errors.is_empty(), "service {}: {errors:?}", record.number);
        write_version(
            conn,
            record,
            ServiceStatus::Active,
            1,
            "dataset",
            Some("seed"),
        )
        .map_err(|e| anyhow::anyhow!("service {}: {e}", record.number))?;
        written += 1;
    }
    let money = |raw: &str| raw.parse::<rust_decimal::Decimal>();
    diesel::insert_into(budget::table)
        .values((
            budget::two_year_budget.eq(money(&data.budget.two_year_ali_budget)?),
            budget::management_model.eq(money(&data.budget.management_model)?),
            budget::source_ref.eq(&data.budget.source_ref),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    for item in &data.inconsistencies {
        apq_platform::inconsistencies::record(conn, item)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use apq_domain::Euro;

    #[test]
    fn the_eight_services_cost_what_their_sheets_say() {
        let data = super::parse().unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(data.services.len(), 8);
        let total: Euro = data.services.iter().map(|s| s.total_cost()).sum();
        // 10.000,00 short of the budget minus the management model: ITER.NET's maintenance is
        // 10.000,00 a year as its sheet writes it (L3634), not counted twice.
        assert_eq!(total.to_string(), "1.832.850,00");
        assert_eq!(data.budget.services_total, "1842850.00");
        let iter = data
            .services
            .iter()
            .find(|s| s.number == 7)
            .map(|s| s.total_cost().to_string());
        assert_eq!(iter.as_deref(), Some("140.000,00"));
    }
}
