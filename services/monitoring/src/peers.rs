//! Typed clients of the services monitoring reads: agreements (the atto, its interventi, their
//! money and tranches) and adhesion (the programme's figures). A peer that is down or slow gives
//! a 503 problem naming it, never a wrong answer.

use apq_domain::{Euro, Percent};
use apq_platform::ApiError;
use apq_platform::client::PeerClient;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Clone)]
pub struct Agreements(pub PeerClient);

#[derive(Clone)]
pub struct Adhesion(pub PeerClient);

#[derive(Debug, Clone, Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Atto {
    pub id: Uuid,
    pub number: i32,
    pub signed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Money {
    pub amount: String,
    pub currency: String,
}

/// An intervento as monitoring needs it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Intervento {
    pub id: Uuid,
    /// The atto integrativo it belongs to (its strumento attuativo, PUC AP05).
    pub atto_id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub sezione: String,
    pub cup: Option<String>,
    pub total_cost: Money,
    pub cnipa_cofinancing: Money,
    pub maturity: Maturity,
    #[serde(default)]
    pub state: Option<String>,
    /// CNIPA's share of the cost, percent (absent when the cost is zero).
    #[serde(default)]
    pub cofinancing_share: Option<String>,
    /// CNIPA's cap, percent of the cost.
    #[serde(default)]
    pub cofinancing_cap: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Maturity {
    #[serde(default)]
    pub reuse_agreements_formalised_on: Option<NaiveDate>,
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    /// Ready to pass to the sezione attuativa (art. 5.4); absent when the peer does not say.
    #[serde(default)]
    pub mature: Option<bool>,
}

/// What releases a tranche, as agreements' contract has it. Every field is required and typed:
/// a figure that is missing or cannot be read is a 503 naming the peer and the field, never a
/// condition that holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TrancheCondition {
    pub text: String,
    pub requires_plan_approved: bool,
    pub requires_progetto_esecutivo: bool,
    pub sal_verification: Option<i32>,
    pub sal_threshold: Option<Percent>,
    pub adhesion_share_threshold: Option<Percent>,
    pub months_of_operation: Option<i32>,
    pub requires_services_usable: bool,
    pub requires_admissibility: bool,
    pub requires_completion: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Tranche {
    pub id: Uuid,
    pub seq: i32,
    pub share: Percent,
    pub amount: Euro,
    pub condition: TrancheCondition,
    pub state: String,
    pub version: i64,
}

/// A change of state of a tranche, as agreements' `/v1/tranches/{id}/transitions` has it.
#[derive(Debug, Clone, Deserialize)]
pub struct TrancheTransition {
    pub to_state: String,
    /// The day it took effect (for `paid`, the day the State paid).
    pub effective_on: NaiveDate,
}

/// A tranche the State has paid: a transfer of the national file (TR00).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PaidTranche {
    pub seq: i32,
    pub amount: Euro,
    /// The day the State paid it, as the register's transition to `paid` says.
    pub paid_on: NaiveDate,
}

/// CNIPA's approval of the progetto esecutivo as agreements records it: a date kept from before
/// acts were recorded has no act.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProgettoEsecutivoApproval {
    pub approved_on: NaiveDate,
    pub act_ref: Option<String>,
    pub approved_by: Option<String>,
}

/// An intervento's tranche plan with its maturity, as agreements' `/v1/tranche-plans/{code}` has it.
#[derive(Debug, Clone, Deserialize)]
pub struct TranchePlan {
    pub intervento_code: String,
    pub kind: String,
    pub progetto_esecutivo_validated_on: Option<NaiveDate>,
    /// Required in the answer (null when not recorded): a plan without it is not read.
    #[serde(deserialize_with = "required")]
    pub progetto_esecutivo: Option<ProgettoEsecutivoApproval>,
    /// The CUP (null until recorded): required in the answer.
    #[serde(deserialize_with = "required")]
    pub cup: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub state: String,
    pub cnipa_cofinancing: Euro,
    pub cofinancing_cap: Percent,
    pub tranches: Vec<Tranche>,
}

/// One source of an intervento's financing (Tavole 1-2).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FinancingSource {
    pub contributor: String,
    pub heading: String,
    pub legal_basis: String,
    pub amount: Money,
    pub cnipa: bool,
}

/// Cost, sources, CNIPA's share against its cap, and the tranches, as agreements has them.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FinancialSummary {
    pub total_cost: Money,
    pub sources: Vec<FinancingSource>,
    pub cnipa_cofinancing: Money,
    pub cofinancing_share: Option<String>,
    pub cofinancing_cap: String,
    pub tranches: Vec<Tranche>,
    pub tranches_paid: Money,
    pub tranches_due: Money,
}

/// An activity of the cronoprogramma, with its planned dates.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PlannedActivity {
    pub code: String,
    pub title: String,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

/// A decision of the Tavolo dei sottoscrittori.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Decision {
    pub kind: String,
    pub decided_on: NaiveDate,
    pub verbale_ref: Option<String>,
    pub summary: String,
}

/// An `Option` field the answer must carry (null allowed, absence refused): serde's default
/// treats a missing `Option` as `None`, which would read a peer that omits it as "not recorded".
fn required<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// Refuses a code that could not be an intervento's before it goes into a peer's path.
pub(crate) fn intervento_code(code: &str) -> Result<&str, ApiError> {
    if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(code)
    } else {
        Err(ApiError::field(
            "code",
            "an intervento code is letters, digits and dashes",
        ))
    }
}

impl Agreements {
    pub async fn atto(&self, number: i32) -> Result<Atto, ApiError> {
        let atti: Items<Atto> = self.0.get("/v1/atti-integrativi", None).await?;
        atti.items
            .into_iter()
            .find(|a| a.number == number)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "atto integrativo n. {number} in the agreements register"
                ))
            })
    }

    /// Every atto integrativo of the register.
    pub async fn atti(&self) -> Result<Vec<Atto>, ApiError> {
        let atti: Items<Atto> = self.0.get("/v1/atti-integrativi", None).await?;
        Ok(atti.items)
    }

    /// The tranches of the intervento `code` the State has paid, each with the day it paid (the
    /// transition to `paid`, its latest when paid again after a revert): the transfers of the
    /// national file (TR00). A paid tranche without its transition is a contract breach, a 503
    /// naming the peer.
    pub async fn paid_tranches(&self, code: &str) -> Result<Vec<PaidTranche>, ApiError> {
        let plan = self.tranche_plan(code).await?;
        let mut out = Vec::new();
        for tranche in plan.tranches.into_iter().filter(|t| t.state == "paid") {
            let history: Items<TrancheTransition> = self
                .0
                .get(&format!("/v1/tranches/{}/transitions", tranche.id), None)
                .await?;
            let paid_at = history
                .items
                .iter()
                .rev()
                .find(|t| t.to_state == "paid")
                .map(|t| t.effective_on)
                .ok_or_else(|| {
                    ApiError::unavailable(format!(
                        "the agreements service (its answer could not be read: the paid tranche {} has no transition to paid)",
                        tranche.id
                    ))
                })?;
            out.push(PaidTranche {
                seq: tranche.seq,
                amount: tranche.amount,
                paid_on: paid_at,
            });
        }
        Ok(out)
    }

    pub async fn intervento(&self, code: &str) -> Result<Intervento, ApiError> {
        let code = intervento_code(code)?;
        let page: Items<Intervento> = self
            .0
            .get_query("/v1/interventi", &[("code", code.to_owned())], None)
            .await?;
        page.items.into_iter().next().ok_or_else(|| {
            ApiError::NotFound(format!("intervento {code} in the agreements register"))
        })
    }

    /// The tranche plan of the intervento `code` and its maturity, in one call.
    pub async fn tranche_plan(&self, code: &str) -> Result<TranchePlan, ApiError> {
        let code = intervento_code(code)?;
        match self.0.get(&format!("/v1/tranche-plans/{code}"), None).await {
            Err(apq_platform::client::PeerError::Status { status, .. })
                if status == reqwest::StatusCode::NOT_FOUND =>
            {
                Err(ApiError::NotFound(format!(
                    "intervento {code} in the agreements register"
                )))
            }
            other => Ok(other?),
        }
    }

    /// Every intervento of the atto `atto`, by code.
    pub async fn interventi(&self, atto: Uuid) -> Result<Vec<Intervento>, ApiError> {
        let page: Items<Intervento> = self
            .0
            .get_query(
                "/v1/interventi",
                &[("atto_id", atto.to_string()), ("limit", "100".to_owned())],
                None,
            )
            .await?;
        Ok(page.items)
    }

    pub async fn financial_summary(&self, intervento: Uuid) -> Result<FinancialSummary, ApiError> {
        Ok(self
            .0
            .get(
                &format!("/v1/interventi/{intervento}/financial-summary"),
                None,
            )
            .await?)
    }

    pub async fn activities(&self, intervento: Uuid) -> Result<Vec<PlannedActivity>, ApiError> {
        let list: Items<PlannedActivity> = self
            .0
            .get(&format!("/v1/interventi/{intervento}/activities"), None)
            .await?;
        Ok(list.items)
    }

    pub async fn decisions(&self, intervento: Uuid) -> Result<Vec<Decision>, ApiError> {
        let list: Items<Decision> = self
            .0
            .get_query(
                "/v1/tavolo-decisions",
                &[("intervento_id", intervento.to_string())],
                None,
            )
            .await?;
        Ok(list.items)
    }

    pub async fn tranches(&self, intervento: Uuid) -> Result<Vec<Tranche>, ApiError> {
        let list: Items<Tranche> = self
            .0
            .get(&format!("/v1/interventi/{intervento}/tranches"), None)
            .await?;
        Ok(list.items)
    }

    /// The intervento's financing and cronoprogramma, for the scheda's snapshot.
    pub async fn snapshot(&self, intervento: &Intervento) -> Result<Value, ApiError> {
        let summary: Value = self
            .0
            .get(
                &format!("/v1/interventi/{}/financial-summary", intervento.id),
                None,
            )
            .await?;
        let activities: Value = self
            .0
            .get(
                &format!("/v1/interventi/{}/activities", intervento.id),
                None,
            )
            .await?;
        let cronoprogramma: Vec<Value> = activities["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "code": a["code"], "title": a["title"], "start_on": a["start_on"],
                            "end_on": a["end_on"], "total_cost": a["total_cost"]
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(serde_json::json!({
            "id": intervento.id,
            "code": intervento.code,
            "title": intervento.title,
            "kind": intervento.kind,
            "sezione": intervento.sezione,
            "cup": intervento.cup,
            "total_cost": intervento.total_cost,
            "cnipa_cofinancing": intervento.cnipa_cofinancing,
            "financing": summary["sources"],
            "cronoprogramma": cronoprogramma,
        }))
    }

    /// Marks a tranche eligible, with the evaluation as evidence, on the caller's authority.
    pub async fn mark_eligible(
        &self,
        tranche: &Tranche,
        evaluation: &Value,
        bearer: &str,
    ) -> Result<Value, ApiError> {
        let body = serde_json::json!({
            "to": "eligible",
            "reason": "Eligibility verified by the monitoring service",
            "act_ref": null,
            "evaluation": evaluation,
        });
        self.0
            .send_with(
                reqwest::Method::POST,
                &format!("/v1/tranches/{}/transitions", tranche.id),
                &body,
                Some(bearer),
                &[("if-match", format!("\"{}\"", tranche.version))],
            )
            .await
            .map_err(ApiError::from)
    }
}

/// The 30% rule's figure as the adhesion service's `/v1/interventi/{code}/commitments` has it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Commitments {
    pub unit: String,
    pub declared_adherents: i64,
    pub registered_adherents: i64,
    pub committed_adherents: i64,
    pub committed_share: Percent,
    pub inconsistency: Option<String>,
}

/// The adhesion figures as `/v1/figures` has them (the Rapporto's adherents and services by
/// province).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Counts {
    pub adhering_comuni: i64,
    pub committed_comuni: i64,
    pub committed_share: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ServiceCounts {
    pub service_number: i32,
    pub service_name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProvinceCounts {
    pub province: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
    pub services_activated: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Figures {
    pub as_of: NaiveDate,
    pub overall: Counts,
    #[serde(default)]
    pub by_service: Vec<ServiceCounts>,
    #[serde(default)]
    pub by_province: Vec<ProvinceCounts>,
}

impl Adhesion {
    /// The figures of the programme's region (the APQ is Tuscan: region 09).
    pub async fn figures(&self, as_of: NaiveDate, region_code: &str) -> Result<Figures, ApiError> {
        Ok(self
            .0
            .get_query(
                "/v1/figures",
                &[
                    ("as_of", as_of.to_string()),
                    ("region_code", region_code.to_owned()),
                ],
                None,
            )
            .await?)
    }

    /// The adherents of `code` with signed commitments to `services` by `as_of`, over the
    /// declared adherents.
    pub async fn commitments(
        &self,
        code: &str,
        as_of: NaiveDate,
        services: &[i32],
    ) -> Result<Option<Commitments>, ApiError> {
        let code = intervento_code(code)?;
        let mut query = vec![("as_of", as_of.to_string())];
        if !services.is_empty() {
            let services: Vec<String> = services.iter().map(i32::to_string).collect();
            query.push(("services", services.join(",")));
        }
        let path = format!("/v1/interventi/{code}/commitments");
        match self.0.get_query(&path, &query, None).await {
            // No declared adherents: the rule has no denominator, so it does not hold.
            Err(apq_platform::client::PeerError::Status { status, .. })
                if status == reqwest::StatusCode::NOT_FOUND =>
            {
                Ok(None)
            }
            other => Ok(Some(other?)),
        }
    }
}

#[derive(Clone)]
pub struct Catalogue(pub PeerClient);

#[derive(Debug, Clone, Deserialize)]
struct ServiceNumber {
    number: i32,
}

#[derive(Debug, Clone, Deserialize)]
struct ServicePage {
    items: Vec<ServiceNumber>,
}

/// A catalogue service as the eligibility check needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogueService {
    pub number: i32,
    pub status: String,
    pub record: CatalogueRecord,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogueRecord {
    pub name: String,
    pub intervento_code: Option<String>,
    pub go_live: GoLive,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoLive {
    pub kind: String,
    pub date: Option<NaiveDate>,
    pub months: Option<i32>,
}

impl Catalogue {
    /// The catalogue services the intervento `code` finances.
    pub async fn services_of(&self, code: &str) -> Result<Vec<CatalogueService>, ApiError> {
        let page: ServicePage = self
            .0
            .get_query("/v1/services", &[("limit", "200".to_owned())], None)
            .await?;
        let mut own = Vec::new();
        for entry in page.items {
            let service: CatalogueService = self
                .0
                .get(&format!("/v1/services/{}", entry.number), None)
                .await?;
            if service.record.intervento_code.as_deref() == Some(code) {
                own.push(service);
            }
        }
        Ok(own)
    }
}
