//! Tranche eligibility, evaluated with live data from three services: the tranche plan and the
//! intervento's maturity from agreements, the share of adhering comuni with signed commitments
//! from adhesion, and the SAL, the approved Piano and the verified operation from monitoring's
//! own records. Each condition is reported with its figures; a peer that is down gives 503.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::Role;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Path, Query};
use apq_platform::{ApiError, Caller};
use chrono::NaiveDate;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::deadlines::Obligation;
use crate::indicators::verified_months;
use crate::peers::{Adhesion, Agreements, Tranche};
use crate::report::format as it;
use crate::schede::SchedaState;
use crate::schema::{obligations_done, schede};

/// The region whose comuni the adhesion share counts: the APQ is Regione Toscana's.
const PROGRAMME_REGION: &str = "09";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ConditionCheck {
    /// plan_approved, progetto_esecutivo, sal, adhesion_share or months_of_operation.
    pub condition: String,
    pub holds: bool,
    /// What the data say now.
    pub figure: String,
    /// What the condition needs.
    pub required: String,
    /// What the data say now, in Italian, as the Rapporto di monitoraggio prints it.
    #[serde(default)]
    pub figure_it: String,
    /// What the condition needs, in Italian.
    #[serde(default)]
    pub required_it: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrancheEligibility {
    #[schema(format = Int32)]
    pub seq: i32,
    pub share: String,
    pub amount: String,
    /// The tranche's state in the agreements register.
    pub state: String,
    pub condition: String,
    pub checks: Vec<ConditionCheck>,
    /// Every condition holds.
    pub eligible: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    pub intervento_code: String,
    pub as_of: NaiveDate,
    pub tranches: Vec<TrancheEligibility>,
}

/// What monitoring's own records say.
struct Local {
    plan_approved: Option<NaiveDate>,
    validated_sals: Vec<Decimal>,
    months: i32,
}

fn local(conn: &mut PgConnection, code: &str, as_of: NaiveDate) -> QueryResult<Local> {
    let plan_approved = obligations_done::table
        .filter(obligations_done::kind.eq(Obligation::PianoApproved.as_str()))
        .filter(obligations_done::done_on.le(as_of))
        .select(obligations_done::done_on)
        .first(conn)
        .optional()?;
    let validated_sals = schede::table
        .filter(schede::intervento_code.eq(code))
        .filter(schede::state.eq(SchedaState::Validated.as_str()))
        .order(schede::semester.asc())
        .select(schede::sal)
        .load(conn)?;
    Ok(Local {
        plan_approved,
        validated_sals,
        months: verified_months(conn, code)?,
    })
}

fn percent(raw: &str) -> Decimal {
    raw.parse().unwrap_or(Decimal::ONE_HUNDRED)
}

fn check(
    tranche: &Tranche,
    local: &Local,
    progetto: Option<NaiveDate>,
    share: Option<Decimal>,
) -> Vec<ConditionCheck> {
    let c = &tranche.condition;
    let mut checks = Vec::new();
    if c.requires_plan_approved {
        checks.push(ConditionCheck {
            condition: "plan_approved".to_owned(),
            holds: local.plan_approved.is_some(),
            figure: local
                .plan_approved
                .map(|d| format!("approved on {d}"))
                .unwrap_or_else(|| "not approved".to_owned()),
            required: "the Piano di monitoraggio approved by CNIPA".to_owned(),
            figure_it: local
                .plan_approved
                .map(|d| format!("approvato il {}", it::date(d)))
                .unwrap_or_else(|| "non approvato".to_owned()),
            required_it: "Piano di monitoraggio approvato dal CNIPA".to_owned(),
        });
    }
    if c.requires_progetto_esecutivo {
        checks.push(ConditionCheck {
            condition: "progetto_esecutivo".to_owned(),
            holds: progetto.is_some(),
            figure: progetto
                .map(|d| format!("validated on {d}"))
                .unwrap_or_else(|| "not validated".to_owned()),
            required: "the progetto esecutivo approved by CNIPA".to_owned(),
            figure_it: progetto
                .map(|d| format!("validato il {}", it::date(d)))
                .unwrap_or_else(|| "non validato".to_owned()),
            required_it: "progetto esecutivo approvato dal CNIPA".to_owned(),
        });
    }
    if let Some(n) = c.sal_verification {
        let verifications = local.validated_sals.len();
        let best = local
            .validated_sals
            .iter()
            .copied()
            .max()
            .unwrap_or(Decimal::ZERO);
        let threshold = c.sal_threshold.as_deref().map(percent);
        let holds = verifications >= usize::try_from(n).unwrap_or(usize::MAX)
            && threshold.is_none_or(|t| best >= t);
        checks.push(ConditionCheck {
            condition: "sal".to_owned(),
            holds,
            figure: format!("{verifications} validated SAL verification(s), highest SAL {best}%"),
            required: match threshold {
                Some(t) => format!("SAL verification n. {n} with SAL >= {t}%"),
                None => format!("{n} positive SAL verification(s)"),
            },
            figure_it: format!(
                "verifiche SAL validate: {}; SAL massimo {}",
                it::count(i64::try_from(verifications).unwrap_or(i64::MAX)),
                it::percent(best)
            ),
            required_it: match threshold {
                Some(t) => format!(
                    "verifica SAL n. {n} con SAL almeno pari a {}",
                    it::percent(t)
                ),
                None => format!("verifiche SAL positive: almeno {n}"),
            },
        });
    }
    if let Some(threshold) = c.adhesion_share_threshold.as_deref().map(percent) {
        checks.push(ConditionCheck {
            condition: "adhesion_share".to_owned(),
            holds: share.is_some_and(|s| s >= threshold),
            figure: share
                .map(|s| format!("{s}% of adhering comuni have signed commitments"))
                .unwrap_or_else(|| "no adhering comuni".to_owned()),
            required: format!(">= {threshold}% of adhering comuni with signed commitments"),
            figure_it: share
                .map(|s| {
                    format!(
                        "il {} dei comuni aderenti ha sottoscritto gli impegni",
                        it::percent(s)
                    )
                })
                .unwrap_or_else(|| "nessun comune aderente".to_owned()),
            required_it: format!(
                "impegni sottoscritti da almeno il {} dei comuni aderenti",
                it::percent(threshold)
            ),
        });
    }
    if let Some(months) = c.months_of_operation {
        checks.push(ConditionCheck {
            condition: "months_of_operation".to_owned(),
            holds: local.months >= months,
            figure: format!("{} months of verified operation", local.months),
            required: format!(">= {months} months of verified operation"),
            figure_it: format!(
                "mesi di esercizio verificato: {}",
                it::count(i64::from(local.months))
            ),
            required_it: format!("almeno {months} mesi di esercizio verificato"),
        });
    }
    checks
}

/// Evaluates every tranche of `code` at `as_of`.
pub async fn evaluate(
    pool: &PgPool,
    agreements: &Agreements,
    adhesion: &Adhesion,
    code: &str,
    as_of: NaiveDate,
) -> Result<(Eligibility, Vec<Tranche>), ApiError> {
    // The tranche plan and monitoring's own records are independent: fetch them at once. The
    // region's figures are asked for only when a tranche's condition needs them.
    let owned = code.to_owned();
    let (plan, local) = tokio::join!(
        agreements.tranche_plan(code),
        run_db(pool, move |conn| Ok::<_, ApiError>(local(
            conn, &owned, as_of
        )?)),
    );
    let (plan, local) = (plan?, local?);
    let tranches = plan.tranches;
    let share = if tranches
        .iter()
        .any(|t| t.condition.adhesion_share_threshold.is_some())
    {
        let figures = adhesion.figures(as_of, PROGRAMME_REGION).await?;
        figures.overall.committed_share.as_deref().map(percent)
    } else {
        None
    };
    let progetto = plan.progetto_esecutivo_validated_on;
    let evaluated = tranches
        .iter()
        .map(|t| {
            let checks = check(t, &local, progetto, share);
            TrancheEligibility {
                seq: t.seq,
                share: t.share.clone(),
                amount: t.amount.amount.clone(),
                state: t.state.clone(),
                condition: t.condition.text.clone(),
                eligible: checks.iter().all(|c| c.holds),
                checks,
            }
        })
        .collect();
    Ok((
        Eligibility {
            intervento_code: plan.intervento_code,
            as_of,
            tranches: evaluated,
        },
        tranches,
    ))
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The date the conditions are judged at (default: today).
    pub as_of: Option<NaiveDate>,
}

/// Which tranches of an intervento are eligible now, condition by condition, with the figures.
/// Public.
#[utoipa::path(
    tag = "eligibility",
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI"), AsOf),
    responses(
        (status = 200, description = "The evaluation", body = Eligibility),
    )
)]
#[get("/interventi/{code}/eligibility")]
pub async fn get(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    path: Path<CodePath>,
    query: Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (eligibility, _) = evaluate(&pool, &agreements, &adhesion, &path.code, as_of).await?;
    Ok(HttpResponse::Ok().json(eligibility))
}

#[derive(Debug, Deserialize)]
pub struct TranchePath {
    pub code: String,
    pub seq: i32,
}

/// Marks a planned tranche eligible in the agreements register, through its API, if and only if
/// its conditions hold now (admin, responsabile_accordo, sync; the caller's authority is passed
/// on). The evaluation is kept as the transition's evidence.
#[utoipa::path(
    tag = "eligibility",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The intervento's code"), ("seq" = i32, Path, description = "The tranche's number")),
    responses(
        (status = 200, description = "The tranche as the agreements register now has it"),
        (status = 409, description = "A condition does not hold, or the tranche is not planned", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/interventi/{code}/tranches/{seq}/eligibility")]
pub async fn mark(
    caller: Caller,
    req: HttpRequest,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    path: Path<TranchePath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo, Role::Sync])?;
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()))
        .unwrap_or_default();
    let today = chrono::Utc::now().date_naive();
    let (eligibility, tranches) =
        evaluate(&pool, &agreements, &adhesion, &path.code, today).await?;
    let evaluated = eligibility
        .tranches
        .iter()
        .find(|t| t.seq == path.seq)
        .ok_or_else(|| ApiError::NotFound(format!("tranche {} of {}", path.seq, path.code)))?;
    let tranche = tranches
        .iter()
        .find(|t| t.seq == path.seq)
        .ok_or_else(|| ApiError::NotFound(format!("tranche {} of {}", path.seq, path.code)))?;
    if !evaluated.eligible {
        let failing: Vec<String> = evaluated
            .checks
            .iter()
            .filter(|c| !c.holds)
            .map(|c| format!("{}: {} (needs {})", c.condition, c.figure, c.required))
            .collect();
        return Err(ApiError::Conflict(format!(
            "tranche {} of {} is not eligible: {}",
            path.seq,
            path.code,
            failing.join("; ")
        )));
    }
    let evidence = serde_json::to_value(evaluated).map_err(ApiError::internal)?;
    let marked = agreements
        .mark_eligible(tranche, &evidence, &bearer)
        .await?;
    Ok(HttpResponse::Ok().json(marked))
}
