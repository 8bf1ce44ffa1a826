//! Tranche eligibility, evaluated with live data from four places: the tranche plan, the
//! intervento's start, state and co-financing cap from agreements; the intervento's own services
//! (active, past their go-live) from the catalogue; its adherents with signed commitments over
//! the Atto's declared count from adhesion; the SAL, CNIPA's verifications (this intervento's
//! Piano, admissibility, completion) and the verified operation from monitoring's own records.
//! Every condition of art. 4.2 and 5.5 is reported with its figures; none fails open: a peer that
//! is down, or whose figure cannot be read, gives 503 naming it (and the field).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use apq_domain::{Euro, Percent, Role};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Path, Query};
use apq_platform::{ApiError, Caller};
use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::indicators::verified_months;
use crate::obligations::{InterventoObligation, cup_obligation};
use crate::peers::{
    Adhesion, Agreements, Catalogue, CatalogueService, Commitments, GoLiveKind, InterventoState,
    ProgettoEsecutivoApproval, ServiceStatus, Tranche, TrancheState,
};
use crate::report::format as it;
use crate::schede::SchedaState;
use crate::schema::schede;
use crate::verifications::{self, Verification, VerificationKind};

mod rules;

impl From<rules::MarkError> for ApiError {
    fn from(error: rules::MarkError) -> Self {
        ApiError::Conflict(error.to_string())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ConditionCheck {
    /// plan_approved, progetto_esecutivo, sal, services_usable, adhesion_share,
    /// admissibility, completion, months_of_operation or co_financing.
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
    pub share: Percent,
    pub amount: Euro,
    /// The tranche's state in the agreements register.
    pub state: String,
    pub condition: String,
    pub checks: Vec<ConditionCheck>,
    /// Every condition holds.
    pub eligible: bool,
}

/// Art. 4.3 / 5.5: CNIPA's co-financing may not exceed the cap (50% ALI, 40% RIUSO) of the
/// cost; paid tranches above the cap applied to the actual cost are to be recovered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recovery {
    /// The tranches paid.
    pub paid: Euro,
    /// The actual cost: the payments of the latest validated scheda (absent without one).
    pub actual_cost: Option<Euro>,
    pub cap: Percent,
    /// The cap applied to the actual cost.
    pub ceiling: Option<Euro>,
    /// Paid above the ceiling, to the cent (zero when within it; absent when the actual cost
    /// is not known).
    pub to_recover: Option<Euro>,
    pub figure: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Eligibility {
    pub intervento_code: String,
    pub as_of: NaiveDate,
    pub tranches: Vec<TrancheEligibility>,
    pub recovery: Recovery,
    /// Where the figures disagree with what the Atto declares (e.g. registered adherents
    /// against the declared count), both figures stated.
    pub inconsistencies: Vec<String>,
    /// The monitoring's obligations on the intervento and whether they are pending (the CUP,
    /// art. 7.2.h).
    #[serde(default)]
    pub obligations: Vec<InterventoObligation>,
}

/// What monitoring's own records say.
struct Local {
    plan_approved: Option<Verification>,
    admissibility: Option<Verification>,
    completion: Option<Verification>,
    /// The validated schede, oldest semester first: (SAL, payments).
    validated: Vec<(Decimal, Decimal)>,
    months: i32,
}

fn local(conn: &mut PgConnection, code: &str, as_of: NaiveDate) -> QueryResult<Local> {
    let last_holding = |v: Vec<Verification>| v.into_iter().rev().find(|v| v.holds);
    let plan_approved = last_holding(verifications::of(
        conn,
        code,
        Some(VerificationKind::PianoApproved),
        as_of,
    )?);
    // Admissibility "still holds": the latest verification says so.
    let admissibility =
        verifications::of(conn, code, Some(VerificationKind::Admissibility), as_of)?
            .into_iter()
            .last();
    let completion = last_holding(verifications::of(
        conn,
        code,
        Some(VerificationKind::Completion),
        as_of,
    )?);
    let validated = schede::table
        .filter(schede::intervento_code.eq(code))
        .filter(schede::state.eq(SchedaState::Validated.as_str()))
        .order(schede::semester.asc())
        .select((schede::sal, schede::payments))
        .load(conn)?;
    Ok(Local {
        plan_approved,
        admissibility,
        completion,
        validated,
        months: verified_months(conn, code)?,
    })
}

fn verified(v: &Verification) -> String {
    format!("on {} ({}, by {})", v.verified_on, v.act_ref, v.verified_by)
}

fn verified_it(v: &Verification) -> String {
    format!(
        "il {} ({}, da {})",
        it::date(v.verified_on),
        v.act_ref,
        v.verified_by
    )
}

/// Why a service is not usable yet, in the answer's two languages.
enum NotLive {
    NoDate,
    NotBefore(NaiveDate),
    NoMonths,
    StartNotRecorded(u32),
    OutOfRange,
    FromAvailability(i32),
    Unknown(String),
}

impl NotLive {
    fn en(&self) -> String {
        match self {
            NotLive::NoDate => "no go-live date".to_owned(),
            NotLive::NotBefore(bound) => {
                format!("goes live not before {bound}; its go-live is not recorded")
            }
            NotLive::NoMonths => "no go-live months".to_owned(),
            NotLive::StartNotRecorded(months) => {
                format!("go-live {months} months from the ALI's start, which is not recorded")
            }
            NotLive::OutOfRange => "go-live out of range".to_owned(),
            NotLive::FromAvailability(months) => format!(
                "go-live {months} months from the service's availability, which has no date"
            ),
            NotLive::Unknown(kind) => format!("go-live not known ({kind})"),
        }
    }

    fn it(&self) -> String {
        match self {
            NotLive::NoDate => "nessuna data di avvio".to_owned(),
            NotLive::NotBefore(bound) => format!(
                "avvio non prima del {}; la data di avvio non è registrata",
                it::date(*bound)
            ),
            NotLive::NoMonths => "mesi di avvio non indicati".to_owned(),
            NotLive::StartNotRecorded(months) => {
                format!("avvio a {months} mesi dall'inizio di ALI, la cui data non è registrata")
            }
            NotLive::OutOfRange => "data di avvio fuori intervallo".to_owned(),
            NotLive::FromAvailability(months) => format!(
                "avvio a {months} mesi dalla disponibilità del servizio, che non ha una data"
            ),
            NotLive::Unknown(_) => "data di avvio non nota".to_owned(),
        }
    }
}

/// When a service goes live, or why that cannot be said.
fn go_live(
    service: &CatalogueService,
    started_on: Option<NaiveDate>,
) -> Result<NaiveDate, NotLive> {
    let g = &service.record.go_live;
    match g.kind {
        GoLiveKind::AlreadyLive => Ok(NaiveDate::MIN),
        GoLiveKind::Absolute => g.date.ok_or(NotLive::NoDate),
        // A lower bound is not a go-live: the service is not usable until one is recorded.
        GoLiveKind::NotBefore => Err(g.date.map_or(NotLive::NoDate, NotLive::NotBefore)),
        GoLiveKind::RelativeToAliStart => {
            let months = g
                .months
                .and_then(|m| u32::try_from(m).ok())
                .ok_or(NotLive::NoMonths)?;
            let start = started_on.ok_or(NotLive::StartNotRecorded(months))?;
            start
                .checked_add_months(Months::new(months))
                .ok_or(NotLive::OutOfRange)
        }
        GoLiveKind::RelativeToAvailability => {
            Err(NotLive::FromAvailability(g.months.unwrap_or_default()))
        }
        GoLiveKind::Unknown => Err(NotLive::Unknown(g.kind.as_str().to_owned())),
    }
}

fn services_check(
    code: &str,
    services: &[CatalogueService],
    started_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> ConditionCheck {
    let mut not_usable = Vec::new();
    let mut non_fruibili = Vec::new();
    for s in services {
        let why = if s.status == ServiceStatus::Withdrawn {
            Some((format!("status {}", s.status), "stato ritirato".to_owned()))
        } else {
            match go_live(s, started_on) {
                Ok(date) if date <= as_of => None,
                Ok(date) => Some((
                    format!("goes live on {date}"),
                    format!("avvio il {}", it::date(date)),
                )),
                Err(why) => Some((why.en(), why.it())),
            }
        };
        if let Some((en, it)) = why {
            not_usable.push(format!("{} {} ({en})", s.number, s.record.name));
            non_fruibili.push(format!("{} {} ({it})", s.number, s.record.name));
        }
    }
    let usable = services.len() - not_usable.len();
    ConditionCheck {
        condition: "services_usable".to_owned(),
        holds: !services.is_empty() && not_usable.is_empty(),
        figure: if services.is_empty() {
            format!("the catalogue has no service financed by {code}")
        } else if not_usable.is_empty() {
            format!("{usable} of {} services of {code} usable", services.len())
        } else {
            format!(
                "{usable} of {} services of {code} usable; not usable: {}",
                services.len(),
                not_usable.join("; ")
            )
        },
        required: format!("every catalogue service of {code} active and past its go-live"),
        figure_it: if services.is_empty() {
            format!("il catalogo non ha servizi finanziati da {code}")
        } else if non_fruibili.is_empty() {
            format!(
                "servizi di {code} fruibili: {} su {}",
                it::count(usable as i64),
                it::count(services.len() as i64)
            )
        } else {
            format!(
                "servizi di {code} fruibili: {} su {}; non fruibili: {}",
                it::count(usable as i64),
                it::count(services.len() as i64),
                non_fruibili.join("; ")
            )
        },
        required_it: format!("ogni servizio di {code} nel catalogo attivo e avviato"),
    }
}

fn adhesion_check(threshold: Percent, c: &Commitments) -> ConditionCheck {
    let mut figure = format!(
        "{} of {} {} aderenti ({}) have signed commitments",
        c.committed_adherents,
        c.declared_adherents,
        c.unit,
        it::percent(c.committed_share.decimal())
    );
    if c.registered_adherents != c.declared_adherents {
        figure.push_str(&format!(
            " ({} adherents registered, {} declared by the Atto)",
            c.registered_adherents, c.declared_adherents
        ));
    }
    let mut figure_it = format!(
        "{} {} aderenti su {} ({}) hanno sottoscritto gli impegni",
        it::count(c.committed_adherents),
        c.unit,
        it::count(c.declared_adherents),
        it::percent(c.committed_share.decimal())
    );
    if c.registered_adherents != c.declared_adherents {
        figure_it.push_str(&format!(
            " ({} aderenti registrati, {} dichiarati dall'Atto)",
            it::count(c.registered_adherents),
            it::count(c.declared_adherents)
        ));
    }
    ConditionCheck {
        condition: "adhesion_share".to_owned(),
        holds: c.committed_share >= threshold,
        figure,
        figure_it,
        required: format!(
            ">= {} of the {} aderenti with signed commitments to the intervento's own services",
            it::percent(threshold.decimal()),
            c.unit
        ),
        required_it: format!(
            "impegni sottoscritti da almeno il {} dei {} aderenti, per i servizi dell'intervento",
            it::percent(threshold.decimal()),
            c.unit
        ),
    }
}

/// Art. 5.5.a: CNIPA's approval of the progetto esecutivo, recorded with its act by the date
/// judged. A date kept from before acts were recorded, without one, does not hold.
fn progetto_check(
    approval: Option<&ProgettoEsecutivoApproval>,
    as_of: NaiveDate,
) -> ConditionCheck {
    let approval = approval.filter(|a| a.approved_on <= as_of);
    let act = approval.and_then(|a| a.act_ref.as_deref().map(|act| (a, act)));
    let by =
        |a: &ProgettoEsecutivoApproval| a.approved_by.clone().unwrap_or_else(|| "CNIPA".to_owned());
    let (figure, figure_it) = match (approval, act) {
        (_, Some((a, act))) => (
            format!("approved on {} ({act}, by {})", a.approved_on, by(a)),
            format!(
                "approvato il {} ({act}, da {})",
                it::date(a.approved_on),
                by(a)
            ),
        ),
        (Some(a), None) => (
            format!(
                "approved on {} per the register, but CNIPA's act is not recorded",
                a.approved_on
            ),
            format!(
                "approvato il {} secondo il registro, ma l'atto del CNIPA non è registrato",
                it::date(a.approved_on)
            ),
        ),
        (None, None) => ("not approved".to_owned(), "non approvato".to_owned()),
    };
    ConditionCheck {
        condition: "progetto_esecutivo".to_owned(),
        holds: act.is_some(),
        figure,
        required: "the progetto esecutivo approved by CNIPA, recorded with its act".to_owned(),
        figure_it,
        required_it: "progetto esecutivo approvato dal CNIPA, registrato con il suo atto"
            .to_owned(),
    }
}

/// What the peers said that the checks need.
struct Remote {
    services: Option<Vec<CatalogueService>>,
    commitments: Option<Commitments>,
}

fn check(
    tranche: &Tranche,
    local: &Local,
    plan: &crate::peers::TranchePlan,
    remote: &Remote,
    as_of: NaiveDate,
) -> Vec<ConditionCheck> {
    let c = &tranche.condition;
    let code = &plan.intervento_code;
    let mut checks = Vec::new();
    if !matches!(
        plan.state,
        InterventoState::Active | InterventoState::Completed
    ) {
        checks.push(ConditionCheck {
            condition: "co_financing".to_owned(),
            holds: false,
            figure: format!("the intervento is {}", plan.state),
            required: "an active (or completed) intervento whose co-financing is not revoked"
                .to_owned(),
            figure_it: format!("l'intervento è nello stato {}", plan.state),
            required_it: "un intervento attivo (o concluso) il cui cofinanziamento non è revocato"
                .to_owned(),
        });
    }
    if c.requires_plan_approved {
        checks.push(ConditionCheck {
            condition: "plan_approved".to_owned(),
            holds: local.plan_approved.is_some(),
            figure: local
                .plan_approved
                .as_ref()
                .map(|v| {
                    format!(
                        "the Piano di monitoraggio of {code} approved {}",
                        verified(v)
                    )
                })
                .unwrap_or_else(|| format!("the Piano di monitoraggio of {code} is not approved")),
            required: format!("the Piano di monitoraggio of {code} approved by CNIPA"),
            figure_it: local
                .plan_approved
                .as_ref()
                .map(|v| {
                    format!(
                        "Piano di monitoraggio di {code} approvato {}",
                        verified_it(v)
                    )
                })
                .unwrap_or_else(|| format!("il Piano di monitoraggio di {code} non è approvato")),
            required_it: format!("Piano di monitoraggio di {code} approvato dal CNIPA"),
        });
    }
    if c.requires_progetto_esecutivo {
        checks.push(progetto_check(plan.progetto_esecutivo.as_ref(), as_of));
    }
    if let Some(n) = c.sal_verification {
        let verifications = local.validated.len();
        let best = local
            .validated
            .iter()
            .map(|(sal, _)| *sal)
            .max()
            .unwrap_or(Decimal::ZERO);
        let holds = verifications >= usize::try_from(n).unwrap_or(usize::MAX)
            && c.sal_threshold.is_none_or(|t| best >= t.decimal());
        checks.push(ConditionCheck {
            condition: "sal".to_owned(),
            holds,
            figure: format!("{verifications} validated SAL verification(s), highest SAL {best}%"),
            required: match c.sal_threshold {
                Some(t) => format!("SAL verification n. {n} with SAL >= {t}"),
                None => format!("{n} positive SAL verification(s)"),
            },
            figure_it: format!(
                "verifiche SAL validate: {}; SAL massimo {}",
                it::count(i64::try_from(verifications).unwrap_or(i64::MAX)),
                it::percent(best)
            ),
            required_it: match c.sal_threshold {
                Some(t) => format!(
                    "verifica SAL n. {n} con SAL almeno pari a {}",
                    it::percent(t.decimal())
                ),
                None => format!("verifiche SAL positive: almeno {n}"),
            },
        });
    }
    if c.requires_services_usable {
        let services = remote.services.as_deref().unwrap_or_default();
        checks.push(services_check(code, services, plan.started_on, as_of));
    }
    if let Some(threshold) = c.adhesion_share_threshold {
        checks.push(match &remote.commitments {
            Some(commitments) => adhesion_check(threshold, commitments),
            None => ConditionCheck {
                condition: "adhesion_share".to_owned(),
                holds: false,
                figure: format!("no declared adherents of {code}: the rule has no denominator"),
                required: format!(">= {threshold} of the aderenti with signed commitments"),
                figure_it: format!(
                    "nessun aderente dichiarato per {code}: la regola non ha denominatore"
                ),
                required_it: format!(
                    "impegni sottoscritti da almeno il {} degli aderenti",
                    it::percent(threshold.decimal())
                ),
            },
        });
    }
    if c.requires_admissibility {
        let latest = local.admissibility.as_ref();
        checks.push(ConditionCheck {
            condition: "admissibility".to_owned(),
            holds: latest.is_some_and(|v| v.holds),
            figure: match latest {
                Some(v) if v.holds => format!("verified as holding {}", verified(v)),
                Some(v) => format!("found no longer holding {}", verified(v)),
                None => "no verification of the admissibility requirements recorded".to_owned(),
            },
            required: "the ALI admissibility requirements (art. 6 of the Avviso) still hold: a recorded verification".to_owned(),
            figure_it: match latest {
                Some(v) if v.holds => format!("requisiti verificati come sussistenti {}", verified_it(v)),
                Some(v) => format!("requisiti non più sussistenti {}", verified_it(v)),
                None => "nessuna verifica dei requisiti di ammissibilità registrata".to_owned(),
            },
            required_it: "i requisiti di ammissibilità di ALI (art. 6 dell'Avviso) ancora sussistenti: una verifica registrata".to_owned(),
        });
    }
    if c.requires_completion {
        checks.push(ConditionCheck {
            condition: "completion".to_owned(),
            holds: local.completion.is_some(),
            figure: local
                .completion
                .as_ref()
                .map(|v| format!("completion recorded {}", verified(v)))
                .unwrap_or_else(|| "the completion of the project is not recorded".to_owned()),
            required: "the completion of the project recorded".to_owned(),
            figure_it: local
                .completion
                .as_ref()
                .map(|v| format!("completamento registrato {}", verified_it(v)))
                .unwrap_or_else(|| "il completamento del progetto non è registrato".to_owned()),
            required_it: "il completamento del progetto registrato".to_owned(),
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

fn recovery(plan: &crate::peers::TranchePlan, local: &Local) -> Result<Recovery, ApiError> {
    let paid: Euro = plan
        .tranches
        .iter()
        .filter(|t| t.state == TrancheState::Paid)
        .map(|t| t.amount)
        .sum();
    let actual_cost = local
        .validated
        .last()
        .map(|(_, payments)| Euro::from_decimal(*payments))
        .transpose()
        .map_err(ApiError::internal)?;
    let cap = plan.cofinancing_cap;
    let ceiling = actual_cost.map(|cost| cost.percent_of(cap));
    let to_recover = ceiling.map(|ceiling| {
        if paid.decimal() > ceiling.decimal() {
            paid - ceiling
        } else {
            Euro::ZERO
        }
    });
    let figure = match (actual_cost, ceiling, to_recover) {
        (Some(cost), Some(ceiling), Some(r)) if r.decimal() > Decimal::ZERO => format!(
            "paid {paid} against {cap} of the actual cost {cost} ({ceiling}): {r} to recover"
        ),
        (Some(cost), Some(ceiling), _) => {
            format!("paid {paid}, within {cap} of the actual cost {cost} ({ceiling})")
        }
        _ => format!("paid {paid}; no validated scheda, so the actual cost is not known"),
    };
    Ok(Recovery {
        paid,
        actual_cost,
        cap,
        ceiling,
        to_recover,
        figure,
    })
}

/// The peers the evaluation reads.
#[derive(Clone, Copy)]
pub struct Peers<'a> {
    pub agreements: &'a Agreements,
    pub adhesion: &'a Adhesion,
    pub catalogue: &'a Catalogue,
}

/// Evaluates every tranche of `code` at `as_of`.
pub async fn evaluate(
    pool: &PgPool,
    peers: Peers<'_>,
    code: &str,
    as_of: NaiveDate,
) -> Result<(Eligibility, Vec<Tranche>), ApiError> {
    // The tranche plan and monitoring's own records are independent: fetch them at once. The
    // catalogue and the adhesion figures are asked for only when a condition needs them.
    let owned = code.to_owned();
    let (plan, local) = tokio::join!(
        peers.agreements.tranche_plan(code),
        run_db(pool, move |conn| Ok::<_, ApiError>(local(
            conn, &owned, as_of
        )?)),
    );
    let (plan, local) = (plan?, local?);
    let needs_share = plan
        .tranches
        .iter()
        .any(|t| t.condition.adhesion_share_threshold.is_some());
    let needs_services = needs_share
        || plan
            .tranches
            .iter()
            .any(|t| t.condition.requires_services_usable);
    let services = if needs_services {
        Some(peers.catalogue.services_of(&plan.intervento_code).await?)
    } else {
        None
    };
    let commitments = if needs_share {
        let numbers: Vec<i32> = services
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|s| s.number)
            .collect();
        let commitments = peers
            .adhesion
            .commitments(&plan.intervento_code, as_of, &numbers)
            .await?;
        // The share must be what its own counts say: a peer whose figures disagree is not
        // believed.
        if let Some(c) = &commitments {
            let expected = Percent::ratio(
                Decimal::from(c.committed_adherents),
                Decimal::from(c.declared_adherents),
            );
            if expected != Some(c.committed_share) {
                return Err(ApiError::unavailable(format!(
                    "the adhesion service (its answer could not be read: field `committed_share` {} is not committed_adherents {} over declared_adherents {})",
                    c.committed_share, c.committed_adherents, c.declared_adherents
                )));
            }
        }
        commitments
    } else {
        None
    };
    let remote = Remote {
        services,
        commitments,
    };
    let mut inconsistencies = Vec::new();
    if let Some(i) = remote
        .commitments
        .as_ref()
        .and_then(|c| c.inconsistency.clone())
    {
        inconsistencies.push(i);
    }
    let evaluated = plan
        .tranches
        .iter()
        .map(|t| {
            let checks = check(t, &local, &plan, &remote, as_of);
            TrancheEligibility {
                seq: t.seq,
                share: t.share,
                amount: t.amount,
                state: t.state.to_string(),
                condition: t.condition.text.clone(),
                eligible: checks.iter().all(|c| c.holds),
                checks,
            }
        })
        .collect();
    let recovery = recovery(&plan, &local)?;
    Ok((
        Eligibility {
            intervento_code: plan.intervento_code.clone(),
            as_of,
            tranches: evaluated,
            recovery,
            inconsistencies,
            obligations: vec![cup_obligation(
                &plan.intervento_code,
                plan.cup.as_ref().map(apq_domain::Cup::as_str),
            )],
        },
        plan.tranches,
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
    params(("code" = String, Path, description = "The intervento's code, e.g. CSTT-ALI", pattern = "^[A-Za-z0-9-]+$"), AsOf),
    responses(
        (status = 200, description = "The evaluation", body = Eligibility),
    )
)]
#[get("/interventi/{code}/eligibility")]
pub async fn get(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    adhesion: web::Data<Adhesion>,
    catalogue: web::Data<Catalogue>,
    path: Path<CodePath>,
    query: Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (eligibility, _) = evaluate(
        &pool,
        peers(&agreements, &adhesion, &catalogue),
        &path.code,
        as_of,
    )
    .await?;
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
    params(("code" = String, Path, description = "The intervento's code", pattern = "^[A-Za-z0-9-]+$"), ("seq" = i32, Path, description = "The tranche's number")),
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
    catalogue: web::Data<Catalogue>,
    path: Path<TranchePath>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Role::Admin, Role::ResponsabileAccordo, Role::Sync])?;
    let authorization = req.headers().get(actix_web::http::header::AUTHORIZATION);
    let bearer = rules::bearer(authorization.and_then(|v| v.to_str().ok()));
    let today = chrono::Utc::now().date_naive();
    let peers = peers(&agreements, &adhesion, &catalogue);
    let (eligibility, tranches) = evaluate(&pool, peers, &path.code, today).await?;
    let no_tranche = || ApiError::NotFound(format!("tranche {} of {}", path.seq, path.code));
    let evaluated = (eligibility.tranches.iter())
        .find(|t| t.seq == path.seq)
        .ok_or_else(no_tranche)?;
    let tranche = (tranches.iter())
        .find(|t| t.seq == path.seq)
        .ok_or_else(no_tranche)?;
    rules::check_eligible(&path.code, evaluated)?;
    let evidence = serde_json::to_value(evaluated).map_err(ApiError::internal)?;
    let marked = agreements
        .mark_eligible(tranche, &evidence, &bearer)
        .await?;
    Ok(HttpResponse::Ok().json(marked))
}

pub(crate) fn peers<'a>(
    agreements: &'a web::Data<Agreements>,
    adhesion: &'a web::Data<Adhesion>,
    catalogue: &'a web::Data<Catalogue>,
) -> Peers<'a> {
    Peers {
        agreements: agreements.get_ref(),
        adhesion: adhesion.get_ref(),
        catalogue: catalogue.get_ref(),
    }
}
