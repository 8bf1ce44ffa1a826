//! The Rapporto as it reads: every figure formatted in Italian, every sentence in Italian, drawn
//! from the report's data by pure functions (the HTML and the PDF templates only lay it out).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::data::{InterventoData, ReportData};
use super::format as it;
use crate::deadlines::Obligation;
use crate::defaults::DefaultState;
use crate::delivery::IndicatorComputation;
use crate::indicators::Indicator;
use crate::peers::{InterventoState, Sezione};
use crate::schede::{ActivityState, SchedaState};
use apq_domain::{Euro, Percent};

/// Who issues the Rapporto (art. 7): the soggetto responsabile dell'attuazione dell'Accordo.
pub const ISSUER: &str = "Regione Toscana - Direzione Generale Organizzazione e Sistema Informativo, Soggetto responsabile dell'attuazione dell'Accordo";
/// The soggetto responsabile named by the atto.
pub const SIGNATORY: &str = "Giancarlo Galardi";

/// A label and its value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Row {
    pub label: String,
    pub value: String,
}

fn row(label: &str, value: impl Into<String>) -> Row {
    Row {
        label: label.to_owned(),
        value: value.into(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SourceLine {
    pub heading: String,
    pub legal_basis: String,
    pub amount: String,
    pub cnipa: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckLine {
    pub holds: bool,
    /// "soddisfatta" or "non soddisfatta".
    pub outcome: String,
    pub required: String,
    pub figure: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrancheLine {
    pub seq: String,
    pub share: String,
    pub amount: String,
    pub state: String,
    pub condition: String,
    pub eligible: String,
    pub checks: Vec<CheckLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityLine {
    pub code: String,
    pub title: String,
    pub planned: String,
    pub progress: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionLine {
    pub date: String,
    pub kind: String,
    pub summary: String,
    pub verbale: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndicatorLine {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    pub value: String,
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InterventoView {
    pub code: String,
    pub title: String,
    pub cup: String,
    pub sezione: String,
    pub programmatica: bool,
    pub state: String,
    pub critical: bool,
    pub maturity: Vec<Row>,
    pub decisions: Vec<DecisionLine>,
    pub finance: Vec<Row>,
    pub sources: Vec<SourceLine>,
    pub tranches: Vec<TrancheLine>,
    pub progress: Vec<Row>,
    pub late_activities: Vec<ActivityLine>,
    /// Why no activity can be judged late, when that is so.
    pub activities_note: Option<String>,
    pub indicators: Vec<IndicatorLine>,
    pub observations: Vec<String>,
    pub obstacles: String,
    pub corrective_actions: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ObligationLine {
    pub obligation: String,
    pub party: String,
    pub due_on: String,
    pub status: String,
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DefaultLine {
    pub obligation: String,
    pub party: String,
    pub description: String,
    pub opened_on: String,
    pub deadline: String,
    pub state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceLine {
    pub service: String,
    pub adhering: String,
    pub committed: String,
    pub share: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProvinceLine {
    pub province: String,
    pub adhering: String,
    pub committed: String,
    pub services_activated: String,
}

/// The Rapporto in Italian, section by section.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct View {
    pub semester_code: String,
    pub title: String,
    pub apq: String,
    pub atto: String,
    pub semester: String,
    pub period: String,
    pub issuer: String,
    pub signatory: String,
    /// "Bozza" for a report not issued, else "Versione n. N".
    pub status: String,
    pub issued_on: String,
    pub data_as_of: String,
    pub general: Vec<Row>,
    pub deadlines: Vec<Row>,
    pub obligations: Vec<ObligationLine>,
    pub defaults: Vec<DefaultLine>,
    pub attuativa: Vec<String>,
    pub programmatica: Vec<String>,
    pub adhesion: Vec<Row>,
    pub services: Vec<ServiceLine>,
    pub provinces: Vec<ProvinceLine>,
    pub interventi: Vec<InterventoView>,
}

fn dec(text: &str) -> Option<Decimal> {
    Decimal::from_str(text.trim()).ok()
}

fn euro(amount: Euro) -> String {
    it::euro(amount.decimal())
}

fn percent(share: Percent) -> String {
    it::percent(share.decimal())
}

fn or_dash(text: Option<&str>) -> String {
    text.filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| "nessuna segnalata".to_owned())
}

fn date_or(value: Option<NaiveDate>, absent: &str) -> String {
    value.map(it::date).unwrap_or_else(|| absent.to_owned())
}

pub fn obligation_name(obligation: Obligation) -> &'static str {
    match obligation {
        Obligation::PianoSubmitted => "Trasmissione del Piano di monitoraggio al CNIPA",
        Obligation::PianoApproved => "Approvazione del Piano di monitoraggio da parte del CNIPA",
        Obligation::DataEntry => "Inserimento dei dati nell'Applicativo Intese",
        Obligation::ValidationRequest => "Richiesta di convalida dei dati",
        Obligation::Rapporto => "Invio del Rapporto di monitoraggio",
        Obligation::Cup => "Inserimento del CUP al primo monitoraggio (art. 7.2.h)",
    }
}

fn party_name(party: &str) -> String {
    match party {
        "responsabile_intervento" => "Responsabile di intervento".to_owned(),
        "soggetto_responsabile_accordo" => "Soggetto responsabile dell'Accordo".to_owned(),
        "CNIPA" => "CNIPA".to_owned(),
        _ => "altro soggetto".to_owned(),
    }
}

pub fn tranche_state(state: &str) -> &'static str {
    match state {
        "planned" => "prevista",
        "eligible" => "erogabile",
        "requested" => "richiesta",
        "paid" => "erogata",
        "revoked" => "revocata",
        _ => "stato non riconosciuto",
    }
}

fn scheda_state(state: SchedaState) -> &'static str {
    match state {
        SchedaState::Draft => "in compilazione",
        SchedaState::Submitted => "trasmessa, in attesa di validazione",
        SchedaState::Validated => "validata",
        SchedaState::Returned => "restituita per integrazioni",
    }
}

fn intervento_state(state: Option<InterventoState>) -> String {
    match state {
        Some(InterventoState::Active) => "attivo".to_owned(),
        Some(InterventoState::Completed) => "concluso".to_owned(),
        Some(InterventoState::Cancelled) => "annullato".to_owned(),
        Some(InterventoState::Revoked) => "revocato".to_owned(),
        Some(InterventoState::NotActivated) => "non attivato (art. 5.7)".to_owned(),
        None => "non indicato".to_owned(),
    }
}

fn decision_kind(kind: &str) -> String {
    match kind {
        "reactivate" => "Riattivazione dell'intervento".to_owned(),
        "cancel" => "Annullamento dell'intervento".to_owned(),
        "reprogram_savings" => "Riprogrammazione delle economie".to_owned(),
        "change_coverage" => "Modifica della copertura finanziaria".to_owned(),
        "promote_to_attuativa" => "Passaggio alla sezione attuativa".to_owned(),
        "partial_revocation" => "Revoca parziale del cofinanziamento".to_owned(),
        "total_revocation" => "Revoca totale del cofinanziamento".to_owned(),
        "refer_to_comitato" => "Rinvio al Comitato paritetico di Intesa".to_owned(),
        _ => "Decisione del Tavolo dei sottoscrittori".to_owned(),
    }
}

fn default_state(state: DefaultState) -> &'static str {
    match state {
        DefaultState::Open => "aperta",
        DefaultState::Referred => "segnalata al Tavolo dei sottoscrittori",
        DefaultState::Resolved => "risolta",
    }
}

/// The activities that, at the end of the semester, are behind their planned dates: due to end
/// and not completed, or due to start and not started. `None` when there is no scheda to say.
pub fn late_activities(data: &InterventoData, by: NaiveDate) -> Option<Vec<ActivityLine>> {
    let scheda = data.scheda.as_ref()?;
    let mut out = Vec::new();
    for activity in &data.activities {
        let progress = scheda.activities.iter().find(|p| p.code == activity.code);
        let state = progress.map(|p| p.state);
        let late_end =
            activity.end_on.is_some_and(|end| end < by) && state != Some(ActivityState::Completed);
        let late_start = activity.start_on.is_some_and(|start| start < by)
            && matches!(state, None | Some(ActivityState::NotStarted));
        let declared = state == Some(ActivityState::Late);
        if late_end || late_start || declared {
            let planned = format!(
                "{} - {}",
                date_or(activity.start_on, "inizio non indicato"),
                date_or(activity.end_on, "fine non indicata")
            );
            let progress = match progress {
                None => "avanzamento non rilevato nella scheda".to_owned(),
                Some(p) => match p.state {
                    ActivityState::NotStarted => "non avviata".to_owned(),
                    ActivityState::InProgress => format!(
                        "in corso dal {}",
                        date_or(p.actual_start, "(data non indicata)")
                    ),
                    ActivityState::Completed => format!(
                        "conclusa il {}",
                        date_or(p.actual_end, "(data non indicata)")
                    ),
                    ActivityState::Late => "dichiarata in ritardo".to_owned(),
                },
            };
            out.push(ActivityLine {
                code: activity.code.clone(),
                title: activity.title.clone(),
                planned,
                progress,
            });
        }
    }
    Some(out)
}

/// An indicator against its target; a target the seed does not give is shown as unknown. An
/// indicator computed from the records (IND-13) and not measured shows the computed value, and
/// says so.
pub fn indicator_line(
    indicator: &Indicator,
    computed: Option<&IndicatorComputation>,
) -> IndicatorLine {
    let target = indicator
        .target
        .as_deref()
        .and_then(dec)
        .filter(|t| *t > Decimal::ZERO);
    let computed = computed.filter(|_| indicator.latest.is_none());
    let value = indicator
        .latest
        .as_deref()
        .or(computed.and_then(|c| c.value.as_deref()))
        .and_then(dec);
    let outcome = match (value, target) {
        (None, _) if computed.is_some() => {
            "non calcolabile: la data di un servizio non è nota".to_owned()
        }
        (None, _) => "non rilevato".to_owned(),
        (Some(_), None) => "target non definito".to_owned(),
        (Some(v), Some(t)) => match it::ratio(v, t) {
            Some(r) if v >= t => format!("raggiunto ({} del target)", it::percent(r)),
            Some(r) => format!("{} del target", it::percent(r)),
            None => "target non definito".to_owned(),
        },
    };
    IndicatorLine {
        code: indicator.code.clone(),
        name: indicator.name.clone(),
        unit: indicator.unit.clone(),
        baseline: indicator
            .baseline
            .as_deref()
            .and_then(dec)
            .map(it::quantity)
            .unwrap_or_else(|| "non disponibile".to_owned()),
        target: target
            .map(it::quantity)
            .unwrap_or_else(|| "non definito".to_owned()),
        value: value
            .map(it::quantity)
            .unwrap_or_else(|| "non rilevato".to_owned()),
        outcome: match computed {
            Some(c) => format!(
                "calcolato al {} ({}): {outcome}",
                it::date(c.as_of),
                c.figure_it
            ),
            None => outcome,
        },
    }
}

/// SAL, commitments and payments of the semester's scheda, with the gap to plan.
struct Progress {
    rows: Vec<Row>,
    observations: Vec<String>,
    behind: Option<Decimal>,
}

fn progress(data: &InterventoData) -> Progress {
    let Some(scheda) = &data.scheda else {
        return Progress {
            rows: vec![row("Scheda di monitoraggio", "non presentata per il semestre")],
            observations: vec![
                "La scheda di monitoraggio del semestre non è stata presentata: l'avanzamento non è rilevato.".to_owned(),
            ],
            behind: None,
        };
    };
    let sal = scheda.sal.decimal();
    let planned = scheda.planned_sal.map(|p| p.decimal());
    let commitments = scheda.commitments.decimal();
    let payments = scheda.payments.decimal();
    let cost = Some(data.finance.total_cost.decimal());
    let mut rows = vec![
        row("Scheda di monitoraggio", scheda_state(scheda.state)),
        row("SAL rilevato", it::percent(sal)),
        row(
            "SAL previsto",
            planned
                .map(it::percent)
                .unwrap_or_else(|| "non indicato".to_owned()),
        ),
    ];
    let mut observations = Vec::new();
    let behind = planned.map(|p| p - sal).filter(|gap| *gap > Decimal::ZERO);
    match (planned, behind) {
        (Some(p), Some(gap)) => observations.push(format!(
            "Il SAL rilevato ({}) è inferiore di {} punti percentuali al SAL previsto ({}).",
            it::percent(sal),
            it::number(gap, 2),
            it::percent(p)
        )),
        (Some(p), None) => observations.push(format!(
            "Il SAL rilevato ({}) è in linea con il SAL previsto ({}).",
            it::percent(sal),
            it::percent(p)
        )),
        _ => {}
    }
    rows.push(row(
        "Impegni giuridicamente vincolanti",
        it::euro(commitments),
    ));
    rows.push(row("Pagamenti", it::euro(payments)));
    if let Some(spent) = cost.and_then(|c| it::ratio(payments, c)) {
        rows.push(row("Spesa sul costo totale", it::percent(spent)));
    }
    if let Some(paid) = it::ratio(payments, commitments) {
        rows.push(row("Pagamenti sugli impegni", it::percent(paid)));
        observations.push(format!(
            "I pagamenti ({}) coprono il {} degli impegni assunti ({}).",
            it::euro(payments),
            it::percent(paid),
            it::euro(commitments)
        ));
    }
    Progress {
        rows,
        observations,
        behind,
    }
}

fn finance(data: &InterventoData) -> (Vec<Row>, Vec<SourceLine>) {
    let f = &data.finance;
    let share = f
        .cofinancing_share
        .map(Percent::decimal)
        .or_else(|| it::ratio(f.cnipa_cofinancing.decimal(), f.total_cost.decimal()));
    let cap = Some(f.cofinancing_cap.decimal());
    let within = match (share, cap) {
        (Some(s), Some(c)) if s <= c => format!(
            "{} del costo, entro il limite del {}",
            it::percent(s),
            it::percent(c)
        ),
        (Some(s), Some(c)) => format!(
            "{} del costo, oltre il limite del {}",
            it::percent(s),
            it::percent(c)
        ),
        (Some(s), None) => format!("{} del costo", it::percent(s)),
        (None, _) => "non calcolabile".to_owned(),
    };
    let rows = vec![
        row("Costo totale", euro(f.total_cost)),
        row("Cofinanziamento CNIPA", euro(f.cnipa_cofinancing)),
        row("Quota CNIPA sul costo", within),
        row("Tranche erogate", euro(f.tranches_paid)),
        row("Tranche ancora da erogare", euro(f.tranches_due)),
    ];
    let sources = f
        .sources
        .iter()
        .map(|s| SourceLine {
            heading: s.heading.clone(),
            legal_basis: s.legal_basis.clone(),
            amount: euro(s.amount),
            cnipa: s.cnipa,
        })
        .collect();
    (rows, sources)
}

/// The condition that releases a tranche, in Italian, from its structured terms (the register's
/// text is English); the article it cites is kept.
pub fn condition_it(condition: &crate::peers::TrancheCondition) -> String {
    let mut terms = Vec::new();
    if condition.requires_plan_approved {
        terms.push("approvazione del Piano di monitoraggio da parte del CNIPA".to_owned());
    }
    if condition.requires_progetto_esecutivo {
        terms.push("approvazione del progetto esecutivo da parte del CNIPA".to_owned());
    }
    if let Some(n) = condition.sal_verification {
        terms.push(match condition.sal_threshold.map(|t| t.decimal()) {
            Some(t) => format!(
                "verifica SAL n. {n} con avanzamento almeno pari al {} del valore delle attività",
                it::percent(t)
            ),
            None => format!("verifica SAL n. {n} con esito positivo"),
        });
    }
    if condition.requires_services_usable {
        terms.push("servizi dell'intervento attivi e avviati".to_owned());
    }
    if let Some(t) = condition.adhesion_share_threshold.map(|t| t.decimal()) {
        terms.push(format!(
            "impegni contrattuali sottoscritti da almeno il {} dei comuni aderenti",
            it::percent(t)
        ));
    }
    if condition.requires_completion {
        terms.push("completamento dell'intervento registrato".to_owned());
    }
    if let Some(m) = condition.months_of_operation {
        terms.push(format!("{m} mesi di esercizio verificato dei servizi"));
    }
    if condition.requires_admissibility {
        terms.push("permanenza dei requisiti di ammissibilità di ALI".to_owned());
    }
    let article = condition
        .text
        .rfind("(art.")
        .and_then(|start| {
            let rest = &condition.text[start..];
            rest.find(')').map(|end| rest[..=end].to_owned())
        })
        .unwrap_or_default();
    let body = if terms.is_empty() {
        "dopo la sottoscrizione".to_owned()
    } else {
        terms.join("; ")
    };
    if article.is_empty() {
        format!("Erogazione subordinata a: {body}.")
    } else {
        format!("Erogazione subordinata a: {body} {article}.")
    }
}

fn tranches(data: &InterventoData) -> Vec<TrancheLine> {
    data.eligibility
        .tranches
        .iter()
        .map(|t| TrancheLine {
            seq: it::count(i64::from(t.seq)),
            share: it::percent(t.share.decimal()),
            amount: it::euro(t.amount.decimal()),
            state: tranche_state(&t.state).to_owned(),
            condition: data
                .finance
                .tranches
                .iter()
                .find(|p| p.seq == t.seq)
                .map(|p| condition_it(&p.condition))
                .unwrap_or_else(|| "Condizione non indicata nel registro.".to_owned()),
            eligible: if t.eligible {
                "tutte le condizioni sono soddisfatte".to_owned()
            } else {
                "non tutte le condizioni sono soddisfatte".to_owned()
            },
            checks: t
                .checks
                .iter()
                .map(|c| CheckLine {
                    holds: c.holds,
                    outcome: if c.holds {
                        "soddisfatta"
                    } else {
                        "non soddisfatta"
                    }
                    .to_owned(),
                    required: c.required_it.clone(),
                    figure: c.figure_it.clone(),
                })
                .collect(),
        })
        .collect()
}

fn maturity(data: &InterventoData) -> Vec<Row> {
    let m = &data.intervento.maturity;
    let mut rows = vec![
        row(
            "Accordi di riuso formalizzati",
            date_or(m.reuse_agreements_formalised_on, "non ancora"),
        ),
        row(
            "Progetto esecutivo validato dal CNIPA",
            date_or(m.progetto_esecutivo_validated_on, "non ancora"),
        ),
    ];
    let mature = m.mature;
    rows.push(row(
        "Maturità per il passaggio alla sezione attuativa (art. 5.4)",
        if mature { "raggiunta" } else { "non raggiunta" },
    ));
    rows
}

fn intervento(data: &InterventoData, report: &ReportData) -> InterventoView {
    let i = &data.intervento;
    let programmatica = i.sezione == Sezione::Programmatica;
    let (finance, sources) = finance(data);
    let progress = progress(data);
    let late = late_activities(data, report.deadlines.ends_on);
    let activities_note = match &late {
        _ if data.activities.is_empty() => Some(
            "Il cronoprogramma delle attività dell'intervento non è presente nel registro dell'Accordo."
                .to_owned(),
        ),
        None => Some(
            "Senza la scheda del semestre l'avanzamento delle attività rispetto al cronoprogramma non è rilevato."
                .to_owned(),
        ),
        Some(l) if l.is_empty() => {
            Some("Nessuna attività in ritardo rispetto al cronoprogramma.".to_owned())
        }
        Some(_) => None,
    };
    let late = late.unwrap_or_default();
    let mut observations = progress.observations;
    if !late.is_empty() {
        observations.push(format!(
            "Attività in ritardo rispetto al cronoprogramma: {}.",
            it::count(i64::try_from(late.len()).unwrap_or(i64::MAX))
        ));
    }
    let obstacles = data.scheda.as_ref().and_then(|s| s.obstacles.clone());
    let critical = progress.behind.is_some_and(|g| g > Decimal::TEN)
        || obstacles.as_deref().is_some_and(|o| !o.trim().is_empty());
    InterventoView {
        code: i.code.clone(),
        title: i.title.clone(),
        cup: i.cup.as_ref().map_or_else(
            || "non ancora assegnato".to_owned(),
            |c| c.as_str().to_owned(),
        ),
        sezione: if programmatica {
            "sezione programmatica".to_owned()
        } else {
            "sezione attuativa".to_owned()
        },
        programmatica,
        state: intervento_state(i.state),
        critical,
        maturity: if programmatica {
            maturity(data)
        } else {
            Vec::new()
        },
        decisions: data
            .decisions
            .iter()
            .map(|d| DecisionLine {
                date: it::date(d.decided_on),
                kind: decision_kind(&d.kind),
                summary: d.summary.clone(),
                verbale: d
                    .verbale_ref
                    .clone()
                    .unwrap_or_else(|| "non indicato".to_owned()),
            })
            .collect(),
        finance,
        sources,
        tranches: tranches(data),
        progress: progress.rows,
        late_activities: late,
        activities_note,
        indicators: report
            .indicators
            .iter()
            .filter(|ind| ind.intervento_code.as_deref() == Some(i.code.as_str()))
            .map(|ind| {
                let computed = report.computed.as_ref().filter(|c| c.code == ind.code);
                indicator_line(ind, computed)
            })
            .collect(),
        observations,
        obstacles: or_dash(obstacles.as_deref()),
        corrective_actions: or_dash(
            data.scheda
                .as_ref()
                .and_then(|s| s.corrective_actions.as_deref()),
        ),
    }
}

/// How the report presents itself: a draft, or an issued version.
#[derive(Debug, Clone, Copy)]
pub enum Issue {
    Draft,
    Issued { version: i32, on: NaiveDate },
}

pub fn view(report: &ReportData, issue: Issue) -> View {
    let d = &report.deadlines;
    let with_scheda: Vec<&InterventoData> = report
        .interventi
        .iter()
        .filter(|i| i.scheda.is_some())
        .collect();
    let validated = with_scheda
        .iter()
        .filter(|i| {
            i.scheda
                .as_ref()
                .is_some_and(|s| s.state == SchedaState::Validated)
        })
        .count();
    let sum = |pick: fn(&crate::schede::Scheda) -> Decimal| -> Decimal {
        with_scheda
            .iter()
            .filter_map(|i| i.scheda.as_ref())
            .map(pick)
            .sum()
    };
    let commitments = sum(|s| s.commitments.decimal());
    let payments = sum(|s| s.payments.decimal());
    let total_cost: Decimal = report
        .interventi
        .iter()
        .map(|i| i.finance.total_cost.decimal())
        .sum();
    let cnipa: Decimal = report
        .interventi
        .iter()
        .map(|i| i.finance.cnipa_cofinancing.decimal())
        .sum();
    let to_count = |n: usize| it::count(i64::try_from(n).unwrap_or(i64::MAX));
    let mut general = vec![
        row("Interventi dell'atto", to_count(report.interventi.len())),
        row(
            "Interventi con scheda di monitoraggio del semestre",
            to_count(with_scheda.len()),
        ),
        row("Schede validate", to_count(validated)),
        row("Costo complessivo degli interventi", it::euro(total_cost)),
        row("Cofinanziamento CNIPA complessivo", it::euro(cnipa)),
        row("Impegni dichiarati nelle schede", it::euro(commitments)),
        row("Pagamenti dichiarati nelle schede", it::euro(payments)),
    ];
    if !with_scheda.is_empty() {
        let sals: Decimal = with_scheda
            .iter()
            .filter_map(|i| i.scheda.as_ref())
            .map(|s| s.sal.decimal())
            .sum();
        let n = Decimal::from(with_scheda.len());
        general.push(row(
            "SAL medio degli interventi monitorati",
            it::percent(sals / n),
        ));
    }
    let (status, issued_on) = match issue {
        Issue::Draft => (
            "Bozza non emessa".to_owned(),
            it::date(report.generated_at.date_naive()),
        ),
        Issue::Issued { version, on } => (format!("Versione n. {version}"), it::date(on)),
    };
    let obligations = report
        .obligations
        .iter()
        .map(|o| {
            let late = o.done_on.is_none() && o.due_on < report.as_of;
            let status = match o.done_on {
                Some(done) if done <= o.due_on => format!("adempiuto il {}", it::date(done)),
                Some(done) => format!("adempiuto in ritardo il {}", it::date(done)),
                None if late => "in ritardo, non adempiuto".to_owned(),
                None => "in scadenza".to_owned(),
            };
            ObligationLine {
                obligation: obligation_name(o.obligation).to_owned(),
                party: party_name(o.obligation.party()),
                due_on: it::date(o.due_on),
                status,
                late,
            }
        })
        .collect();
    let names = |programmatica: bool| -> Vec<String> {
        report
            .interventi
            .iter()
            .filter(|i| (i.intervento.sezione == Sezione::Programmatica) == programmatica)
            .map(|i| format!("{} ({})", i.intervento.title, i.intervento.code))
            .collect()
    };
    let a = &report.adhesion;
    let adhesion = vec![
        row(
            "Comuni toscani aderenti",
            it::count(a.overall.adhering_comuni),
        ),
        row(
            "Comuni con impegni contrattuali sottoscritti",
            it::count(a.overall.committed_comuni),
        ),
        row(
            "Quota dei comuni aderenti con impegni sottoscritti",
            a.overall
                .committed_share
                .map(percent)
                .unwrap_or_else(|| "non calcolabile: nessun comune aderente".to_owned()),
        ),
    ];
    View {
        semester_code: report.semester.to_string(),
        title: "Rapporto di monitoraggio".to_owned(),
        apq: "Accordo di Programma Quadro in materia di società dell'informazione".to_owned(),
        atto: match report.atto.signed_on {
            Some(on) => format!(
                "{} Atto Integrativo, sottoscritto il {}",
                roman(report.atto.number),
                it::date(on)
            ),
            None => format!(
                "{} Atto Integrativo, non ancora sottoscritto",
                roman(report.atto.number)
            ),
        },
        semester: it::semester(report.semester),
        period: format!("dal {} al {}", it::date(d.starts_on), it::date(d.ends_on)),
        issuer: ISSUER.to_owned(),
        signatory: SIGNATORY.to_owned(),
        status,
        issued_on,
        data_as_of: it::date(report.as_of),
        general,
        deadlines: vec![
            row(
                "Inserimento dei dati nell'Applicativo Intese entro il",
                it::date(d.data_entry),
            ),
            row(
                "Richiesta di convalida",
                d.validation_request.map_or_else(
                    || "successivamente all'inserimento (il termine non è fissato)".to_owned(),
                    |on| format!("entro il {}", it::date(on)),
                ),
            ),
            row(
                "Invio del Rapporto di monitoraggio entro il",
                it::date(d.rapporto),
            ),
        ],
        obligations,
        defaults: report
            .open_defaults
            .iter()
            .map(|x| DefaultLine {
                obligation: Obligation::from_str(&x.obligation)
                    .map(|o| obligation_name(o).to_owned())
                    .unwrap_or_else(|_| "obbligo non riconosciuto".to_owned()),
                party: party_name(&x.party),
                description: match apq_domain::Semester::parse(&x.semester) {
                    Ok(semester) => format!(
                        "Adempimento relativo al {} non eseguito entro la scadenza",
                        it::semester(semester)
                    ),
                    Err(_) => "Adempimento non eseguito entro la scadenza".to_owned(),
                },
                opened_on: it::date(x.opened_on),
                deadline: date_or(x.deadline, "non assegnato"),
                state: default_state(x.state).to_owned(),
            })
            .collect(),
        attuativa: names(false),
        programmatica: names(true),
        adhesion,
        services: a
            .by_service
            .iter()
            .map(|s| ServiceLine {
                service: format!("{}. {}", s.service_number, s.service_name),
                adhering: it::count(s.counts.adhering_comuni),
                committed: it::count(s.counts.committed_comuni),
                share: s
                    .counts
                    .committed_share
                    .map(percent)
                    .unwrap_or_else(|| "non calcolabile".to_owned()),
            })
            .collect(),
        provinces: a
            .by_province
            .iter()
            .map(|p| ProvinceLine {
                province: p
                    .province
                    .clone()
                    .unwrap_or_else(|| "provincia non indicata".to_owned()),
                adhering: it::count(p.counts.adhering_comuni),
                committed: it::count(p.counts.committed_comuni),
                services_activated: it::count(p.services_activated),
            })
            .collect(),
        interventi: report
            .interventi
            .iter()
            .map(|i| intervento(i, report))
            .collect(),
    }
}

fn roman(n: i32) -> String {
    match n {
        1 => "I",
        2 => "II",
        3 => "III",
        4 => "IV",
        5 => "V",
        6 => "VI",
        _ => return format!("{n}º"),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peers::TrancheCondition;

    fn indicator(target: &str, latest: Option<&str>) -> Indicator {
        Indicator {
            code: "IND-03".to_owned(),
            name: "enti con PEC".to_owned(),
            unit: "enti".to_owned(),
            intervento_code: Some("CSTT-ALI".to_owned()),
            baseline: None,
            target: Some(target.to_owned()).filter(|t| t != "0.00"),
            source_ref: None,
            measurements: Vec::new(),
            latest: latest.map(str::to_owned),
            target_reached: false,
        }
    }

    #[test]
    fn a_computed_indicator_shows_its_value_and_says_it_is_computed_unless_measured() {
        let computed = |value: Option<&str>| IndicatorComputation {
            code: "IND-03".to_owned(),
            name: "servizi".to_owned(),
            as_of: NaiveDate::from_ymd_opt(2009, 12, 31).unwrap_or_default(),
            value: value.map(str::to_owned),
            target: None,
            target_reached: false,
            services: Vec::new(),
            figure: String::new(),
            figure_it: "servizi erogati nei tempi previsti: 3 su 8".to_owned(),
        };
        let cases = [
            (
                None,
                computed(Some("3.00")),
                "3",
                "calcolato al 31 dicembre 2009 (servizi erogati nei tempi previsti: 3 su 8): target non definito",
            ),
            (
                None,
                computed(None),
                "non rilevato",
                "calcolato al 31 dicembre 2009 (servizi erogati nei tempi previsti: 3 su 8): non calcolabile: la data di un servizio non è nota",
            ),
            (
                Some("5"),
                computed(Some("3.00")),
                "5",
                "target non definito",
            ),
        ];
        for (latest, computed, value, outcome) in cases {
            let line = indicator_line(&indicator("0.00", latest), Some(&computed));
            assert_eq!(
                (line.value.as_str(), line.outcome.as_str()),
                (value, outcome),
                "{latest:?}"
            );
        }
    }

    #[test]
    fn indicators_against_target_and_unknown_targets_are_unknown() {
        for (target, latest, shown_target, value, outcome) in [
            ("111.00", Some("60"), "111", "60", "54,05% del target"),
            (
                "111.00",
                Some("111"),
                "111",
                "111",
                "raggiunto (100,00% del target)",
            ),
            ("111.00", None, "111", "non rilevato", "non rilevato"),
            (
                "0.00",
                Some("4"),
                "non definito",
                "4",
                "target non definito",
            ),
            ("0.00", None, "non definito", "non rilevato", "non rilevato"),
            (
                "8.00",
                Some("12.5"),
                "8",
                "12,5",
                "raggiunto (156,25% del target)",
            ),
        ] {
            let line = indicator_line(&indicator(target, latest), None);
            assert_eq!(
                (
                    line.target.as_str(),
                    line.value.as_str(),
                    line.outcome.as_str()
                ),
                (shown_target, value, outcome),
                "{target} {latest:?}"
            );
        }
    }

    fn condition(text: &str) -> TrancheCondition {
        TrancheCondition {
            text: text.to_owned(),
            requires_plan_approved: false,
            requires_progetto_esecutivo: false,
            sal_verification: None,
            sal_threshold: None,
            adhesion_share_threshold: None,
            months_of_operation: None,
            requires_services_usable: false,
            requires_admissibility: false,
            requires_completion: false,
        }
    }

    #[test]
    fn tranche_conditions_are_written_in_italian() {
        let mut plan = condition("After signature, once CNIPA has approved the Piano (art. 4.2)");
        plan.requires_plan_approved = true;
        let mut sal = condition("After the first SAL verification ... (art. 4.2)");
        sal.sal_verification = Some(1);
        sal.sal_threshold = apq_domain::Percent::parse("50.00").ok();
        sal.adhesion_share_threshold = apq_domain::Percent::parse("30.00").ok();
        let mut months = condition("At completion, after 12 months");
        months.requires_completion = true;
        months.months_of_operation = Some(12);
        months.requires_admissibility = true;
        for (c, expected) in [
            (
                plan,
                "Erogazione subordinata a: approvazione del Piano di monitoraggio da parte del CNIPA (art. 4.2).",
            ),
            (
                sal,
                "Erogazione subordinata a: verifica SAL n. 1 con avanzamento almeno pari al 50,00% del valore delle attività; impegni contrattuali sottoscritti da almeno il 30,00% dei comuni aderenti (art. 4.2).",
            ),
            (
                months,
                "Erogazione subordinata a: completamento dell'intervento registrato; 12 mesi di esercizio verificato dei servizi; permanenza dei requisiti di ammissibilità di ALI.",
            ),
            (
                condition("After signature"),
                "Erogazione subordinata a: dopo la sottoscrizione.",
            ),
        ] {
            assert_eq!(condition_it(&c), expected);
        }
    }

    #[test]
    fn states_and_obligations_have_italian_names() {
        for (state, expected) in [
            ("planned", "prevista"),
            ("eligible", "erogabile"),
            ("requested", "richiesta"),
            ("paid", "erogata"),
            ("revoked", "revocata"),
            ("something", "stato non riconosciuto"),
        ] {
            assert_eq!(tranche_state(state), expected);
        }
        assert_eq!(
            obligation_name(Obligation::DataEntry),
            "Inserimento dei dati nell'Applicativo Intese"
        );
        assert_eq!(roman(4), "IV");
    }
}
