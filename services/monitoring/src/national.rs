//! The PUC file of a semester built from live data: monitoring's own records (projects,
//! soggetti, impegni and pagamenti, phases) and the agreements register (title, CUP, cost,
//! sources of financing) read over HTTP (a peer that does not answer is a 503 naming it). The
//! preview shows exactly the file that would be sent, what each record is, and the national
//! checks' findings.

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, get, web};
use apq_domain::{Euro, Semester};
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::{Path, Query};
use apq_platform::{ApiError, FieldError};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::iter::{self, PhaseRow};
use crate::movements::{self, Movement, MovementKind};
use crate::peers::{Agreements, FinancialSummary, Intervento};
use crate::projects::{self, Project, Soggetto};
use crate::puc::checks::{self, Finding};
use crate::puc::file::{Record, Structure, Writer};
use crate::puc::format;
use crate::schema::puc_projects;

/// Everything one project's records are made of.
pub struct Live {
    pub project: Project,
    pub intervento: Intervento,
    pub summary: FinancialSummary,
    pub movements: Vec<Movement>,
    pub phases: Vec<PhaseRow>,
    pub soggetti: Vec<Soggetto>,
}

/// A record of the file and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub record: Record,
    pub intervento_code: String,
    /// What the record carries: a movement's code, a phase's, a soggetto's name...
    pub entity: String,
}

fn euro(raw: &str) -> Euro {
    Euro::parse(raw).unwrap_or(Euro::ZERO)
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
            opt(live.intervento.cup.as_deref()),
            blank(),
            format::maybe_date(live.phases.iter().filter_map(|p| p.actual_start).min()),
            blank(),
            blank(),
            blank(),
            blank(),
        ],
    );
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
    for source in &live.summary.sources {
        let amount = euro(&source.amount.amount);
        if amount <= Euro::ZERO {
            continue; // a source of nothing finances nothing (IMPORTO > 0)
        }
        push(
            Structure::Fn00,
            source.contributor.clone(),
            vec![
                blank(),
                blank(),
                blank(),
                blank(),
                blank(),
                format::amount(amount),
            ],
        );
    }
    push(
        Structure::Fn01,
        code.clone(),
        vec![
            blank(),
            blank(),
            format::amount(euro(&live.summary.total_cost.amount)),
        ],
    );
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
    checks::Project {
        code: live.project.local_code.clone(),
        cup: live.intervento.cup.clone(),
        strumento_attuativo: None,
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
            .summary
            .sources
            .iter()
            .map(|s| checks::ByFund {
                fund: s.contributor.clone(),
                amount: euro(&s.amount.amount),
                public: true,
            })
            .filter(|f| f.amount > Euro::ZERO)
            .collect(),
        costo_ammesso: Some(euro(&live.summary.total_cost.amount)),
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
        required_phases: required,
        execution_ended,
        ..checks::Project::default()
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

/// Writes the file and describes it: the live records, then a tombstone (`FLG_CANCELLAZIONE=S`,
/// the values as sent) for each record of `previous` (the last transmission) whose entity the
/// live data no longer carry. Pure.
pub fn assemble_with(
    semester: Semester,
    lives: &[Live],
    previous: &[Described],
) -> Result<Preview, ApiError> {
    let as_of = semester.last_day();
    let mut writer = Writer::new(Vec::new(), SENDER).map_err(ApiError::internal)?;
    let mut infos = Vec::new();
    let mut findings = Vec::new();
    let mut gone: HashSet<(Structure, String, String)> = previous
        .iter()
        .filter(|d| !d.record.deleted)
        .map(Described::key)
        .collect();
    let mut write = |d: Described, writer: &mut Writer<Vec<u8>>| -> Result<(), ApiError> {
        let progressivo = writer.record(&d.record).map_err(ApiError::internal)?;
        infos.push(RecordInfo {
            progressivo,
            structure: d.record.structure.code().to_owned(),
            intervento_code: d.intervento_code,
            entity: d.entity,
            deleted: d.record.deleted,
            fields: d.record.values,
        });
        Ok(())
    };
    for live in lives {
        for d in records(live, as_of) {
            gone.remove(&d.key());
            write(d, &mut writer)?;
        }
        findings.extend(
            checks::run(&project(live, as_of), as_of)
                .into_iter()
                .map(|finding| ProjectFinding {
                    intervento_code: live.project.intervento_code.clone(),
                    finding,
                }),
        );
    }
    for d in previous.iter().filter(|d| gone.contains(&d.key())) {
        let mut tombstone = d.clone();
        tombstone.record.deleted = true;
        write(tombstone, &mut writer)?;
    }
    let (bytes, _) = writer.finish().map_err(ApiError::internal)?;
    Ok(Preview {
        semester,
        as_of,
        records: infos,
        blocked: findings.iter().any(|f| f.finding.blocking),
        findings,
        file: String::from_utf8(bytes).map_err(ApiError::internal)?,
    })
}

/// Reads what the file of `semester` is made of: the projects not cancelled by its end, with
/// their records in monitoring and in the agreements register.
pub async fn gather(
    pool: &web::Data<PgPool>,
    agreements: &Agreements,
    semester: Semester,
) -> Result<Vec<Live>, ApiError> {
    let as_of = semester.last_day();
    let own = run_db(pool, move |conn| {
        let projects: Vec<Project> = puc_projects::table
            .filter(
                puc_projects::cancelled_on
                    .is_null()
                    .or(puc_projects::cancelled_on.gt(as_of)),
            )
            .order(puc_projects::local_code.asc())
            .select(Project::as_select())
            .load(conn)?;
        projects
            .into_iter()
            .map(|p| {
                let code = p.intervento_code.clone();
                Ok::<_, ApiError>((
                    p,
                    movements::of(conn, &code, None)?,
                    iter::of(conn, &code)?,
                    projects::soggetti_of(conn, &code)?,
                ))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let mut lives = Vec::with_capacity(own.len());
    for (project, movements, phases, soggetti) in own {
        let intervento = agreements.intervento(&project.intervento_code).await?;
        let summary = agreements.financial_summary(intervento.id).await?;
        lives.push(Live {
            project,
            intervento,
            summary,
            movements,
            phases,
            soggetti,
        });
    }
    Ok(lives)
}

#[derive(Debug, Deserialize)]
pub struct SemesterPath {
    pub semester: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileFormat {
    /// `file` for the file itself (as `Accept: text/plain`); JSON otherwise.
    #[param(pattern = "^(json|file)$")]
    pub format: Option<String>,
}

/// The PUC file of the semester as it would be sent, with what each record is and the national
/// checks' findings (JSON), or the file itself (`?format=file` or `Accept: text/plain`). Public.
#[utoipa::path(
    tag = "puc",
    params(("semester" = apq_domain::Semester, Path, description = "The semester, e.g. 2010-S1"), FileFormat),
    responses(
        (status = 200, description = "The preview", content(
            (Preview = "application/json"),
            (String = "text/plain"),
        )),
        (status = 503, description = "A peer service does not answer", body = apq_platform::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/puc/{semester}")]
pub async fn preview(
    request: HttpRequest,
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<SemesterPath>,
    query: Query<FileFormat>,
) -> Result<HttpResponse, ApiError> {
    let semester = Semester::parse(&path.semester).map_err(|e| ApiError::field("semester", e))?;
    let as_file = match query.format.as_deref() {
        None => request
            .headers()
            .get("accept")
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.starts_with("text/plain")),
        Some("file") => true,
        Some("json") => false,
        Some(_) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "format",
                "json or file",
            )]));
        }
    };
    let lives = gather(&pool, &agreements, semester).await?;
    let previous = crate::transmissions::last_sent(&pool).await?;
    let preview = assemble_with(semester, &lives, &previous)?;
    Ok(if as_file {
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(preview.file)
    } else {
        HttpResponse::Ok().json(preview)
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

    fn live() -> Live {
        let money = |a: &str| json!({"amount": a, "currency": "EUR"});
        Live {
            project: serde_json::from_value(json!({
                "id": Uuid::nil(), "intervento_code": "CSTT-ALI", "local_code": "APQ-SI-TOSCANA-0001",
                "natura_cup": "02", "cod_regione": "09", "cod_provincia": null, "cod_comune": null,
                "source_ref": null, "cancelled_on": null, "version": 1, "created_at": DateTime::<Utc>::MIN_UTC,
            }))
            .unwrap_or_else(|e| panic!("{e}")),
            intervento: serde_json::from_value(json!({
                "id": Uuid::nil(), "code": "CSTT-ALI", "title": "CSTT-ALI | Toscana", "kind": "ali",
                "sezione": "attuativa", "cup": "D53G07000070002", "total_cost": money("1892850.00"),
                "cnipa_cofinancing": money("584745.76"),
                "maturity": {"progetto_esecutivo_validated_on": null},
            }))
            .unwrap_or_else(|e| panic!("{e}")),
            summary: serde_json::from_value(json!({
                "total_cost": money("1892850.00"),
                "sources": [
                    {"contributor": "stato", "heading": "II Fase", "legal_basis": "L. 289/2002", "amount": money("584745.76"), "cnipa": true},
                    {"contributor": "regione_toscana", "heading": "Bilancio", "legal_basis": "", "amount": money("1308104.24"), "cnipa": false},
                    {"contributor": "eell", "heading": "EELL", "legal_basis": "", "amount": money("0.00"), "cnipa": false},
                ],
                "cnipa_cofinancing": money("584745.76"), "cofinancing_share": null, "cofinancing_cap": "50.00",
                "tranches": [], "tranches_paid": money("0.00"), "tranches_due": money("0.00"),
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
                ("AP06", "CSTT-ALI"),
                ("FN00", "stato"),
                ("FN00", "regione_toscana"),
                ("FN01", "CSTT-ALI"),
                ("FN04", "IMP-1"),
                ("FN06", "PAG-1"),
            ],
            "a source of zero and a later impegno are not sent"
        );
        assert_eq!(
            records[0].record.values[1], "CSTT-ALI Toscana",
            "no separator in a text"
        );
        assert_eq!(
            records[5].record.values,
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
        assert!(!codes.contains(&"028"), "{codes:?}");
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
            next.file
                .contains("FN04#8#APQ-SI-TOSCANA-0001|IMP-0|I|01/01/2010|10,00|||S#\r\n"),
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
