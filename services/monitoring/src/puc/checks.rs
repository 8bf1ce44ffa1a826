//! The national checks, as the national monitoring database runs them on what it receives and
//! Sfinge 2020 runs them before sending: each is a pure function of a project as the file would
//! carry it, and each finding names IGRUE's code, the structure, the record and the field, in
//! Italian as the national messages are.
//!
//! Checks 034 and 035 concern the "ammessi" commitments and payments (FN05, FN07), which an APQ
//! intervento does not send; they never apply here.

use std::collections::BTreeSet;

use apq_domain::{CodiceFiscale, Euro};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::file::Structure;

/// A commitment (FN04) or a payment (FN06): an event with its own code, not a running total.
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    pub code: String,
    /// A de-commitment (D) or a correction of a payment (R): it reduces the total.
    pub reversal: bool,
    pub on: NaiveDate,
    /// Always positive: a reversal says its direction.
    pub amount: Euro,
}

/// A soggetto collegato (SC00).
#[derive(Debug, Clone, PartialEq)]
pub struct Soggetto {
    /// TC24: 1 Programmatore, 2 Beneficiario, ...
    pub role: u8,
    /// The codice fiscale as sent: a checked one, or a public body's code ending with `*`.
    pub codice_fiscale: Option<String>,
    pub public: bool,
    pub ipa: Option<String>,
    pub name: String,
}

/// A source of financing (FN00) or an economy (FN10), by fund (TC33).
#[derive(Debug, Clone, PartialEq)]
pub struct ByFund {
    pub fund: String,
    pub amount: Euro,
    /// Whether the source is public (the economies are of public sources).
    pub public: bool,
}

/// One year of the cost plan (FN03).
#[derive(Debug, Clone, PartialEq)]
pub struct CostYear {
    pub year: i32,
    pub realised: Euro,
    pub to_realise: Euro,
}

/// An output indicator (IN01).
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub planned: Option<Decimal>,
    pub realised: Option<Decimal>,
}

/// A phase of the procedural iter (PR00), in the order of the national table.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub code: String,
    pub planned_start: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
}

/// A state of the project (PR01).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub code: String,
    pub on: NaiveDate,
}

/// A transfer (TR00): the State's tranches paid to the Regione.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    pub code: String,
    pub on: NaiveDate,
    pub amount: Euro,
}

/// A project as the file carries it: what the checks read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Project {
    pub code: String,
    pub cup: Option<String>,
    pub strumento_attuativo: Option<String>,
    pub localisations: usize,
    pub soggetti: Vec<Soggetto>,
    pub financing: Vec<ByFund>,
    pub costo_ammesso: Option<Euro>,
    pub cost_plan: Vec<CostYear>,
    pub commitments: Vec<Movement>,
    pub payments: Vec<Movement>,
    pub economies: Vec<ByFund>,
    pub indicators: Vec<Indicator>,
    pub phases: Vec<Phase>,
    pub states: Vec<State>,
    pub transfers: Vec<Transfer>,
    /// The phases the CUP's nature requires (TC46), in their order.
    pub required_phases: Vec<String>,
    /// The execution has ended (the last required phase has its actual end).
    pub execution_ended: bool,
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// IGRUE's code of the check (e.g. `028`), or `IPA`.
    pub code: &'static str,
    pub structure: &'static str,
    /// The record concerned (its code: a payment's, a phase's...), when it is one record.
    pub record: Option<String>,
    pub field: &'static str,
    /// What is wrong, in Italian.
    pub message: String,
    /// A blocking finding stops the transmission; the others are warnings.
    pub blocking: bool,
}

fn finding(
    code: &'static str,
    structure: Structure,
    record: Option<&str>,
    field: &'static str,
    message: impl Into<String>,
) -> Finding {
    Finding {
        code,
        structure: structure.code(),
        record: record.map(str::to_owned),
        field,
        message: message.into(),
        blocking: true,
    }
}

fn euro(value: Euro) -> String {
    super::format::amount(value)
}

fn net(movements: &[Movement]) -> Euro {
    movements.iter().fold(Euro::ZERO, |total, m| {
        if m.reversal {
            total - m.amount
        } else {
            total + m.amount
        }
    })
}

fn total(items: &[ByFund]) -> Euro {
    items.iter().map(|i| i.amount).sum()
}

fn public_net_of_economies(project: &Project) -> Euro {
    let public: Euro = project
        .financing
        .iter()
        .filter(|f| f.public)
        .map(|f| f.amount)
        .sum();
    public - total(&project.economies)
}

/// Checks 002-012: the structures a project must have.
fn presence(project: &Project) -> Vec<Finding> {
    let mut out = Vec::new();
    if project.strumento_attuativo.is_none() {
        out.push(finding(
            "002",
            Structure::Ap05,
            None,
            "COD_STRU_ATT",
            "Manca lo strumento attuativo del progetto.",
        ));
    }
    if project.localisations == 0 {
        out.push(finding(
            "003",
            Structure::Ap06,
            None,
            "COD_REGIONE",
            "Manca la localizzazione geografica del progetto.",
        ));
    }
    let roles: BTreeSet<u8> = project.soggetti.iter().map(|s| s.role).collect();
    for (role, name) in [(1, "Programmatore"), (2, "Beneficiario")] {
        if !roles.contains(&role) {
            out.push(finding(
                "004",
                Structure::Sc00,
                None,
                "COD_RUOLO_SOG",
                format!("Manca il soggetto collegato con ruolo {role} - {name} del progetto."),
            ));
        }
    }
    if project.financing.is_empty() {
        out.push(finding(
            "005",
            Structure::Fn00,
            None,
            "IMPORTO",
            "Manca il finanziamento del progetto.",
        ));
    }
    if project.costo_ammesso.is_none() {
        out.push(finding(
            "006",
            Structure::Fn01,
            None,
            "IMPORTO_AMMESSO",
            "Manca il costo ammesso del progetto.",
        ));
    }
    if !project
        .indicators
        .iter()
        .any(|i| i.planned.is_some_and(|p| p > Decimal::ZERO))
    {
        out.push(finding(
            "008",
            Structure::In01,
            None,
            "VAL_PROGRAMMATO",
            "Manca un indicatore di output con un valore programmato maggiore di zero.",
        ));
    }
    for phase in &project.required_phases {
        if !project.phases.iter().any(|p| &p.code == phase) {
            out.push(finding(
                "009",
                Structure::Pr00,
                Some(phase),
                "COD_FASE",
                format!(
                    "Manca nell'iter di progetto la fase {phase} richiesta dalla natura del CUP."
                ),
            ));
        }
    }
    if project.states.is_empty() {
        out.push(finding(
            "010",
            Structure::Pr01,
            None,
            "STATO_PROGETTO",
            "Manca lo stato di attuazione del progetto.",
        ));
    }
    if project.cost_plan.is_empty() {
        out.push(finding(
            "011",
            Structure::Fn03,
            None,
            "ANNO_PIANO",
            "Manca il piano dei costi del progetto.",
        ));
    }
    match &project.cup {
        None => out.push(finding(
            "012",
            Structure::Ap00,
            None,
            "CUP",
            "Manca il CUP del progetto.",
        )),
        Some(cup) if apq_domain::Cup::parse(cup).is_err() => out.push(finding(
            "012",
            Structure::Ap00,
            None,
            "CUP",
            format!("Il CUP {cup} non è nel formato del sistema CUP."),
        )),
        Some(cup) => out.push(Finding {
            blocking: false,
            ..finding(
                "012",
                Structure::Ap00,
                None,
                "CUP",
                format!(
                    "Il formato del CUP {cup} è corretto; che non sia cancellato o revocato lo verifica il sistema CUP."
                ),
            )
        }),
    }
    out
}

/// Checks 019-028 and 050-052: the amounts agree with each other.
fn amounts(project: &Project) -> Vec<Finding> {
    let mut out = Vec::new();
    let committed = net(&project.commitments);
    let paid = net(&project.payments);
    let public = public_net_of_economies(project);
    if !project.payments.is_empty() && project.commitments.is_empty() {
        out.push(finding(
            "019",
            Structure::Fn06,
            None,
            "IMPORTO_PAG",
            "Sono presenti pagamenti ma nessun impegno del progetto.",
        ));
    }
    if let Some(ammesso) = project.costo_ammesso
        && ammesso > public
    {
        out.push(finding(
            "024",
            Structure::Fn01,
            None,
            "IMPORTO_AMMESSO",
            format!(
                "Il costo ammesso ({}) supera il finanziamento pubblico al netto delle economie ({}).",
                euro(ammesso),
                euro(public)
            ),
        ));
    }
    if committed > public {
        out.push(finding(
            "027",
            Structure::Fn04,
            None,
            "IMPORTO_IMPEGNO",
            format!(
                "Il totale degli impegni ({}) supera il finanziamento pubblico al netto delle economie ({}).",
                euro(committed),
                euro(public)
            ),
        ));
    }
    if paid > committed {
        out.push(finding(
            "028",
            Structure::Fn06,
            None,
            "IMPORTO_PAG",
            format!(
                "Il totale dei pagamenti ({}) supera il totale degli impegni ({}).",
                euro(paid),
                euro(committed)
            ),
        ));
    }
    if committed.is_negative() {
        out.push(finding(
            "050",
            Structure::Fn04,
            None,
            "IMPORTO_IMPEGNO",
            format!(
                "Il saldo di impegni e disimpegni è negativo ({}).",
                euro(committed)
            ),
        ));
    }
    if paid.is_negative() {
        out.push(finding(
            "052",
            Structure::Fn06,
            None,
            "IMPORTO_PAG",
            format!(
                "Il saldo di pagamenti e rettifiche è negativo ({}).",
                euro(paid)
            ),
        ));
    }
    out
}

/// Checks 031-036: nothing is dated after the day the data are validated.
fn dates(project: &Project, validated_on: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let after = |on: NaiveDate| on > validated_on;
    for transfer in project.transfers.iter().filter(|t| after(t.on)) {
        out.push(finding(
            "031",
            Structure::Tr00,
            Some(&transfer.code),
            "DATA_TRASFERIMENTO",
            format!(
                "La data del trasferimento ({}) è successiva alla data di validazione ({}).",
                super::format::date(transfer.on),
                super::format::date(validated_on)
            ),
        ));
    }
    for (code, structure, field, what, list) in [
        (
            "032",
            Structure::Fn04,
            "DATA_IMPEGNO",
            "dell'impegno",
            &project.commitments,
        ),
        (
            "033",
            Structure::Fn06,
            "DATA_PAGAMENTO",
            "del pagamento",
            &project.payments,
        ),
    ] {
        for movement in list.iter().filter(|m| after(m.on)) {
            out.push(finding(
                code,
                structure,
                Some(&movement.code),
                field,
                format!(
                    "La data {what} ({}) è successiva alla data di validazione ({}).",
                    super::format::date(movement.on),
                    super::format::date(validated_on)
                ),
            ));
        }
    }
    for state in project.states.iter().filter(|s| after(s.on)) {
        out.push(finding(
            "036",
            Structure::Pr01,
            Some(&state.code),
            "DATA_RIFERIMENTO",
            format!(
                "La data dello stato di attuazione ({}) è successiva alla data di validazione ({}).",
                super::format::date(state.on),
                super::format::date(validated_on)
            ),
        ));
    }
    out
}

/// Checks 038-039: economies and the cost plan agree with the financing.
fn plan(project: &Project) -> Vec<Finding> {
    let mut out = Vec::new();
    for economy in &project.economies {
        let financed: Euro = project
            .financing
            .iter()
            .filter(|f| f.fund == economy.fund)
            .map(|f| f.amount)
            .sum();
        if financed <= economy.amount {
            out.push(finding(
                "038",
                Structure::Fn10,
                Some(&economy.fund),
                "IMPORTO",
                format!(
                    "L'economia sul fondo {} ({}) non trova un finanziamento maggiore sullo stesso fondo ({}).",
                    economy.fund,
                    euro(economy.amount),
                    euro(financed)
                ),
            ));
        }
    }
    if !project.cost_plan.is_empty() {
        let planned: Euro = project
            .cost_plan
            .iter()
            .map(|y| y.realised + y.to_realise)
            .sum();
        let economies = total(&project.economies);
        let financing = total(&project.financing);
        if planned + economies != financing {
            // The record named is the plan's last year, where what is still to realise is set.
            let last = project
                .cost_plan
                .iter()
                .map(|y| y.year)
                .max()
                .map(|y| y.to_string());
            out.push(finding(
                "039",
                Structure::Fn03,
                last.as_deref(),
                "IMP_DA_REALIZZARE",
                format!(
                    "Il piano dei costi ({}) più le economie ({}) non è uguale al finanziamento totale ({}).",
                    euro(planned),
                    euro(economies),
                    euro(financing)
                ),
            ));
        }
    }
    out
}

/// Checks 040-042: the procedural iter and the indicators at the end of execution.
fn iter(project: &Project) -> Vec<Finding> {
    let mut out = Vec::new();
    if project.execution_ended {
        for indicator in project.indicators.iter().filter(|i| i.realised.is_none()) {
            out.push(finding(
                "040",
                Structure::In01,
                Some(&indicator.code),
                "VALORE_REALIZZATO",
                format!(
                    "L'esecuzione è conclusa ma manca il valore realizzato dell'indicatore {}.",
                    indicator.code
                ),
            ));
        }
    }
    for (i, phase) in project.phases.iter().enumerate() {
        if phase.actual_end.is_none() {
            continue;
        }
        if phase.actual_start.is_none() {
            out.push(finding(
                "042",
                Structure::Pr00,
                Some(&phase.code),
                "DATA_INIZIO_EFFETTIVA",
                format!(
                    "La fase {} ha la data di fine effettiva ma non quella di inizio effettiva.",
                    phase.code
                ),
            ));
        }
        if let Some(earlier) = project.phases[..i]
            .iter()
            .find(|p| p.actual_start.is_none() || p.actual_end.is_none())
        {
            out.push(finding(
                "041",
                Structure::Pr00,
                Some(&earlier.code),
                "DATA_FINE_EFFETTIVA",
                format!(
                    "La fase {} ha la data di fine effettiva ma alla fase precedente {} mancano le date effettive di inizio e fine.",
                    phase.code, earlier.code
                ),
            ));
        }
    }
    out
}

/// The IPA rule: a public soggetto collegato has its IPA code, or a codice fiscale whose 16th
/// character is `*`; a codice fiscale sent is a valid one.
fn soggetti(project: &Project) -> Vec<Finding> {
    let mut out = Vec::new();
    for soggetto in &project.soggetti {
        let cf = soggetto.codice_fiscale.as_deref().unwrap_or_default();
        let starred = cf.len() == 16 && cf.ends_with('*');
        if soggetto.public && soggetto.ipa.as_deref().is_none_or(str::is_empty) && !starred {
            out.push(finding(
                "IPA",
                Structure::Sc00,
                Some(&soggetto.name),
                "COD_UNI_IPA",
                format!(
                    "Il soggetto pubblico {} non ha il codice IPA né un codice fiscale con il sedicesimo carattere '*'.",
                    soggetto.name
                ),
            ));
        }
        match soggetto.codice_fiscale.as_deref() {
            None | Some("") => out.push(finding(
                "004",
                Structure::Sc00,
                Some(&soggetto.name),
                "CODICE_FISCALE",
                format!("Manca il codice fiscale del soggetto {}.", soggetto.name),
            )),
            Some(_) if starred => {}
            Some(cf) => {
                if let Err(error) = CodiceFiscale::parse(cf) {
                    out.push(finding(
                        "004",
                        Structure::Sc00,
                        Some(&soggetto.name),
                        "CODICE_FISCALE",
                        format!(
                            "Il codice fiscale {cf} del soggetto {} non è valido ({error}).",
                            soggetto.name
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Every national check on `project`, with the data validated on `validated_on`.
pub fn run(project: &Project, validated_on: NaiveDate) -> Vec<Finding> {
    let mut findings = presence(project);
    findings.extend(amounts(project));
    findings.extend(dates(project, validated_on));
    findings.extend(plan(project));
    findings.extend(iter(project));
    findings.extend(soggetti(project));
    findings
}

/// Whether a finding stops the transmission.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.blocking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn eur(cents: i64) -> Euro {
        Euro::from_cents(cents)
    }

    fn movement(code: &str, reversal: bool, cents: i64) -> Movement {
        Movement {
            code: code.to_owned(),
            reversal,
            on: on(2009, 6, 30),
            amount: eur(cents),
        }
    }

    fn phase(code: &str, start: Option<NaiveDate>, end: Option<NaiveDate>) -> Phase {
        Phase {
            code: code.to_owned(),
            planned_start: Some(on(2007, 5, 15)),
            actual_start: start,
            planned_end: Some(on(2009, 7, 1)),
            actual_end: end,
        }
    }

    /// CSTT-ALI as the IV Atto states it, with a commitment and a payment recorded: clean.
    fn clean() -> Project {
        Project {
            code: "APQ-SI-CSTT-ALI".to_owned(),
            cup: Some("D53G07000070002".to_owned()),
            strumento_attuativo: Some("APQ".to_owned()),
            localisations: 1,
            soggetti: vec![
                Soggetto {
                    role: 1,
                    codice_fiscale: Some("01386030488".to_owned()),
                    public: true,
                    ipa: Some("r_toscan".to_owned()),
                    name: "Regione Toscana".to_owned(),
                },
                Soggetto {
                    role: 2,
                    codice_fiscale: Some("01386030488".to_owned()),
                    public: true,
                    ipa: Some("r_toscan".to_owned()),
                    name: "Regione Toscana".to_owned(),
                },
            ],
            financing: vec![
                ByFund {
                    fund: "STATO".to_owned(),
                    amount: eur(58_474_576),
                    public: true,
                },
                ByFund {
                    fund: "REGIONE".to_owned(),
                    amount: eur(130_810_424),
                    public: true,
                },
            ],
            costo_ammesso: Some(eur(189_285_000)),
            cost_plan: vec![
                CostYear {
                    year: 2008,
                    realised: eur(50_000_000),
                    to_realise: eur(0),
                },
                CostYear {
                    year: 2009,
                    realised: eur(0),
                    to_realise: eur(139_285_000),
                },
            ],
            commitments: vec![movement("IMP-1", false, 50_000_000)],
            payments: vec![movement("PAG-1", false, 25_000_000)],
            economies: vec![],
            indicators: vec![Indicator {
                code: "IND-03".to_owned(),
                planned: Some(Decimal::from(111)),
                realised: None,
            }],
            phases: vec![
                phase("0101", Some(on(2007, 5, 15)), Some(on(2007, 12, 31))),
                phase("0102", Some(on(2008, 1, 1)), None),
            ],
            states: vec![State {
                code: "2".to_owned(),
                on: on(2009, 12, 31),
            }],
            transfers: vec![],
            required_phases: vec!["0101".to_owned(), "0102".to_owned()],
            execution_ended: false,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn a_clean_intervento_has_no_blocking_finding() {
        let findings = run(&clean(), on(2010, 1, 31));
        assert_eq!(codes(&findings), Vec::<&str>::new(), "{findings:#?}");
        assert!(!blocks(&findings));
        assert!(
            findings.iter().any(|f| f.code == "012" && !f.blocking),
            "the CUP's existence is left to the CUP system, and said so"
        );
    }

    #[test]
    fn each_check_fires_on_its_own_breach_naming_structure_record_and_field() {
        type Breach = fn(&mut Project);
        /// The finding a breach must give: code, structure, record, field.
        type Expected = (
            &'static str,
            &'static str,
            Option<&'static str>,
            &'static str,
        );
        // (what breaks, the finding it must give: code, structure, record, field)
        let cases: Vec<(Breach, Expected)> = vec![
            (
                |p| p.strumento_attuativo = None,
                ("002", "AP05", None, "COD_STRU_ATT"),
            ),
            (
                |p| p.localisations = 0,
                ("003", "AP06", None, "COD_REGIONE"),
            ),
            (
                |p| p.soggetti.retain(|s| s.role != 2),
                ("004", "SC00", None, "COD_RUOLO_SOG"),
            ),
            (|p| p.financing.clear(), ("005", "FN00", None, "IMPORTO")),
            (
                |p| p.costo_ammesso = None,
                ("006", "FN01", None, "IMPORTO_AMMESSO"),
            ),
            (
                |p| p.indicators.clear(),
                ("008", "IN01", None, "VAL_PROGRAMMATO"),
            ),
            (
                |p| p.phases.truncate(1),
                ("009", "PR00", Some("0102"), "COD_FASE"),
            ),
            (
                |p| p.states.clear(),
                ("010", "PR01", None, "STATO_PROGETTO"),
            ),
            (|p| p.cost_plan.clear(), ("011", "FN03", None, "ANNO_PIANO")),
            (
                |p| p.cup = Some("D53G0700007".to_owned()),
                ("012", "AP00", None, "CUP"),
            ),
            (
                |p| p.commitments.clear(),
                ("019", "FN06", None, "IMPORTO_PAG"),
            ),
            (
                |p| p.costo_ammesso = Some(Euro::from_cents(189_285_001)),
                ("024", "FN01", None, "IMPORTO_AMMESSO"),
            ),
            (
                |p| p.commitments.push(movement("IMP-2", false, 139_285_001)),
                ("027", "FN04", None, "IMPORTO_IMPEGNO"),
            ),
            (
                |p| p.payments.push(movement("PAG-2", false, 25_000_001)),
                ("028", "FN06", None, "IMPORTO_PAG"),
            ),
            (
                |p| {
                    p.transfers.push(Transfer {
                        code: "TR-1".to_owned(),
                        on: on(2010, 2, 1),
                        amount: eur(1),
                    })
                },
                ("031", "TR00", Some("TR-1"), "DATA_TRASFERIMENTO"),
            ),
            (
                |p| p.commitments[0].on = on(2010, 2, 1),
                ("032", "FN04", Some("IMP-1"), "DATA_IMPEGNO"),
            ),
            (
                |p| p.payments[0].on = on(2010, 2, 1),
                ("033", "FN06", Some("PAG-1"), "DATA_PAGAMENTO"),
            ),
            (
                |p| p.states[0].on = on(2010, 2, 1),
                ("036", "PR01", Some("2"), "DATA_RIFERIMENTO"),
            ),
            (
                |p| {
                    p.economies.push(ByFund {
                        fund: "UE".to_owned(),
                        amount: eur(100),
                        public: true,
                    });
                    p.cost_plan[1].to_realise = eur(139_284_900);
                },
                ("038", "FN10", Some("UE"), "IMPORTO"),
            ),
            (
                |p| p.cost_plan[1].to_realise = eur(139_284_999),
                ("039", "FN03", Some("2009"), "IMP_DA_REALIZZARE"),
            ),
            (
                |p| p.execution_ended = true,
                ("040", "IN01", Some("IND-03"), "VALORE_REALIZZATO"),
            ),
            (
                |p| {
                    p.phases
                        .push(phase("0103", Some(on(2009, 1, 1)), Some(on(2009, 6, 1))))
                },
                ("041", "PR00", Some("0102"), "DATA_FINE_EFFETTIVA"),
            ),
            (
                |p| p.phases[0].actual_start = None,
                ("042", "PR00", Some("0101"), "DATA_INIZIO_EFFETTIVA"),
            ),
            (
                |p| p.commitments.push(movement("DIS-1", true, 50_000_001)),
                ("050", "FN04", None, "IMPORTO_IMPEGNO"),
            ),
            (
                |p| p.payments.push(movement("RET-1", true, 25_000_001)),
                ("052", "FN06", None, "IMPORTO_PAG"),
            ),
            (
                |p| p.soggetti[0].ipa = None,
                ("IPA", "SC00", Some("Regione Toscana"), "COD_UNI_IPA"),
            ),
            (
                |p| p.soggetti[1].codice_fiscale = Some("01386030489".to_owned()),
                ("004", "SC00", Some("Regione Toscana"), "CODICE_FISCALE"),
            ),
        ];
        for (breach, (code, structure, record, field)) in cases {
            let mut project = clean();
            breach(&mut project);
            let findings = run(&project, on(2010, 1, 31));
            let found = findings.iter().find(|f| f.code == code && f.field == field);
            let Some(found) = found else {
                panic!("{code} did not fire: {findings:#?}");
            };
            assert!(found.blocking, "{code}");
            assert_eq!(found.structure, structure, "{code}");
            assert_eq!(found.record.as_deref(), record, "{code}");
            assert!(
                !found.message.is_empty() && found.message.ends_with('.'),
                "{code}: {}",
                found.message
            );
        }
    }

    #[test]
    fn a_starred_codice_fiscale_stands_for_the_ipa_code() {
        let mut project = clean();
        project.soggetti[0].ipa = None;
        project.soggetti[0].codice_fiscale = Some("REGIONETOSCANA0*".to_owned());
        assert_eq!(codes(&run(&project, on(2010, 1, 31))), Vec::<&str>::new());
    }

    #[test]
    fn reversals_reduce_the_totals() {
        let mut project = clean();
        // 500.000,00 committed, 100.000,00 de-committed; 250.000,00 paid, 50.000,00 corrected.
        project
            .commitments
            .push(movement("DIS-1", true, 10_000_000));
        project.payments.push(movement("RET-1", true, 5_000_000));
        assert_eq!(net(&project.commitments), eur(40_000_000));
        assert_eq!(net(&project.payments), eur(20_000_000));
        assert_eq!(codes(&run(&project, on(2010, 1, 31))), Vec::<&str>::new());
    }
}
