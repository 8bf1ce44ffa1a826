//! The shipped dataset: the CSTT-ALI result indicators of the seed's Cap. 6
//! (`dataset/indicators.json`, with line references) and the seed's inconsistencies about them.

use apq_platform::inconsistencies::Inconsistency;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::schema::indicators;

pub const INDICATORS: &str = include_str!("../dataset/indicators.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub indicators: Vec<IndicatorData>,
    pub inconsistencies: Vec<Inconsistency>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorData {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub intervento_code: Option<String>,
    /// Absent where the seed gives none (unknown is not zero).
    pub baseline: Option<Decimal>,
    /// Absent where the seed gives none: never reached.
    pub target: Option<Decimal>,
    pub source_ref: String,
}

pub fn load(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let data: Dataset = serde_json::from_str(INDICATORS)?;
    let mut written = 0;
    for i in &data.indicators {
        written += diesel::insert_into(indicators::table)
            .values((
                indicators::id.eq(Uuid::new_v4()),
                indicators::code.eq(&i.code),
                indicators::name.eq(&i.name),
                indicators::unit.eq(&i.unit),
                indicators::intervento_code.eq(&i.intervento_code),
                indicators::baseline.eq(i.baseline),
                indicators::target.eq(i.target),
                indicators::source_ref.eq(&i.source_ref),
            ))
            .on_conflict(indicators::code)
            .do_nothing()
            .execute(conn)?;
    }
    for item in &data.inconsistencies {
        written += apq_platform::inconsistencies::record(conn, item)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_indicators_parse() {
        let data: super::Dataset =
            serde_json::from_str(super::INDICATORS).unwrap_or_else(|e| panic!("{e}"));
        assert!(data.indicators.len() >= 12);
        assert!(
            data.indicators
                .iter()
                .any(|i| i.target == Some(rust_decimal::Decimal::from(111)))
        );
    }
}
