//! Typed clients of the services monitoring reads: agreements (the atto, its interventi, their
//! money and tranches) and adhesion (the programme's figures). A peer that is down or slow gives
//! a 503 problem naming it, never a wrong answer.

use apq_domain::Euro;
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

// What agreements answers, read with the types it answers with (`apq_domain::contracts`): a
// field agreements renames or retypes breaks this crate's build.
pub use apq_domain::contracts::agreements::{
    Activity, ActivityList, Atto, AttoList, Decision as TavoloDecision, DecisionList,
    FinancialSummary, FinancingSource, Intervento, InterventoState, Kind, Maturity,
    ProgettoEsecutivoApproval, Sezione, Tranche, TrancheCondition, TrancheList, TranchePlan,
    TrancheState, Transition as TrancheTransition, TransitionList,
};

/// A tranche the State has paid: a transfer of the national file (TR00).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PaidTranche {
    pub seq: i32,
    pub amount: Euro,
    /// The day the State paid it, as the register's transition to `paid` says.
    pub paid_on: NaiveDate,
}

/// An activity of the cronoprogramma as the report keeps it: its planned dates (an issued
/// report freezes it in this shape).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PlannedActivity {
    pub code: String,
    pub title: String,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

impl From<Activity> for PlannedActivity {
    fn from(a: Activity) -> Self {
        Self {
            code: a.code,
            title: a.title,
            start_on: a.start_on,
            end_on: a.end_on,
        }
    }
}

/// An activity as a scheda's snapshot keeps it: its planned dates and its cost.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct CostedActivity {
    code: String,
    title: String,
    start_on: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
    total_cost: Euro,
}

impl From<Activity> for CostedActivity {
    fn from(a: Activity) -> Self {
        Self {
            code: a.code,
            title: a.title,
            start_on: a.start_on,
            end_on: a.end_on,
            total_cost: a.total_cost,
        }
    }
}

/// What a scheda keeps of its intervento when it is opened: its identity, money, financing and
/// cronoprogramma as agreements had them.
#[derive(Debug, Serialize)]
struct Snapshot<'a> {
    id: Uuid,
    code: &'a str,
    title: &'a str,
    kind: Kind,
    sezione: Sezione,
    cup: Option<&'a apq_domain::Cup>,
    total_cost: Euro,
    cnipa_cofinancing: Euro,
    financing: Vec<FinancingSource>,
    cronoprogramma: Vec<CostedActivity>,
}

/// A decision of the Tavolo dei sottoscrittori as a report keeps it: what agreements answers
/// (the contract's [`TavoloDecision`]) reduced to what the report shows. An issued report freezes
/// its data with these four fields, so its shape stays as issued reports have it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Decision {
    pub kind: String,
    pub decided_on: NaiveDate,
    pub verbale_ref: Option<String>,
    pub summary: String,
}

impl From<TavoloDecision> for Decision {
    fn from(decision: TavoloDecision) -> Self {
        Self {
            kind: decision.kind,
            decided_on: decision.decided_on,
            verbale_ref: decision.verbale_ref,
            summary: decision.summary,
        }
    }
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
        let atti: AttoList = self.0.get("/v1/atti-integrativi", None).await?;
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
        let atti: AttoList = self.0.get("/v1/atti-integrativi", None).await?;
        Ok(atti.items)
    }

    /// The tranches of the intervento `code` the State has paid, each with the day it paid (the
    /// transition to `paid`, its latest when paid again after a revert): the transfers of the
    /// national file (TR00). A paid tranche without its transition is a contract breach, a 503
    /// naming the peer.
    pub async fn paid_tranches(&self, code: &str) -> Result<Vec<PaidTranche>, ApiError> {
        let plan = self.tranche_plan(code).await?;
        let mut out = Vec::new();
        for tranche in plan
            .tranches
            .into_iter()
            .filter(|t| t.state == TrancheState::Paid)
        {
            let history: TransitionList = self
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

    pub async fn activities(&self, intervento: Uuid) -> Result<Vec<Activity>, ApiError> {
        let list: ActivityList = self
            .0
            .get(&format!("/v1/interventi/{intervento}/activities"), None)
            .await?;
        Ok(list.items)
    }

    pub async fn decisions(&self, intervento: Uuid) -> Result<Vec<Decision>, ApiError> {
        let list: DecisionList = self
            .0
            .get_query(
                "/v1/tavolo-decisions",
                &[("intervento_id", intervento.to_string())],
                None,
            )
            .await?;
        Ok(list.items.into_iter().map(Decision::from).collect())
    }

    pub async fn tranches(&self, intervento: Uuid) -> Result<Vec<Tranche>, ApiError> {
        let list: TrancheList = self
            .0
            .get(&format!("/v1/interventi/{intervento}/tranches"), None)
            .await?;
        Ok(list.items)
    }

    /// The intervento's financing and cronoprogramma, for the scheda's snapshot.
    pub async fn snapshot(&self, intervento: &Intervento) -> Result<Value, ApiError> {
        let summary = self.financial_summary(intervento.id).await?;
        let activities = self.activities(intervento.id).await?;
        let snapshot = Snapshot {
            id: intervento.id,
            code: &intervento.code,
            title: &intervento.title,
            kind: intervento.kind,
            sezione: intervento.sezione,
            cup: intervento.cup.as_ref(),
            total_cost: intervento.total_cost,
            cnipa_cofinancing: intervento.cnipa_cofinancing,
            financing: summary.sources,
            cronoprogramma: activities.into_iter().map(CostedActivity::from).collect(),
        };
        serde_json::to_value(snapshot).map_err(ApiError::internal)
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

// What adhesion answers, read with the types it answers with.
pub use apq_domain::contracts::adhesion::{
    Commitments, Counts, Figures, ProvinceCounts, ServiceCounts,
};

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

// A catalogue service and a page of the list, read with the types the catalogue answers with.
pub use apq_domain::contracts::catalogue::{
    GoLive, GoLiveKind, ServiceEntry as CatalogueService, ServicePage,
    ServiceRecord as CatalogueRecord, ServiceStatus,
};

impl Catalogue {
    /// The catalogue services the intervento `code` finances.
    pub async fn services_of(&self, code: &str) -> Result<Vec<CatalogueService>, ApiError> {
        let query = [
            ("intervento_code", code.to_owned()),
            ("limit", "200".to_owned()),
        ];
        let page: ServicePage = self.0.get_query("/v1/services", &query, None).await?;
        let full = page.items.into_iter().map(|entry| async move {
            self.0
                .get::<CatalogueService>(&format!("/v1/services/{}", entry.number), None)
                .await
        });
        let services = futures_util::future::try_join_all(full).await?;
        // The list is filtered by the catalogue; each record read in full says so again.
        Ok(services
            .into_iter()
            .filter(|s| s.record.intervento_code.as_deref() == Some(code))
            .collect())
    }
}
