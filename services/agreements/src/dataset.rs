//! The shipped dataset: the IV Atto Integrativo as the seed gives it (`dataset/iv_atto.json`,
//! every record with its line references). Loading is idempotent: a register that already holds
//! the accordo is left alone.

use apq_domain::{Cup, Euro};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use crate::activities::{ActivityCost, NewActivity};
use crate::financing::{FinancingSource, store_plan};
use crate::model::{
    AttoStatus, Contributor, CostCategory, Funding, Kind, ResponsibilityRole, Sezione,
};
use crate::persons::{NewPerson, Responsibility};
use crate::schema::{accordi, atti_integrativi, cost_lines, interventi};
use apq_platform::inconsistencies::Inconsistency;

pub const IV_ATTO: &str = include_str!("../dataset/iv_atto.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub accordo: AccordoData,
    pub atti: Vec<AttoData>,
    pub interventi: Vec<InterventoData>,
    pub persons: Vec<PersonData>,
    pub inconsistencies: Vec<Inconsistency>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccordoData {
    pub code: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub signatories: Vec<String>,
    pub source_ref: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttoData {
    pub number: i32,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub signatories: Vec<String>,
    pub status: AttoStatus,
    pub source_ref: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventoData {
    pub code: String,
    pub atto_number: i32,
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
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
    pub total_cost: String,
    pub cnipa_cofinancing: String,
    pub source_ref: String,
    pub cost_lines: Vec<CostLineData>,
    pub financing: Vec<FinancingData>,
    pub activities: Vec<ActivityData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancingData {
    pub contributor: Contributor,
    pub heading: String,
    pub legal_basis: String,
    pub amount: String,
    pub cnipa: bool,
    pub source_ref: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostLineData {
    pub category: CostCategory,
    pub funding: Funding,
    pub amount: String,
    pub source_ref: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityData {
    pub code: String,
    pub phase: String,
    pub title: String,
    pub description: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// The seed's "Data inizio / Data fine" where it is not a date range.
    #[serde(default)]
    pub dates_as_written: Option<String>,
    pub responsible: Option<String>,
    pub profiles: Option<String>,
    pub products: Option<String>,
    pub validation_criteria: Option<String>,
    pub service_number: Option<i32>,
    pub costs: Vec<CostData>,
    pub source_ref: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostData {
    pub category: CostCategory,
    pub amount: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonData {
    pub name: String,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<RoleData>,
    pub source_ref: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleData {
    pub role: ResponsibilityRole,
    pub intervento_code: Option<String>,
}

fn euro(raw: &str, what: &str) -> anyhow::Result<Euro> {
    Euro::parse(raw).map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

pub fn parse() -> anyhow::Result<Dataset> {
    Ok(serde_json::from_str(IV_ATTO)?)
}

/// Loads the IV Atto unless the accordo is already there; returns the records written.
pub fn load(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let data = parse()?;
    let present: i64 = accordi::table
        .filter(accordi::code.eq(&data.accordo.code))
        .count()
        .get_result(conn)?;
    if present > 0 {
        return Ok(0);
    }
    let mut written = 0;
    let accordo_id = Uuid::new_v4();
    diesel::insert_into(accordi::table)
        .values((
            accordi::id.eq(accordo_id),
            accordi::code.eq(&data.accordo.code),
            accordi::title.eq(&data.accordo.title),
            accordi::signed_on.eq(data.accordo.signed_on),
            accordi::signatories.eq(&data.accordo.signatories),
            accordi::source_ref.eq(&data.accordo.source_ref),
        ))
        .execute(conn)?;
    written += 1;
    let mut atti = Vec::new();
    for atto in &data.atti {
        let id = Uuid::new_v4();
        diesel::insert_into(atti_integrativi::table)
            .values((
                atti_integrativi::id.eq(id),
                atti_integrativi::accordo_id.eq(accordo_id),
                atti_integrativi::number.eq(atto.number),
                atti_integrativi::title.eq(&atto.title),
                atti_integrativi::signed_on.eq(atto.signed_on),
                atti_integrativi::signatories.eq(&atto.signatories),
                atti_integrativi::status.eq(atto.status.as_str()),
                atti_integrativi::source_ref.eq(&atto.source_ref),
            ))
            .execute(conn)?;
        atti.push((atto.number, id));
        written += 1;
    }
    let mut codes = Vec::new();
    for intervento in &data.interventi {
        let atto_id = atti
            .iter()
            .find(|(n, _)| *n == intervento.atto_number)
            .map(|(_, id)| *id)
            .ok_or_else(|| {
                anyhow::anyhow!("{}: no atto {}", intervento.code, intervento.atto_number)
            })?;
        let id = Uuid::new_v4();
        diesel::insert_into(interventi::table)
            .values((
                interventi::id.eq(id),
                interventi::atto_id.eq(atto_id),
                interventi::code.eq(&intervento.code),
                interventi::title.eq(&intervento.title),
                interventi::kind.eq(intervento.kind.as_str()),
                interventi::sezione.eq(intervento.sezione.as_str()),
                interventi::cup.eq(intervento.cup.as_ref().map(Cup::as_str)),
                interventi::localisation.eq(&intervento.localisation),
                interventi::objective.eq(&intervento.objective),
                interventi::soggetti_coinvolti.eq(&intervento.soggetti_coinvolti),
                interventi::economic_social_impact.eq(&intervento.economic_social_impact),
                interventi::activities_and_services.eq(&intervento.activities_and_services),
                interventi::financing_description.eq(&intervento.financing_description),
                interventi::phases_financed.eq(&intervento.phases_financed),
                interventi::activation_mode.eq(&intervento.activation_mode),
                interventi::administrative_steps.eq(&intervento.administrative_steps),
                interventi::design_level.eq(&intervento.design_level),
                interventi::total_cost
                    .eq(euro(&intervento.total_cost, &intervento.code)?.decimal()),
                interventi::cnipa_cofinancing.eq(rust_decimal::Decimal::ZERO),
                interventi::source_ref.eq(&intervento.source_ref),
            ))
            .execute(conn)?;
        written += 1;
        let sources = intervento
            .financing
            .iter()
            .map(|f| {
                Ok(FinancingSource {
                    contributor: f.contributor.into(),
                    heading: f.heading.clone(),
                    legal_basis: f.legal_basis.clone(),
                    amount: euro(&f.amount, &f.heading)?,
                    cnipa: f.cnipa,
                    source_ref: Some(f.source_ref.clone()),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        store_plan(conn, id, &sources).map_err(|e| anyhow::anyhow!("{}: {e}", intervento.code))?;
        let stated = euro(&intervento.cnipa_cofinancing, &intervento.code)?;
        let cofinancing: Euro = sources.iter().filter(|s| s.cnipa).map(|s| s.amount).sum();
        anyhow::ensure!(
            cofinancing == stated,
            "{}: the financing plan's CNIPA share {cofinancing} differs from the stated {stated}",
            intervento.code
        );
        written += intervento.financing.len();
        for line in &intervento.cost_lines {
            diesel::insert_into(cost_lines::table)
                .values((
                    cost_lines::id.eq(Uuid::new_v4()),
                    cost_lines::intervento_id.eq(id),
                    cost_lines::category.eq(line.category.as_str()),
                    cost_lines::funding.eq(line.funding.as_str()),
                    cost_lines::amount.eq(euro(&line.amount, "cost line")?.decimal()),
                    cost_lines::source_ref.eq(&line.source_ref),
                ))
                .execute(conn)?;
            written += 1;
        }
        for activity in &intervento.activities {
            let costs = activity
                .costs
                .iter()
                .map(|c| {
                    Ok(ActivityCost {
                        category: c.category.into(),
                        amount: euro(&c.amount, &activity.code)?,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let new = NewActivity {
                code: activity.code.clone(),
                phase: Some(activity.phase.clone()),
                title: activity.title.clone(),
                description: activity.description.clone(),
                start_on: activity.start_on,
                end_on: activity.end_on,
                dates_as_written: activity.dates_as_written.clone(),
                responsible: activity.responsible.clone(),
                profiles: activity.profiles.clone(),
                products: activity.products.clone(),
                validation_criteria: activity.validation_criteria.clone(),
                service_number: activity.service_number,
                costs,
            };
            crate::activities::rules::check_costs(&new.costs)
                .map_err(|e| anyhow::anyhow!("{}: {e}", activity.code))?;
            crate::activities::insert(conn, id, &new, Some(&activity.source_ref))
                .map_err(|e| anyhow::anyhow!("{}: {e}", activity.code))?;
            written += 1;
        }
        codes.push((intervento.code.clone(), id));
    }
    for person in &data.persons {
        let responsibilities = person
            .roles
            .iter()
            .map(|r| {
                let intervento_id = match &r.intervento_code {
                    Some(code) => Some(
                        codes
                            .iter()
                            .find(|(c, _)| c == code)
                            .map(|(_, id)| *id)
                            .ok_or_else(|| {
                                anyhow::anyhow!("{}: no intervento {code}", person.name)
                            })?,
                    ),
                    None => None,
                };
                let accordo = (r.role == ResponsibilityRole::SoggettoResponsabileAccordo)
                    .then_some(accordo_id);
                Ok(Responsibility {
                    role: r.role,
                    intervento_id,
                    accordo_id: accordo,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let new = NewPerson {
            name: person.name.clone(),
            organisation: person.organisation.clone(),
            email: person.email.clone(),
            responsibilities,
        };
        crate::persons::insert(conn, &new, Some(&person.source_ref))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        written += 1;
    }
    for item in &data.inconsistencies {
        apq_platform::inconsistencies::record(conn, item)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_dataset_parses() {
        let data = super::parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data.interventi.len(), 3);
    }
}
