//! What a Rapporto di monitoraggio is made from, read from monitoring's own records and, over
//! HTTP and at once, from the agreements and adhesion services. This is what an issued report
//! freezes: the same data always give the same document.

use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};

use crate::calendar::load_done;
use crate::deadlines::{Obligation, SemesterDeadlines, for_semester, piano_due};
use crate::defaults::Default_;
use crate::delivery::{self, IND_13, IndicatorComputation};
use crate::eligibility::{Eligibility, Peers, evaluate};
use crate::indicators::{Indicator, load_all};
use crate::peers::{
    Decision, Figures, FinancialSummary, FinancingSource, Intervento, InterventoState, Kind,
    Maturity, PlannedActivity, Sezione, Tranche, TrancheCondition, TrancheState,
};
use crate::schede::{Scheda, SchedaFilter, find};
use crate::schema::defaults;

/// The atto the report is about: the IV Atto Integrativo.
pub const ATTO_NUMBER: i32 = 4;
/// The APQ is Regione Toscana's: its comuni are the ones counted.
const PROGRAMME_REGION: &str = "09";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttoData {
    pub number: i32,
    pub signed_on: Option<NaiveDate>,
}

/// What an issued report keeps of an intervento as agreements answered it: the fields the report
/// shows, in the contract's types, and read back from reports issued before the contract was
/// shared (whose `state`, `cofinancing_share` and `cofinancing_cap` may be absent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportIntervento {
    pub id: uuid::Uuid,
    pub atto_id: uuid::Uuid,
    pub code: String,
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
    pub cup: Option<apq_domain::Cup>,
    pub total_cost: apq_domain::Euro,
    pub cnipa_cofinancing: apq_domain::Euro,
    pub maturity: Maturity,
    #[serde(default)]
    pub state: Option<InterventoState>,
    #[serde(default)]
    pub cofinancing_share: Option<apq_domain::Percent>,
    #[serde(default)]
    pub cofinancing_cap: Option<apq_domain::Percent>,
}

impl From<Intervento> for ReportIntervento {
    fn from(i: Intervento) -> Self {
        Self {
            id: i.id,
            atto_id: i.atto_id,
            code: i.code,
            title: i.title,
            kind: i.kind,
            sezione: i.sezione,
            cup: i.cup,
            total_cost: i.total_cost,
            cnipa_cofinancing: i.cnipa_cofinancing,
            maturity: i.maturity,
            state: Some(i.state),
            cofinancing_share: i.cofinancing_share,
            cofinancing_cap: Some(i.cofinancing_cap),
        }
    }
}

/// What an issued report keeps of a tranche.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportTranche {
    pub id: uuid::Uuid,
    pub seq: i32,
    pub share: apq_domain::Percent,
    pub amount: apq_domain::Euro,
    pub condition: TrancheCondition,
    pub state: TrancheState,
    pub version: i64,
}

impl From<Tranche> for ReportTranche {
    fn from(t: Tranche) -> Self {
        Self {
            id: t.id,
            seq: t.seq,
            share: t.share,
            amount: t.amount,
            condition: t.condition,
            state: t.state,
            version: t.version,
        }
    }
}

/// What an issued report keeps of an intervento's financial summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportFinance {
    pub total_cost: apq_domain::Euro,
    pub sources: Vec<FinancingSource>,
    pub cnipa_cofinancing: apq_domain::Euro,
    pub cofinancing_share: Option<apq_domain::Percent>,
    pub cofinancing_cap: apq_domain::Percent,
    pub tranches: Vec<ReportTranche>,
    pub tranches_paid: apq_domain::Euro,
    pub tranches_due: apq_domain::Euro,
}

impl From<FinancialSummary> for ReportFinance {
    fn from(f: FinancialSummary) -> Self {
        Self {
            total_cost: f.total_cost,
            sources: f.sources,
            cnipa_cofinancing: f.cnipa_cofinancing,
            cofinancing_share: f.cofinancing_share,
            cofinancing_cap: f.cofinancing_cap,
            tranches: f.tranches.into_iter().map(ReportTranche::from).collect(),
            tranches_paid: f.tranches_paid,
            tranches_due: f.tranches_due,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterventoData {
    pub intervento: ReportIntervento,
    pub finance: ReportFinance,
    pub activities: Vec<PlannedActivity>,
    pub decisions: Vec<Decision>,
    pub eligibility: Eligibility,
    /// The semester's scheda, if one was opened.
    pub scheda: Option<Scheda>,
}

/// One obligation of the semester (or the one-off Piano di monitoraggio).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObligationData {
    pub obligation: Obligation,
    pub semester: Option<Semester>,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportData {
    pub semester: Semester,
    /// The date the figures are read at (conditions, lateness, adhesion).
    pub as_of: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub atto: AttoData,
    pub deadlines: SemesterDeadlines,
    pub interventi: Vec<InterventoData>,
    pub indicators: Vec<Indicator>,
    /// IND-13 as computed at `as_of` (absent in reports issued before it was computed, and
    /// where the indicator is not defined).
    #[serde(default)]
    pub computed: Option<IndicatorComputation>,
    pub obligations: Vec<ObligationData>,
    /// The defaults still open (not resolved).
    pub open_defaults: Vec<Default_>,
    pub adhesion: Figures,
}

struct Local {
    schede: Vec<Scheda>,
    indicators: Vec<Indicator>,
    done: Vec<(String, String, NaiveDate)>,
    open_defaults: Vec<Default_>,
}

fn local(conn: &mut PgConnection, semester: Semester) -> Result<Local, ApiError> {
    let schede = find(
        conn,
        &SchedaFilter {
            semester: Some(semester),
            intervento_code: None,
            state: None,
        },
    )?;
    let open_defaults = defaults::table
        .filter(defaults::state.ne(crate::defaults::DefaultState::Resolved))
        .order(defaults::opened_on.asc())
        .select(Default_::as_select())
        .load(conn)?;
    Ok(Local {
        schede,
        indicators: load_all(conn)?,
        done: load_done(conn)?,
        open_defaults,
    })
}

/// The semester's obligations with what is done, from the signature's calendar.
fn obligations(
    semester: Semester,
    signed_on: Option<NaiveDate>,
    done: &[(String, String, NaiveDate)],
) -> Vec<ObligationData> {
    let deadlines = for_semester(semester);
    let done_on = |kind: Obligation, key: &str| {
        done.iter()
            .find(|(k, s, _)| k == kind.as_str() && s == key)
            .map(|(_, _, d)| *d)
    };
    let mut out = Vec::new();
    if let Some(signed_on) = signed_on {
        let due = piano_due(signed_on);
        if due <= deadlines.ends_on {
            for kind in [Obligation::PianoSubmitted, Obligation::PianoApproved] {
                out.push(ObligationData {
                    obligation: kind,
                    semester: None,
                    due_on: due,
                    done_on: done_on(kind, ""),
                });
            }
        }
    }
    let key = semester.to_string();
    // The validation request has no deadline of its own (the seed says "successivamente"):
    // it is an obligation of the semester only where one is fixed.
    for (kind, due_on) in [
        (Obligation::DataEntry, Some(deadlines.data_entry)),
        (Obligation::ValidationRequest, deadlines.validation_request),
        (Obligation::Rapporto, Some(deadlines.rapporto)),
    ]
    .into_iter()
    .filter_map(|(kind, due_on)| due_on.map(|due_on| (kind, due_on)))
    {
        out.push(ObligationData {
            obligation: kind,
            semester: Some(semester),
            due_on,
            done_on: done_on(kind, &key),
        });
    }
    out
}

/// Reads everything the report needs: monitoring's records, then every intervento of the atto
/// with its money, cronoprogramma, the Tavolo's decisions and its tranches' eligibility, all
/// fetched concurrently. A peer that cannot be read fails the whole report with its 503.
pub async fn gather(
    pool: &PgPool,
    peers: Peers<'_>,
    semester: Semester,
    as_of: NaiveDate,
) -> Result<ReportData, ApiError> {
    let Peers {
        agreements,
        adhesion,
        catalogue,
    } = peers;
    let (local, atto, figures) = tokio::join!(
        run_db(pool, move |conn| local(conn, semester)),
        agreements.atto(ATTO_NUMBER),
        adhesion.figures(as_of, PROGRAMME_REGION),
    );
    let (local, atto, figures) = (local?, atto?, figures?);
    let interventi = agreements.interventi(atto.id).await?;
    let per_intervento = interventi.into_iter().map(|intervento| {
        let scheda = local
            .schede
            .iter()
            .find(|s| s.intervento_code == intervento.code)
            .cloned();
        async move {
            let (finance, activities, decisions, eligibility) = tokio::try_join!(
                agreements.financial_summary(intervento.id),
                agreements.activities(intervento.id),
                agreements.decisions(intervento.id),
                evaluate(pool, peers, &intervento.code, as_of),
            )?;
            Ok::<_, ApiError>(InterventoData {
                intervento: intervento.into(),
                finance: finance.into(),
                activities: activities.into_iter().map(PlannedActivity::from).collect(),
                decisions,
                eligibility: eligibility.0,
                scheda,
            })
        }
    });
    let interventi = try_join_all(per_intervento).await?;
    let computed = match local.indicators.iter().any(|i| i.code == IND_13) {
        true => Some(delivery::computed(pool, agreements, catalogue, as_of).await?),
        false => None,
    };
    Ok(ReportData {
        semester,
        as_of,
        generated_at: Utc::now(),
        atto: AttoData {
            number: atto.number,
            signed_on: atto.signed_on,
        },
        deadlines: for_semester(semester),
        obligations: obligations(semester, atto.signed_on, &local.done),
        interventi,
        indicators: local.indicators,
        computed,
        open_defaults: local.open_defaults,
        adhesion: figures,
    })
}
