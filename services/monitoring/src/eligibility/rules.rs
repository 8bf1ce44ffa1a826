//! The rules of tranche eligibility, pure: each condition of art. 4.2 and 5.5 judged over the
//! tranche plan, monitoring's own records ([`Local`]) and what the peers said ([`Remote`]), with
//! its figures in English and in Italian; the recovery above the co-financing cap; and the rules
//! of marking a tranche eligible: only when every condition holds, the caller's authority passed
//! on ([`MarkError`]).

use apq_domain::{Euro, Percent};
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

use super::json::{ConditionCheck, Eligibility, Recovery, TrancheEligibility};
use super::queries::Validated;
use crate::obligations::cup_obligation;
use crate::peers::{
    CatalogueService, Commitments, GoLiveKind, InterventoState, ProgettoEsecutivoApproval,
    ServiceStatus, Tranche, TranchePlan, TrancheState,
};
use crate::report::format as it;
use crate::verifications::Verification;

/// What monitoring's own records say.
pub struct Local {
    pub plan_approved: Option<Verification>,
    pub admissibility: Option<Verification>,
    pub completion: Option<Verification>,
    /// The validated schede, oldest semester first.
    pub validated: Vec<Validated>,
    pub months: i32,
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

/// The SAL verification `n` (with its threshold, if any) over the validated schede: the highest
/// SAL is stated only when there is one.
fn sal_check(n: i32, threshold: Option<Percent>, validated: &[Validated]) -> ConditionCheck {
    let verifications = validated.len();
    let best = validated.iter().map(|v| v.sal.decimal()).max();
    let holds = verifications >= usize::try_from(n).unwrap_or(usize::MAX)
        && threshold.is_none_or(|t| best.is_some_and(|best| best >= t.decimal()));
    let (figure, figure_it) = match best {
        Some(best) => (
            format!("{verifications} validated SAL verification(s), highest SAL {best}%"),
            format!(
                "verifiche SAL validate: {}; SAL massimo {}",
                it::count(i64::try_from(verifications).unwrap_or(i64::MAX)),
                it::percent(best)
            ),
        ),
        None => (
            "no validated SAL verification".to_owned(),
            "nessuna verifica SAL validata".to_owned(),
        ),
    };
    ConditionCheck {
        condition: "sal".to_owned(),
        holds,
        figure,
        required: match threshold {
            Some(t) => format!("SAL verification n. {n} with SAL >= {t}"),
            None => format!("{n} positive SAL verification(s)"),
        },
        figure_it,
        required_it: match threshold {
            Some(t) => format!(
                "verifica SAL n. {n} con SAL almeno pari a {}",
                it::percent(t.decimal())
            ),
            None => format!("verifiche SAL positive: almeno {n}"),
        },
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
pub struct Remote {
    pub services: Option<Vec<CatalogueService>>,
    pub commitments: Option<Commitments>,
}

/// The conditions of one tranche, each with its figures.
fn check(
    tranche: &Tranche,
    local: &Local,
    plan: &TranchePlan,
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
        checks.push(sal_check(n, c.sal_threshold, &local.validated));
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

/// Art. 4.3 / 5.5: what of the paid tranches exceeds the cap applied to the actual cost.
pub fn recovery(plan: &TranchePlan, local: &Local) -> Recovery {
    let paid: Euro = plan
        .tranches
        .iter()
        .filter(|t| t.state == TrancheState::Paid)
        .map(|t| t.amount)
        .sum();
    let actual_cost = local.validated.last().map(|v| v.payments);
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
    Recovery {
        paid,
        actual_cost,
        cap,
        ceiling,
        to_recover,
        figure,
    }
}

/// Which peers the conditions of the plan need: the catalogue for usable services (and for the
/// services whose commitments count), adhesion for the share of adherents.
pub struct Needs {
    pub services: bool,
    pub share: bool,
}

impl Needs {
    pub fn of(plan: &TranchePlan) -> Self {
        let share = (plan.tranches.iter()).any(|t| t.condition.adhesion_share_threshold.is_some());
        let services =
            share || (plan.tranches.iter()).any(|t| t.condition.requires_services_usable);
        Self { services, share }
    }
}

/// Why adhesion's share is not believed: it is not what its own counts say.
pub fn share_disagrees(c: &Commitments) -> Option<String> {
    let expected = Percent::ratio(
        Decimal::from(c.committed_adherents),
        Decimal::from(c.declared_adherents),
    );
    (expected != Some(c.committed_share)).then(|| {
        format!(
            "field `committed_share` {} is not committed_adherents {} over declared_adherents {}",
            c.committed_share, c.committed_adherents, c.declared_adherents
        )
    })
}

/// Every tranche of the plan judged at `as_of`, the recovery, the inconsistencies the peers
/// reported and the CUP obligation.
pub fn judge(plan: &TranchePlan, local: &Local, remote: &Remote, as_of: NaiveDate) -> Eligibility {
    let inconsistencies = (remote.commitments.iter())
        .filter_map(|c| c.inconsistency.clone())
        .collect();
    let tranches = (plan.tranches.iter())
        .map(|t| {
            let checks = check(t, local, plan, remote, as_of);
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
    Eligibility {
        intervento_code: plan.intervento_code.clone(),
        as_of,
        tranches,
        recovery: recovery(plan, local),
        inconsistencies,
        obligations: vec![cup_obligation(
            &plan.intervento_code,
            plan.cup.as_ref().map(apq_domain::Cup::as_str),
        )],
    }
}

/// What marking a tranche refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkError {
    #[error("tranche {seq} of {code} is not eligible: {}", failing.join("; "))]
    NotEligible {
        seq: i32,
        code: String,
        failing: Vec<String>,
    },
}

/// `Ok` when every condition of `tranche` (of the intervento `code`) holds; else the
/// conditions that do not, with their figures.
pub fn check_eligible(code: &str, tranche: &TrancheEligibility) -> Result<(), MarkError> {
    if tranche.eligible {
        return Ok(());
    }
    Err(MarkError::NotEligible {
        seq: tranche.seq,
        code: code.to_owned(),
        failing: tranche
            .checks
            .iter()
            .filter(|c| !c.holds)
            .map(|c| format!("{}: {} (needs {})", c.condition, c.figure, c.required))
            .collect(),
    })
}

/// The token of an `Authorization` header (`Bearer <token>`), passed on; empty when none.
pub fn bearer(authorization: Option<&str>) -> String {
    authorization
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peers::{Kind, TrancheCondition};

    fn check(condition: &str, holds: bool) -> ConditionCheck {
        ConditionCheck {
            condition: condition.into(),
            holds,
            figure: "10%".into(),
            required: "30%".into(),
            figure_it: String::new(),
            required_it: String::new(),
        }
    }

    fn tranche(checks: Vec<ConditionCheck>) -> TrancheEligibility {
        TrancheEligibility {
            seq: 2,
            share: Percent::from_decimal(rust_decimal::Decimal::new(30, 0))
                .unwrap_or_else(|e| panic!("{e}")),
            amount: Euro::ZERO,
            state: "planned".into(),
            condition: "SAL 30%".into(),
            eligible: checks.iter().all(|c| c.holds),
            checks,
        }
    }

    #[test]
    fn a_tranche_is_marked_only_when_every_condition_holds() {
        let cases = [
            (vec![], Ok(())),
            (
                vec![check("sal", true), check("plan_approved", true)],
                Ok(()),
            ),
            (
                vec![check("sal", false), check("plan_approved", true)],
                Err("tranche 2 of A1 is not eligible: sal: 10% (needs 30%)"),
            ),
            (
                vec![check("sal", false), check("adhesion_share", false)],
                Err(
                    "tranche 2 of A1 is not eligible: sal: 10% (needs 30%); adhesion_share: 10% (needs 30%)",
                ),
            ),
        ];
        for (checks, expected) in cases {
            let got = check_eligible("A1", &tranche(checks)).map_err(|e| e.to_string());
            assert_eq!(got, expected.map_err(str::to_owned));
        }
    }

    #[test]
    fn the_bearer_token_is_passed_on() {
        let cases = [
            (None, ""),
            (Some("Bearer abc"), "abc"),
            (Some("Bearer  abc "), "abc"),
            (Some("abc"), ""),
        ];
        for (header, expected) in cases {
            assert_eq!(bearer(header), expected, "{header:?}");
        }
    }

    fn pct(n: i64) -> Percent {
        Percent::from_decimal(rust_decimal::Decimal::new(n, 0)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    fn commitments(committed: i64, declared: i64, registered: i64, share: &str) -> Commitments {
        Commitments {
            intervento_code: "CSTT-ALI".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2010, 6, 30).unwrap_or_default(),
            unit: "comuni".into(),
            declared_adherents: declared,
            registered_adherents: registered,
            committed_adherents: committed,
            committed_share: Percent::parse(share).unwrap_or_else(|e| panic!("{e}")),
            services: vec![1, 2],
            inconsistency: None,
        }
    }

    #[test]
    fn the_adhesion_share_holds_from_the_threshold_and_states_both_counts() {
        let cases = [
            (commitments(42, 138, 138, "30.43"), true, None),
            (commitments(41, 138, 138, "29.71"), false, None),
            (
                commitments(3, 138, 10, "2.17"),
                false,
                Some("(10 adherents registered, 138 declared by the Atto)"),
            ),
        ];
        for (c, holds, note) in cases {
            let check = adhesion_check(pct(30), &c);
            assert_eq!(check.holds, holds, "{}", check.figure);
            assert_eq!(check.condition, "adhesion_share");
            assert!(check.figure.starts_with(&format!(
                "{} of {} comuni aderenti",
                c.committed_adherents, c.declared_adherents
            )));
            assert_eq!(
                note.is_some_and(|n| check.figure.ends_with(n)),
                note.is_some()
            );
        }
    }

    #[test]
    fn a_share_its_own_counts_disagree_with_is_not_believed() {
        assert_eq!(share_disagrees(&commitments(42, 138, 138, "30.43")), None);
        assert_eq!(
            share_disagrees(&commitments(42, 138, 138, "50")).as_deref(),
            Some(
                "field `committed_share` 50.00% is not committed_adherents 42 over declared_adherents 138"
            )
        );
    }

    #[test]
    fn the_progetto_esecutivo_holds_only_with_its_act_by_the_date() {
        let on = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let approval = |act: Option<&str>| ProgettoEsecutivoApproval {
            approved_on: on(2009, 3, 1),
            act_ref: act.map(str::to_owned),
            approved_by: None,
            recorded_by: None,
        };
        let with_act = approval(Some("nota CNIPA 123"));
        let without = approval(None);
        let cases = [
            (
                Some(&with_act),
                on(2009, 6, 30),
                true,
                "approved on 2009-03-01 (nota CNIPA 123, by CNIPA)",
            ),
            (Some(&with_act), on(2009, 2, 1), false, "not approved"),
            (
                Some(&without),
                on(2009, 6, 30),
                false,
                "approved on 2009-03-01 per the register, but CNIPA's act is not recorded",
            ),
            (None, on(2009, 6, 30), false, "not approved"),
        ];
        for (approval, as_of, holds, figure) in cases {
            let check = progetto_check(approval, as_of);
            assert_eq!((check.holds, check.figure.as_str()), (holds, figure));
        }
    }

    fn plan(paid: &[&str], cap: i64) -> TranchePlan {
        let tranche = |seq: i32, amount: &str| Tranche {
            id: uuid::Uuid::nil(),
            intervento_id: uuid::Uuid::nil(),
            seq,
            share: pct(30),
            amount: euro(amount),
            condition: TrancheCondition {
                text: String::new(),
                requires_plan_approved: false,
                requires_progetto_esecutivo: false,
                sal_verification: None,
                sal_threshold: None,
                adhesion_share_threshold: (seq == 2).then(|| pct(30)),
                months_of_operation: None,
                requires_services_usable: false,
                requires_admissibility: false,
                requires_completion: false,
            },
            state: TrancheState::Paid,
            next_states: Vec::new(),
            version: 1,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        TranchePlan {
            intervento_id: uuid::Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            kind: Kind::Ali,
            progetto_esecutivo_validated_on: None,
            progetto_esecutivo: None,
            cup: None,
            started_on: None,
            state: InterventoState::Active,
            cnipa_cofinancing: Euro::ZERO,
            cofinancing_cap: pct(cap),
            tranches: (paid.iter().zip(1..))
                .map(|(a, seq)| tranche(seq, a))
                .collect(),
        }
    }

    fn local(payments: &[&str]) -> Local {
        Local {
            plan_approved: None,
            admissibility: None,
            completion: None,
            validated: (payments.iter())
                .map(|p| Validated {
                    sal: pct(50),
                    payments: euro(p),
                })
                .collect(),
            months: 0,
        }
    }

    #[test]
    fn above_the_cap_of_the_actual_cost_the_excess_is_recovered_to_the_cent() {
        let cases = [
            // paid, cap, validated payments (latest last), ceiling, to recover
            (
                vec!["600000.00", "100000.01"],
                50,
                vec!["900000.00", "1400000.00"],
                Some("700000.00"),
                Some("0.01"),
            ),
            (
                vec!["600000.00"],
                50,
                vec!["1400000.00"],
                Some("700000.00"),
                Some("0.00"),
            ),
            (vec!["600000.00"], 40, vec![], None, None),
        ];
        for (paid, cap, payments, ceiling, to_recover) in cases {
            let r = recovery(&plan(&paid, cap), &local(&payments));
            assert_eq!(r.ceiling, ceiling.map(euro));
            assert_eq!(r.to_recover, to_recover.map(euro), "{}", r.figure);
            assert_eq!(r.actual_cost, payments.last().map(|p| euro(p)));
        }
    }

    #[test]
    fn the_peers_are_asked_only_for_the_conditions_that_need_them() {
        let with_share = Needs::of(&plan(&["1.00", "2.00"], 50));
        assert!(with_share.share && with_share.services);
        let without = Needs::of(&plan(&["1.00"], 50));
        assert!(!without.share && !without.services);
    }

    #[test]
    fn a_sal_verification_needs_its_count_and_threshold_and_states_no_sal_it_has_not() {
        let validated = |sals: &[i64]| -> Vec<Validated> {
            (sals.iter())
                .map(|s| Validated {
                    sal: pct(*s),
                    payments: Euro::ZERO,
                })
                .collect()
        };
        let cases = [
            (
                1,
                None,
                validated(&[]),
                false,
                "no validated SAL verification",
            ),
            (
                1,
                None,
                validated(&[20]),
                true,
                "1 validated SAL verification(s), highest SAL 20.00%",
            ),
            (
                2,
                Some(pct(50)),
                validated(&[20, 40]),
                false,
                "2 validated SAL verification(s), highest SAL 40.00%",
            ),
            (
                2,
                Some(pct(50)),
                validated(&[20, 60]),
                true,
                "2 validated SAL verification(s), highest SAL 60.00%",
            ),
            (
                1,
                Some(pct(30)),
                validated(&[]),
                false,
                "no validated SAL verification",
            ),
        ];
        for (n, threshold, validated, holds, figure) in cases {
            let check = sal_check(n, threshold, &validated);
            assert_eq!((check.holds, check.figure.as_str()), (holds, figure));
        }
    }
}
