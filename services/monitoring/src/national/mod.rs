//! The PUC file of a semester built from live data: monitoring's own records (projects,
//! soggetti, impegni and pagamenti, phases) and the agreements register (title, CUP, cost,
//! sources of financing) read over HTTP (a peer that does not answer is a 503 naming it). The
//! preview shows exactly the file that would be sent, what each record is, and the national
//! checks' findings.

use std::collections::HashSet;

use apq_domain::{Cup, Euro, Semester};
use apq_platform::ApiError;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::costs::{CostYear, Economy};
use crate::indicators;
use crate::iter::{self, PhaseRow};
use crate::movements::{Movement, MovementKind};
use crate::peers::{FinancialSummary, Intervento, InterventoState, PaidTranche};
use crate::projects::{Project, Soggetto};
use crate::puc::checks::{self, Finding};
use crate::puc::file::{Record, Structure, Writer};
use crate::puc::{format, tables};

mod http;
mod queries;

pub use http::{gather, preview};

/// Everything one project's records are made of.
pub struct Live {
    pub project: Project,
    pub intervento: Intervento,
    pub movements: Vec<Movement>,
    pub phases: Vec<PhaseRow>,
    pub soggetti: Vec<Soggetto>,
    /// The register's amounts, read: one that cannot be read stops the file (503).
    pub amounts: Amounts,
    /// COD_STRU_ATT of the atto the intervento belongs to (absent when TC15 lacks it).
    pub strumento: Option<String>,
    /// The intervento's output indicators with their measured values.
    pub indicators: Vec<OutputIndicator>,
    pub cost_plan: Vec<CostYear>,
    pub economies: Vec<Economy>,
    /// The State's tranches paid for the intervento (TR00).
    pub transfers: Vec<PaidTranche>,
}

/// The intervento's cost and sources of financing as amounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Amounts {
    pub total_cost: Euro,
    /// Each source's contributor (`stato`, `regione_toscana`...) and amount, in the register's order.
    pub sources: Vec<(String, Euro)>,
}

/// The amounts of the register's financial summary: typed by the contract, so an amount the
/// register sends unreadable is refused when its answer is read (a 503 naming the peer and the
/// field), never a zero standing in. Pure.
pub fn amounts(summary: &FinancialSummary) -> Amounts {
    Amounts {
        total_cost: summary.total_cost,
        sources: summary
            .sources
            .iter()
            .map(|s| (s.contributor.as_str().to_owned(), s.amount))
            .collect(),
    }
}

/// An output indicator (IN01): its code, its target (VAL_PROGRAMMATO, absent where the seed
/// gives none) and its measured values by semester.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputIndicator {
    pub code: String,
    pub planned: Option<Decimal>,
    pub measured: Vec<(Semester, Decimal)>,
}

impl OutputIndicator {
    /// The value measured last by the end of `semester` (VALORE_REALIZZATO).
    pub fn realised(&self, semester: Semester) -> Option<Decimal> {
        self.measured
            .iter()
            .filter(|(s, _)| *s <= semester)
            .max_by_key(|(s, _)| *s)
            .map(|(_, v)| *v)
    }
}

/// The indicators of `code` among `all`, their values read (ours: a value that cannot be read
/// is an internal error).
pub fn output_indicators(
    all: &[indicators::Indicator],
    code: &str,
) -> Result<Vec<OutputIndicator>, ApiError> {
    let decimal = |raw: &str| raw.parse::<Decimal>().map_err(ApiError::internal);
    all.iter()
        .filter(|i| i.intervento_code.as_deref() == Some(code))
        .map(|i| {
            Ok(OutputIndicator {
                code: i.code.clone(),
                planned: i.target.as_deref().map(decimal).transpose()?,
                measured: i
                    .measurements
                    .iter()
                    .map(|m| Ok((m.semester, decimal(&m.value)?)))
                    .collect::<Result<_, ApiError>>()?,
            })
        })
        .collect()
}

/// The project's state (TC47) at `up_to`, from the register and the recorded data: executed
/// when the register says completed or the last phase the CUP's nature requires has ended; in
/// progress once a phase has started or an impegno or pagamento is recorded; not started
/// otherwise. A cancelled or revoked intervento has no state we can send (absent). Pure.
pub fn state(live: &Live, up_to: NaiveDate) -> Option<&'static str> {
    match live.intervento.state {
        InterventoState::Cancelled | InterventoState::Revoked => return None,
        InterventoState::Completed => return Some(tables::EXECUTED),
        InterventoState::Active | InterventoState::NotActivated => {}
    }
    let by = |d: Option<NaiveDate>| d.is_some_and(|d| d <= up_to);
    let last = live
        .project
        .natura_cup
        .as_deref()
        .map(iter::required)
        .and_then(|phases| phases.last().map(|p| p.code.clone()));
    if last.is_some_and(|last| {
        live.phases
            .iter()
            .any(|p| p.code == last && by(p.actual_end))
    }) {
        return Some(tables::EXECUTED);
    }
    let started = live.phases.iter().any(|p| by(p.actual_start))
        || live.movements.iter().any(|m| m.date <= up_to);
    Some(if started {
        tables::IN_PROGRESS
    } else {
        tables::NOT_STARTED
    })
}

/// COD_TRASFERIMENTO of the intervento's tranche `seq`: stable, one per tranche.
pub fn transfer_code(intervento: &str, seq: i32) -> String {
    format!("{intervento}-T{seq}")
}

/// A record of the file and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub record: Record,
    pub intervento_code: String,
    /// What the record carries: a movement's code, a phase's, a soggetto's name...
    pub entity: String,
}

fn opt(text: Option<&str>) -> String {
    text.unwrap_or_default().to_owned()
}

/// The records of one project with the data as of `up_to`, in the order they are sent. Pure.
pub fn records(live: &Live, up_to: NaiveDate) -> Vec<Described> {
    let local = live.project.local_code.clone();
    let code = &live.project.intervento_code;
    let mut out = Vec::new();
    let mut push = |structure, entity: String, rest: Vec<String>| {
        let mut values = vec![local.clone()];
        values.extend(rest);
        out.push(Described {
            record: Record {
                structure,
                values,
                deleted: false,
            },
            intervento_code: code.clone(),
            entity,
        });
    };
    let blank = String::new;
    push(
        Structure::Ap00,
        code.clone(),
        vec![
            format::text(&live.intervento.title, 500),
            blank(),
            blank(),
            opt(live.intervento.cup.as_ref().map(Cup::as_str)),
            blank(),
            format::maybe_date(live.phases.iter().filter_map(|p| p.actual_start).min()),
            blank(),
            blank(),
            blank(),
            blank(),
        ],
    );
    if let Some(strumento) = &live.strumento {
        push(Structure::Ap05, strumento.clone(), vec![strumento.clone()]);
    }
    if let Some(regione) = &live.project.cod_regione {
        push(
            Structure::Ap06,
            code.clone(),
            vec![
                regione.clone(),
                opt(live.project.cod_provincia.as_deref()),
                opt(live.project.cod_comune.as_deref()),
                blank(),
                blank(),
            ],
        );
    }
    for s in &live.soggetti {
        push(
            Structure::Sc00,
            s.name.clone(),
            vec![
                s.role.to_string(),
                opt(s.codice_fiscale.as_deref()),
                s.public.map(format::flag).unwrap_or_default(),
                opt(s.ipa.as_deref()),
                format::text(&s.name, 255),
                blank(),
                blank(),
                blank(),
            ],
        );
    }
    for (contributor, amount) in &live.amounts.sources {
        if *amount <= Euro::ZERO {
            continue; // a source of nothing finances nothing (IMPORTO > 0)
        }
        push(
            Structure::Fn00,
            contributor.clone(),
            vec![
                tables::fund(contributor).unwrap_or_default(),
                blank(),
                blank(),
                blank(),
                blank(),
                format::amount(*amount),
            ],
        );
    }
    push(
        Structure::Fn01,
        code.clone(),
        vec![blank(), blank(), format::amount(live.amounts.total_cost)],
    );
    for year in &live.cost_plan {
        push(
            Structure::Fn03,
            year.year.to_string(),
            vec![
                year.year.to_string(),
                format::amount(year.realised),
                format::amount(year.to_realise),
            ],
        );
    }
    for m in live.movements.iter().filter(|m| m.date <= up_to) {
        let structure = if m.kind == MovementKind::Impegno.as_str() {
            Structure::Fn04
        } else {
            Structure::Fn06
        };
        push(
            structure,
            m.code.clone(),
            vec![
                m.code.clone(),
                m.tipologia.clone(),
                format::date(m.date),
                format::amount(m.amount()),
                format::text(m.causale.as_deref().unwrap_or_default(), 100),
                format::text(m.note.as_deref().unwrap_or_default(), 500),
            ],
        );
    }
    for e in live.economies.iter().filter(|e| e.ascertained_on <= up_to) {
        push(
            Structure::Fn10,
            e.fund.clone(),
            vec![
                tables::fund(&e.fund).unwrap_or_default(),
                format::amount(e.amount),
            ],
        );
    }
    let semester = Semester::containing(up_to).ok();
    for i in &live.indicators {
        push(
            Structure::In01,
            i.code.clone(),
            vec![
                tables::PROGRAMME_INDICATOR.to_owned(),
                i.code.clone(),
                i.planned.map(|v| format::number(v, 2)).unwrap_or_default(),
                semester
                    .and_then(|s| i.realised(s))
                    .map(|v| format::number(v, 2))
                    .unwrap_or_default(),
            ],
        );
    }
    for p in &live.phases {
        push(
            Structure::Pr00,
            p.code.clone(),
            vec![
                p.code.clone(),
                format::maybe_date(p.planned_start),
                format::maybe_date(p.actual_start),
                format::maybe_date(p.planned_end),
                format::maybe_date(p.actual_end),
            ],
        );
    }
    if let Some(state) = state(live, up_to) {
        push(
            Structure::Pr01,
            state.to_owned(),
            vec![state.to_owned(), format::date(up_to)],
        );
    }
    // The transfers are the State's, not the project's: they start with their own code.
    let receiver = live.soggetti.iter().find(|s| s.role == 2);
    for t in live.transfers.iter().filter(|t| t.paid_on <= up_to) {
        let transfer = transfer_code(code, t.seq);
        out.push(Described {
            record: Record {
                structure: Structure::Tr00,
                values: vec![
                    transfer.clone(),
                    format::date(t.paid_on),
                    blank(),
                    tables::STATE_TRANCHE.to_owned(),
                    format::amount(t.amount),
                    receiver
                        .and_then(|s| s.codice_fiscale.clone())
                        .unwrap_or_default(),
                    receiver
                        .and_then(|s| s.public)
                        .map(format::flag)
                        .unwrap_or_default(),
                ],
                deleted: false,
            },
            intervento_code: code.clone(),
            entity: transfer,
        });
    }
    out
}

/// The project as the national checks read it, with the data as of `up_to`. Pure.
pub fn project(live: &Live, up_to: NaiveDate) -> checks::Project {
    let movement = |m: &Movement| checks::Movement {
        code: m.code.clone(),
        reversal: m.reversal(),
        on: m.date,
        amount: m.amount(),
    };
    let dated: Vec<&Movement> = live.movements.iter().filter(|m| m.date <= up_to).collect();
    let required: Vec<String> = live
        .project
        .natura_cup
        .as_deref()
        .map(iter::required)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.code.clone())
        .collect();
    let execution_ended = required.last().is_some_and(|last| {
        live.phases
            .iter()
            .any(|p| &p.code == last && p.actual_end.is_some())
    });
    let semester = Semester::containing(up_to).ok();
    checks::Project {
        code: live.project.local_code.clone(),
        cup: live.intervento.cup.as_ref().map(|c| c.as_str().to_owned()),
        strumento_attuativo: live.strumento.clone(),
        localisations: usize::from(live.project.cod_regione.is_some()),
        soggetti: live
            .soggetti
            .iter()
            .map(|s| checks::Soggetto {
                role: u8::try_from(s.role).unwrap_or(0),
                codice_fiscale: s.codice_fiscale.clone(),
                public: s.public.unwrap_or(false),
                ipa: s.ipa.clone(),
                name: s.name.clone(),
            })
            .collect(),
        financing: live
            .amounts
            .sources
            .iter()
            .filter(|(_, amount)| *amount > Euro::ZERO)
            .map(|(contributor, amount)| checks::ByFund {
                fund: contributor.clone(),
                amount: *amount,
                public: true,
            })
            .collect(),
        costo_ammesso: Some(live.amounts.total_cost),
        cost_plan: live
            .cost_plan
            .iter()
            .map(|y| checks::CostYear {
                year: y.year,
                realised: y.realised,
                to_realise: y.to_realise,
            })
            .collect(),
        commitments: dated
            .iter()
            .filter(|m| m.kind == MovementKind::Impegno.as_str())
            .map(|m| movement(m))
            .collect(),
        payments: dated
            .iter()
            .filter(|m| m.kind == MovementKind::Pagamento.as_str())
            .map(|m| movement(m))
            .collect(),
        economies: live
            .economies
            .iter()
            .filter(|e| e.ascertained_on <= up_to)
            .map(|e| checks::ByFund {
                fund: e.fund.clone(),
                amount: e.amount,
                public: true,
            })
            .collect(),
        indicators: live
            .indicators
            .iter()
            .map(|i| checks::Indicator {
                code: i.code.clone(),
                planned: i.planned,
                realised: semester.and_then(|s| i.realised(s)),
            })
            .collect(),
        phases: live
            .phases
            .iter()
            .map(|p| checks::Phase {
                code: p.code.clone(),
                planned_start: p.planned_start,
                actual_start: p.actual_start,
                planned_end: p.planned_end,
                actual_end: p.actual_end,
            })
            .collect(),
        states: state(live, up_to)
            .map(|code| checks::State {
                code: code.to_owned(),
                on: up_to,
            })
            .into_iter()
            .collect(),
        transfers: live
            .transfers
            .iter()
            .filter(|t| t.paid_on <= up_to)
            .map(|t| checks::Transfer {
                code: transfer_code(&live.project.intervento_code, t.seq),
                on: t.paid_on,
                amount: t.amount,
            })
            .collect(),
        required_phases: required,
        execution_ended,
    }
}

/// A record of the preview: its progressivo, structure and what it is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordInfo {
    #[schema(format = Int64)]
    pub progressivo: u64,
    pub structure: String,
    pub intervento_code: String,
    pub entity: String,
    pub deleted: bool,
    /// The values as written (kept with a transmission: a later tombstone repeats them).
    #[serde(skip)]
    pub fields: Vec<String>,
}

/// A national check's finding on one project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectFinding {
    pub intervento_code: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// The file that would be sent for a semester, what each record is, and the checks' findings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    pub semester: Semester,
    /// The data are those of the semester's last day.
    pub as_of: NaiveDate,
    pub records: Vec<RecordInfo>,
    pub findings: Vec<ProjectFinding>,
    /// A blocking finding stands: the file would be refused.
    pub blocked: bool,
    /// The file, exactly (CRLF line ends).
    pub file: String,
}

/// The sender code in `HH` (ours until IGRUE assigns the Regione's).
pub const SENDER: &str = "RTOS";

/// Writes the file as the first transmission (nothing sent before) and describes it. Pure.
#[cfg(test)]
pub fn assemble(semester: Semester, lives: &[Live]) -> Result<Preview, ApiError> {
    assemble_with(semester, lives, &[])
}

impl Described {
    /// What a record is across transmissions: its structure, project and entity.
    pub fn key(&self) -> (Structure, String, String) {
        (
            self.record.structure,
            self.record.values.first().cloned().unwrap_or_default(),
            self.entity.clone(),
        )
    }
}

/// A file being written project by project: the records so far (taken a page at a time when the
/// file is streamed), what the last transmission sent that the live data have not carried yet
/// (each becomes a tombstone at the end), and, when the file is described, each record and the
/// national checks' findings.
pub struct Assembly {
    writer: Writer<Vec<u8>>,
    as_of: NaiveDate,
    gone: HashSet<(Structure, String, String)>,
    described: Option<(Vec<RecordInfo>, Vec<ProjectFinding>)>,
}

impl Assembly {
    /// A file with the data of `as_of`, after the transmission that sent `previous`; `describe`
    /// keeps what each record is and runs the national checks (the preview, a transmission), the
    /// file alone does not.
    pub fn new(as_of: NaiveDate, previous: &[Described], describe: bool) -> Result<Self, ApiError> {
        Ok(Assembly {
            writer: Writer::new(Vec::new(), SENDER).map_err(ApiError::internal)?,
            as_of,
            gone: previous
                .iter()
                .filter(|d| !d.record.deleted)
                .map(Described::key)
                .collect(),
            described: describe.then(Default::default),
        })
    }

    fn write(&mut self, d: Described) -> Result<(), ApiError> {
        let progressivo = self.writer.record(&d.record).map_err(ApiError::internal)?;
        if let Some((infos, _)) = &mut self.described {
            infos.push(RecordInfo {
                progressivo,
                structure: d.record.structure.code().to_owned(),
                intervento_code: d.intervento_code,
                entity: d.entity,
                deleted: d.record.deleted,
                fields: d.record.values,
            });
        }
        Ok(())
    }

    /// Writes one project's records (and checks it when the file is described).
    pub fn add(&mut self, live: &Live) -> Result<(), ApiError> {
        for d in records(live, self.as_of) {
            self.gone.remove(&d.key());
            self.write(d)?;
        }
        if let Some((_, findings)) = &mut self.described {
            let code = &live.project.intervento_code;
            findings.extend(
                checks::run(&project(live, self.as_of), self.as_of)
                    .into_iter()
                    .map(|finding| ProjectFinding {
                        intervento_code: code.clone(),
                        finding,
                    }),
            );
        }
        Ok(())
    }

    /// What has been written since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.output())
    }

    /// A tombstone (`FLG_CANCELLAZIONE=S`, the values as sent) for each record of `previous`
    /// whose entity the live data no longer carry, then the trailer: the rest of the file, and
    /// what each record is when described.
    pub fn finish(mut self, previous: &[Described]) -> Result<Written, ApiError> {
        let gone = std::mem::take(&mut self.gone);
        for d in previous.iter().filter(|d| gone.contains(&d.key())) {
            let mut tombstone = d.clone();
            tombstone.record.deleted = true;
            self.write(tombstone)?;
        }
        let (rest, _) = self.writer.finish().map_err(ApiError::internal)?;
        let (records, findings) = self.described.unwrap_or_default();
        Ok(Written {
            rest,
            records,
            findings,
        })
    }
}

/// What finishing a file gives: its last part, and what each record is when described.
pub struct Written {
    pub rest: Vec<u8>,
    pub records: Vec<RecordInfo>,
    pub findings: Vec<ProjectFinding>,
}

/// Writes the file and describes it: the live records, then a tombstone for each record of
/// `previous` (the last transmission) whose entity the live data no longer carry. Pure.
pub fn assemble_with(
    semester: Semester,
    lives: &[Live],
    previous: &[Described],
) -> Result<Preview, ApiError> {
    let as_of = semester.last_day();
    let mut assembly = Assembly::new(as_of, previous, true)?;
    for live in lives {
        assembly.add(live)?;
    }
    let written = assembly.finish(previous)?;
    Ok(Preview {
        semester,
        as_of,
        records: written.records,
        blocked: written.findings.iter().any(|f| f.finding.blocking),
        findings: written.findings,
        file: String::from_utf8(written.rest).map_err(ApiError::internal)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use serde_json::json;
    use uuid::Uuid;

    fn day(raw: &str) -> NaiveDate {
        raw.parse().unwrap_or_default()
    }

    fn movement(kind: &str, tipologia: &str, code: &str, date: &str, cents: i64) -> Movement {
        serde_json::from_value(json!({
            "id": Uuid::nil(), "intervento_code": "CSTT-ALI", "kind": kind, "code": code,
            "tipologia": tipologia, "date": date,
            "amount": Euro::from_cents(cents), "causale": null, "note": null,
            "recorded_by": "t", "version": 1, "created_at": DateTime::<Utc>::MIN_UTC,
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn summary() -> FinancialSummary {
        let money = |a: &str| json!({"amount": a, "currency": "EUR"});
        serde_json::from_value(json!({
            "intervento_id": Uuid::nil(), "code": "CSTT-ALI",
            "total_cost": money("1892850.00"),
            "sources": [
                {"contributor": "stato", "heading": "II Fase", "legal_basis": "L. 289/2002", "amount": money("584745.76"), "cnipa": true},
                {"contributor": "regione_toscana", "heading": "Bilancio", "legal_basis": "", "amount": money("1308104.24"), "cnipa": false},
                {"contributor": "eell", "heading": "EELL", "legal_basis": "", "amount": money("0.00"), "cnipa": false},
            ],
            "cnipa_cofinancing": money("584745.76"), "cofinancing_share": null, "cofinancing_cap": "50.00",
            "tranches": [], "tranches_paid": money("0.00"), "tranches_due": money("0.00"),
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn live() -> Live {
        let money = |a: &str| json!({"amount": a, "currency": "EUR"});
        Live {
            amounts: amounts(&summary()),
            strumento: Some("APQSI-TOS4".to_owned()),
            indicators: Vec::new(),
            cost_plan: Vec::new(),
            economies: Vec::new(),
            transfers: Vec::new(),
            project: serde_json::from_value(json!({
                "id": Uuid::nil(), "intervento_code": "CSTT-ALI", "local_code": "APQ-SI-TOSCANA-0001",
                "natura_cup": "02", "cod_regione": "09", "cod_provincia": null, "cod_comune": null,
                "source_ref": null, "cancelled_on": null, "version": 1, "created_at": DateTime::<Utc>::MIN_UTC,
            }))
            .unwrap_or_else(|e| panic!("{e}")),
            intervento: serde_json::from_value(json!({
                "id": Uuid::nil(), "atto_id": Uuid::nil(), "code": "CSTT-ALI", "title": "CSTT-ALI | Toscana", "kind": "ali",
                "sezione": "attuativa", "state": "active", "cup": "D53G07000070002", "total_cost": money("1892850.00"),
                "cnipa_cofinancing": money("584745.76"), "cofinancing_share": "30.89", "cofinancing_cap": "50.00",
                "maturity": {"reuse_agreements_formalised_on": null, "progetto_esecutivo_validated_on": null,
                    "progetto_esecutivo": null, "mature": false},
                "localisation": null, "objective": null, "soggetti_coinvolti": null,
                "economic_social_impact": null, "activities_and_services": null,
                "financing_description": null, "phases_financed": null, "activation_mode": null,
                "administrative_steps": null, "design_level": null, "started_on": null,
                "non_activation": null, "source_ref": null, "version": 1,
                "created_at": DateTime::<Utc>::MIN_UTC, "updated_at": DateTime::<Utc>::MIN_UTC,
            }))
            .unwrap_or_else(|e| panic!("{e}")),
            movements: vec![
                movement("impegno", "I", "IMP-1", "2010-02-01", 50_000_000),
                movement("pagamento", "P", "PAG-1", "2010-03-01", 20_000_000),
                movement("impegno", "I", "IMP-2", "2010-08-01", 100_000),
            ],
            phases: Vec::new(),
            soggetti: Vec::new(),
        }
    }

    #[test]
    fn the_records_of_a_project_in_the_order_they_are_sent() {
        let records = records(&live(), day("2010-06-30"));
        let kinds: Vec<(&str, &str)> = records
            .iter()
            .map(|d| (d.record.structure.code(), d.entity.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("AP00", "CSTT-ALI"),
                ("AP05", "APQSI-TOS4"),
                ("AP06", "CSTT-ALI"),
                ("FN00", "stato"),
                ("FN00", "regione_toscana"),
                ("FN01", "CSTT-ALI"),
                ("FN04", "IMP-1"),
                ("FN06", "PAG-1"),
                ("PR01", "2"),
            ],
            "a source of zero and a later impegno are not sent"
        );
        assert_eq!(
            records[0].record.values[1], "CSTT-ALI Toscana",
            "no separator in a text"
        );
        assert_eq!(
            records[6].record.values,
            [
                "APQ-SI-TOSCANA-0001",
                "IMP-1",
                "I",
                "01/02/2010",
                "500000,00",
                "",
                ""
            ]
        );
        assert!(
            records
                .iter()
                .all(|d| d.record.values.len() == d.record.structure.fields().len())
        );
    }

    #[test]
    fn the_checks_read_the_semester_and_the_national_table() {
        let project = project(&live(), day("2010-06-30"));
        assert_eq!(project.commitments.len(), 1);
        assert_eq!(project.payments.len(), 1);
        assert_eq!(project.financing.len(), 2);
        assert_eq!(project.required_phases, ["0201", "0202", "0203", "0204"]);
        assert!(!project.execution_ended);
        let findings = checks::run(&project, day("2010-06-30"));
        let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"004"), "no soggetti: {codes:?}");
        assert!(codes.contains(&"009"), "no phases: {codes:?}");
        assert!(!codes.contains(&"002"), "the strumento is known: {codes:?}");
        assert!(codes.contains(&"011"), "no cost plan: {codes:?}");
        assert!(!codes.contains(&"028"), "{codes:?}");
    }

    fn cost_year(year: i32, realised: i64, to_realise: i64) -> CostYear {
        CostYear {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            year,
            realised: Euro::from_cents(realised),
            to_realise: Euro::from_cents(to_realise),
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    fn economy(fund: &str, cents: i64, on: &str) -> Economy {
        Economy {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            fund: fund.into(),
            amount: Euro::from_cents(cents),
            ascertained_on: day(on),
            note: None,
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    /// CSTT-ALI with a cost plan, an economy, an indicator and a paid tranche.
    fn full() -> Live {
        let mut live = live();
        live.cost_plan = vec![
            cost_year(2008, 50_000_000, 0),
            cost_year(2009, 0, 138_285_000),
        ];
        live.economies = vec![
            economy("regione_toscana", 1_000_000, "2010-05-31"),
            economy("stato", 100, "2010-09-30"),
        ];
        live.indicators = vec![OutputIndicator {
            code: "IND-03".into(),
            planned: Some(Decimal::from(111)),
            measured: vec![
                (
                    Semester::parse("2009-S2").unwrap_or_else(|e| panic!("{e}")),
                    Decimal::from(40),
                ),
                (
                    Semester::parse("2010-S2").unwrap_or_else(|e| panic!("{e}")),
                    Decimal::from(90),
                ),
            ],
        }];
        live.transfers = vec![
            PaidTranche {
                seq: 1,
                amount: Euro::from_cents(17_542_373),
                paid_on: day("2010-03-15"),
            },
            PaidTranche {
                seq: 2,
                amount: Euro::from_cents(29_237_288),
                paid_on: day("2010-12-01"),
            },
        ];
        live
    }

    fn of<'a>(records: &'a [Described], structure: &str) -> Vec<&'a [String]> {
        records
            .iter()
            .filter(|d| d.record.structure.code() == structure)
            .map(|d| d.record.values.as_slice())
            .collect()
    }

    #[test]
    fn the_new_structures_carry_the_recorded_data_of_the_semester() {
        let records = records(&full(), day("2010-06-30"));
        assert!(
            records
                .iter()
                .all(|d| d.record.values.len() == d.record.structure.fields().len())
        );
        let local = "APQ-SI-TOSCANA-0001";
        assert_eq!(of(&records, "AP05"), [[local, "APQSI-TOS4"]]);
        assert_eq!(
            of(&records, "FN00")
                .iter()
                .map(|v| v[1].as_str())
                .collect::<Vec<_>>(),
            ["STA", "REG"],
            "COD_FONDO from TC33"
        );
        assert_eq!(
            of(&records, "FN03"),
            [
                [local, "2008", "500000,00", "0,00"],
                [local, "2009", "0,00", "1382850,00"]
            ]
        );
        assert_eq!(
            of(&records, "FN10"),
            [[local, "REG", "10000,00"]],
            "the economy ascertained after the semester is not sent"
        );
        assert_eq!(
            of(&records, "IN01"),
            [[local, "DPR", "IND-03", "111,00", "40,00"]],
            "the value measured by the semester's end"
        );
        assert_eq!(of(&records, "PR01"), [[local, "2", "30/06/2010"]]);
        assert_eq!(
            of(&records, "TR00"),
            [["CSTT-ALI-T1", "15/03/2010", "", "1", "175423,73", "", ""]],
            "a transfer starts with its own code; the one of December is not yet sent"
        );
        let codes: Vec<&str> = records.iter().map(|d| d.record.structure.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_by_key(|c| Structure::from_code(c));
        assert_eq!(codes, sorted, "the structures in the protocol's order");
    }

    #[test]
    fn the_cost_plan_and_the_economies_add_up_to_the_financing() {
        let live = full();
        let findings = checks::run(&project(&live, day("2010-06-30")), day("2010-06-30"));
        assert!(
            !findings.iter().any(|f| f.code == "039"),
            "1882850,00 + 10000,00 = 1892850,00: {findings:#?}"
        );
        assert!(
            !findings
                .iter()
                .any(|f| f.code == "002" || f.code == "008" || f.code == "010" || f.code == "011")
        );
        let mut short = live;
        short.cost_plan[1] = cost_year(2009, 0, 138_284_999);
        let findings = checks::run(&project(&short, day("2010-06-30")), day("2010-06-30"));
        let found = findings.iter().find(|f| f.code == "039");
        assert_eq!(
            found.map(|f| (f.structure, f.record.as_deref(), f.field)),
            Some(("FN03", Some("2009"), "IMP_DA_REALIZZARE")),
            "{findings:#?}"
        );
    }

    #[test]
    fn an_amount_the_register_sends_unreadable_is_an_error_not_zero() {
        let mut answer = serde_json::to_value(summary()).unwrap_or_default();
        answer["sources"][1]["amount"]["amount"] = json!("1.308.104,24");
        let error = serde_path_to_error::deserialize::<_, FinancialSummary>(answer.clone())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("sources[1].amount"), "{error}");
        answer["sources"][1]["amount"]["amount"] = json!("1308104.24");
        answer["total_cost"]["amount"] = json!("");
        let error = serde_path_to_error::deserialize::<_, FinancialSummary>(answer)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("total_cost"), "{error}");
    }

    #[test]
    fn the_state_follows_the_iter_the_events_and_the_register() {
        let mut live = live();
        assert_eq!(
            state(&live, day("2010-06-30")),
            Some(tables::IN_PROGRESS),
            "an impegno"
        );
        assert_eq!(
            state(&live, day("2010-01-31")),
            Some(tables::NOT_STARTED),
            "nothing yet"
        );
        live.movements.clear();
        let phase = |code: &str, start: Option<&str>, end: Option<&str>| PhaseRow {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            code: code.into(),
            planned_start: None,
            planned_end: None,
            actual_start: start.map(day),
            actual_end: end.map(day),
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        live.phases = vec![phase("0201", Some("2009-01-01"), None)];
        assert_eq!(state(&live, day("2009-06-30")), Some(tables::IN_PROGRESS));
        assert_eq!(state(&live, day("2008-12-31")), Some(tables::NOT_STARTED));
        live.phases
            .push(phase("0204", Some("2010-01-01"), Some("2010-05-01")));
        assert_eq!(
            state(&live, day("2010-06-30")),
            Some(tables::EXECUTED),
            "the last phase ended"
        );
        assert_eq!(state(&live, day("2010-04-30")), Some(tables::IN_PROGRESS));
        live.intervento.state = InterventoState::Revoked;
        assert_eq!(
            state(&live, day("2010-06-30")),
            None,
            "no state we can send"
        );
        live.intervento.state = InterventoState::Completed;
        assert_eq!(state(&live, day("2008-06-30")), Some(tables::EXECUTED));
    }

    #[test]
    fn an_indicator_sends_its_target_and_the_value_measured_by_the_semester() {
        let all: Vec<indicators::Indicator> = serde_json::from_value(json!([
            {"code": "IND-01", "name": "servizi", "unit": "servizi", "intervento_code": "CSTT-ALI",
             "baseline": null, "target": "8.00", "source_ref": "L6651",
             "measurements": [{"semester": "2009-S2", "value": "3"}, {"semester": "2010-S2", "value": "5"}],
             "latest": "5", "target_reached": false},
            {"code": "IND-99", "name": "altro", "unit": "enti", "intervento_code": "GEOSIGMA",
             "baseline": null, "target": null, "source_ref": null, "measurements": [],
             "latest": null, "target_reached": false},
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        let own = output_indicators(&all, "CSTT-ALI").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].planned, Some(Decimal::new(800, 2)));
        let semester = |raw: &str| Semester::parse(raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(own[0].realised(semester("2009-S1")), None);
        assert_eq!(own[0].realised(semester("2010-S1")), Some(Decimal::from(3)));
        assert_eq!(own[0].realised(semester("2011-S1")), Some(Decimal::from(5)));
        assert_eq!(transfer_code("CSTT-ALI", 2), "CSTT-ALI-T2");
    }

    #[test]
    fn a_record_whose_entity_is_gone_is_sent_again_as_a_tombstone() {
        let semester = Semester::parse("2010-S1").unwrap_or_else(|e| panic!("{e}"));
        let first = assemble(semester, &[live()]).unwrap_or_else(|e| panic!("{e:?}"));
        let previous: Vec<Described> = records(&live(), semester.last_day())
            .into_iter()
            .chain([Described {
                record: Record {
                    structure: Structure::Fn04,
                    values: vec![
                        "APQ-SI-TOSCANA-0001".into(),
                        "IMP-0".into(),
                        "I".into(),
                        "01/01/2010".into(),
                        "10,00".into(),
                        String::new(),
                        String::new(),
                    ],
                    deleted: false,
                },
                intervento_code: "CSTT-ALI".into(),
                entity: "IMP-0".into(),
            }])
            .collect();
        let next =
            assemble_with(semester, &[live()], &previous).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(next.records.len(), first.records.len() + 1);
        let last = next
            .records
            .last()
            .cloned()
            .unwrap_or_else(|| panic!("no records"));
        assert_eq!(
            (last.structure.as_str(), last.entity.as_str(), last.deleted),
            ("FN04", "IMP-0", true)
        );
        assert!(
            next.file.contains(&format!(
                "FN04#{}#APQ-SI-TOSCANA-0001|IMP-0|I|01/01/2010|10,00|||S#\r\n",
                last.progressivo
            )),
            "{}",
            next.file
        );
        // Gone entirely (the project cancelled): every record it had is a tombstone, once.
        let gone = assemble_with(semester, &[], &previous).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(gone.records.len(), previous.len());
        assert!(gone.records.iter().all(|r| r.deleted));
        let tombstones: Vec<Described> = previous
            .iter()
            .cloned()
            .map(|mut d| {
                d.record.deleted = true;
                d
            })
            .collect();
        let after = assemble_with(semester, &[], &tombstones).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(after.records.is_empty(), "a tombstone is sent once");
    }
}
