//! The Rapporto di monitoraggio of a semester (art. 7), generated from the data in its three
//! sections (general progress; programmatic context; per-intervento analysis with observations
//! and critical issues), as JSON and as an HTML document with charts: SAL per intervento
//! against plan, tranches planned and paid, indicators against targets.

use std::fmt::Write;

use actix_web::{HttpResponse, get, web};
use apq_domain::Semester;
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Path;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::load_done;
use crate::deadlines::{SemesterDeadlines, for_semester};
use crate::indicators::{Indicator, load_all};
use crate::peers::Agreements;
use crate::schede::{Scheda, SchedaFilter, SchedaState, find};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrancheLine {
    #[schema(format = Int32)]
    pub seq: i32,
    pub amount: String,
    pub state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InterventoAnalysis {
    pub code: String,
    pub title: String,
    pub cup: Option<String>,
    pub scheda_state: SchedaState,
    pub sal: String,
    pub planned_sal: Option<String>,
    pub commitments: String,
    pub payments: String,
    pub obstacles: Option<String>,
    pub corrective_actions: Option<String>,
    /// Observations drawn from the data (delays against plan, payments against commitments).
    pub observations: Vec<String>,
    /// Critical: SAL more than 10 points behind plan, or obstacles reported.
    pub critical: bool,
    pub tranches: Vec<TrancheLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GeneralProgress {
    #[schema(format = Int64)]
    pub interventi_monitored: i64,
    #[schema(format = Int64)]
    pub schede_validated: i64,
    pub average_sal: String,
    pub total_commitments: String,
    pub total_payments: String,
    /// The semester's obligations and whether they are done.
    pub obligations_done: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgrammaticContext {
    pub deadlines: SemesterDeadlines,
    /// The interventi by section, as the register has them now.
    pub attuativa: Vec<String>,
    pub programmatica: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub semester: Semester,
    pub generated_at: DateTime<Utc>,
    pub general: GeneralProgress,
    pub context: ProgrammaticContext,
    pub interventi: Vec<InterventoAnalysis>,
    pub indicators: Vec<Indicator>,
}

fn money(value: &serde_json::Value) -> Decimal {
    value["amount"]
        .as_str()
        .and_then(|a| a.parse().ok())
        .unwrap_or_default()
}

pub async fn build(
    pool: &PgPool,
    agreements: &Agreements,
    semester: Semester,
) -> Result<Report, ApiError> {
    let (schede, indicators, done) = run_db(pool, move |conn| {
        let schede = find(
            conn,
            &SchedaFilter {
                semester: Some(semester),
                intervento_code: None,
                state: None,
            },
        )?;
        Ok::<_, ApiError>((schede, load_all(conn)?, load_done(conn)?))
    })
    .await?;
    let mut interventi = Vec::new();
    let mut attuativa = Vec::new();
    let mut programmatica = Vec::new();
    for scheda in &schede {
        let tranches = agreements.tranches(scheda.intervento_id).await?;
        let current = agreements.intervento(&scheda.intervento_code).await?;
        if current.sezione == "attuativa" {
            attuativa.push(current.code.clone())
        } else {
            programmatica.push(current.code.clone())
        }
        interventi.push(analyse(scheda, &tranches));
    }
    let semester_key = semester.to_string();
    let validated = schede
        .iter()
        .filter(|s| s.state == SchedaState::Validated)
        .count() as i64;
    let sals: Vec<Decimal> = schede.iter().map(|s| s.sal.decimal()).collect();
    let average = if sals.is_empty() {
        Decimal::ZERO
    } else {
        (sals.iter().sum::<Decimal>() / Decimal::from(sals.len())).round_dp(2)
    };
    Ok(Report {
        semester,
        generated_at: Utc::now(),
        general: GeneralProgress {
            interventi_monitored: schede.len() as i64,
            schede_validated: validated,
            average_sal: average.to_string(),
            total_commitments: schede
                .iter()
                .map(|s| s.commitments)
                .sum::<apq_domain::Euro>()
                .decimal()
                .to_string(),
            total_payments: schede
                .iter()
                .map(|s| s.payments)
                .sum::<apq_domain::Euro>()
                .decimal()
                .to_string(),
            obligations_done: done
                .iter()
                .filter(|(_, s, _)| *s == semester_key)
                .map(|(k, _, d)| format!("{k} on {d}"))
                .collect(),
        },
        context: ProgrammaticContext {
            deadlines: for_semester(semester),
            attuativa,
            programmatica,
        },
        interventi,
        indicators,
    })
}

fn analyse(scheda: &Scheda, tranches: &[crate::peers::Tranche]) -> InterventoAnalysis {
    let mut observations = Vec::new();
    let sal = scheda.sal.decimal();
    let behind = scheda
        .planned_sal
        .map(|p| p.decimal() - sal)
        .filter(|gap| *gap > Decimal::ZERO);
    if let Some(gap) = behind {
        observations.push(format!(
            "SAL {sal}% is {gap} points behind the planned {}%",
            sal + gap
        ));
    }
    let commitments = scheda.commitments.decimal();
    if commitments > Decimal::ZERO {
        let paid = (scheda.payments.decimal() * Decimal::ONE_HUNDRED / commitments).round_dp(2);
        observations.push(format!("{paid}% of the commitments have been paid"));
    }
    let critical = behind.is_some_and(|g| g > Decimal::TEN)
        || scheda
            .obstacles
            .as_deref()
            .is_some_and(|o| !o.trim().is_empty());
    InterventoAnalysis {
        code: scheda.intervento_code.clone(),
        title: scheda.intervento["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        cup: scheda.intervento["cup"].as_str().map(str::to_owned),
        scheda_state: scheda.state,
        sal: sal.to_string(),
        planned_sal: scheda.planned_sal.map(|p| p.decimal().to_string()),
        commitments: commitments.to_string(),
        payments: scheda.payments.decimal().to_string(),
        obstacles: scheda.obstacles.clone(),
        corrective_actions: scheda.corrective_actions.clone(),
        observations,
        critical,
        tranches: tranches
            .iter()
            .map(|t| TrancheLine {
                seq: t.seq,
                amount: money(&serde_json::json!(t.amount)).to_string(),
                state: t.state.clone(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SemesterPath {
    pub semester: Semester,
}

/// The Rapporto di monitoraggio of a semester, as JSON. Public.
#[utoipa::path(
    tag = "reports",
    params(("semester" = String, Path, description = "A semester, e.g. 2009-S2")),
    responses((status = 200, description = "The report", body = Report))
)]
#[get("/reports/{semester}")]
pub async fn json(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<SemesterPath>,
) -> Result<HttpResponse, ApiError> {
    let report = build(&pool, &agreements, path.semester).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The Rapporto di monitoraggio of a semester, as a document to read and send (HTML with
/// charts; print it to PDF from a browser). Public.
#[utoipa::path(
    tag = "reports",
    params(("semester" = String, Path, description = "A semester, e.g. 2009-S2")),
    responses((status = 200, description = "The report", body = String, content_type = "text/html"))
)]
#[get("/reports/{semester}/document")]
pub async fn document(
    pool: web::Data<PgPool>,
    agreements: web::Data<Agreements>,
    path: Path<SemesterPath>,
) -> Result<HttpResponse, ApiError> {
    let report = build(&pool, &agreements, path.semester).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html(&report)))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart: each row a label, a value and a reference (plan or target).
fn bars(title: &str, rows: &[(String, f64, Option<f64>)], max: f64, unit: &str) -> String {
    let height = 40 + rows.len() * 34;
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\">",
        escape(title),
        escape(title)
    );
    let scale = if max > 0.0 { 400.0 / max } else { 0.0 };
    for (i, (label, value, reference)) in rows.iter().enumerate() {
        let y = 20 + i * 34;
        let width = (value * scale).max(1.0);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"150\" y=\"{y}\" width=\"{width:.1}\" height=\"20\" fill=\"#1f6fb2\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{value:.2}{unit}</text>",
            y + 14,
            escape(label),
            155.0 + width,
            y + 14
        );
        if let Some(reference) = reference {
            let x = 150.0 + reference * scale;
            let _ = write!(
                svg,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#c0392b\" stroke-width=\"3\"/>",
                y - 3,
                y + 23
            );
        }
    }
    svg.push_str("</svg></figure>");
    svg
}

fn number(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}

pub fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>Rapporto di monitoraggio {s}</title>\
         <style>body{{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}}h1{{color:#1f6fb2}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}.critical{{color:#c0392b;font-weight:bold}}figcaption{{font-weight:bold;margin:1em 0 .5em}}</style></head><body>\
         <h1>Rapporto di monitoraggio &mdash; semestre {s}</h1><p>APQ in materia di società dell'informazione, IV Atto Integrativo. Generato il {g}.</p>",
        s = report.semester,
        g = report.generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    let general = &report.general;
    let _ = write!(
        out,
        "<section id=\"avanzamento\"><h2>1. Stato di avanzamento generale</h2><table>\
         <tr><th>Interventi monitorati</th><td>{}</td></tr><tr><th>Schede validate</th><td>{}</td></tr>\
         <tr><th>SAL medio</th><td>{}%</td></tr><tr><th>Impegni</th><td>€ {}</td></tr><tr><th>Pagamenti</th><td>€ {}</td></tr></table>",
        general.interventi_monitored,
        general.schede_validated,
        general.average_sal,
        general.total_commitments,
        general.total_payments
    );
    let sal_rows: Vec<(String, f64, Option<f64>)> = report
        .interventi
        .iter()
        .map(|i| {
            (
                i.code.clone(),
                number(&i.sal),
                i.planned_sal.as_deref().map(number),
            )
        })
        .collect();
    out.push_str(&bars(
        "SAL per intervento (barra) e SAL previsto (linea rossa)",
        &sal_rows,
        100.0,
        "%",
    ));
    let tranche_rows: Vec<(String, f64, Option<f64>)> = report
        .interventi
        .iter()
        .map(|i| {
            let planned: f64 = i.tranches.iter().map(|t| number(&t.amount)).sum();
            let paid: f64 = i
                .tranches
                .iter()
                .filter(|t| t.state == "paid")
                .map(|t| number(&t.amount))
                .sum();
            (i.code.clone(), paid, Some(planned))
        })
        .collect();
    let max_tranche = tranche_rows
        .iter()
        .filter_map(|(_, _, p)| *p)
        .fold(1.0, f64::max);
    out.push_str(&bars(
        "Tranche pagate (barra) su tranche previste (linea rossa), €",
        &tranche_rows,
        max_tranche,
        "",
    ));
    out.push_str("</section>");
    let context = &report.context;
    let _ = write!(
        out,
        "<section id=\"contesto\"><h2>2. Contesto programmatico</h2><p>Inserimento dati nell'Applicativo Intese entro il {}; richiesta di convalida successivamente (il seed non fissa un termine); \
         rapporto entro il {}.</p><p>Sezione attuativa: {}. Sezione programmatica: {}.</p></section>",
        context.deadlines.data_entry,
        context.deadlines.rapporto,
        escape(&context.attuativa.join(", ")),
        escape(&context.programmatica.join(", "))
    );
    out.push_str("<section id=\"interventi\"><h2>3. Analisi per intervento</h2>");
    for i in &report.interventi {
        let _ = write!(
            out,
            "<article><h3>{} &mdash; {}{}</h3><p>CUP: {} &middot; scheda: {} &middot; SAL {}%{} &middot; impegni € {} &middot; pagamenti € {}</p>",
            escape(&i.code),
            escape(&i.title),
            if i.critical {
                " <span class=\"critical\">(criticità)</span>"
            } else {
                ""
            },
            escape(i.cup.as_deref().unwrap_or("-")),
            i.scheda_state,
            i.sal,
            i.planned_sal
                .as_deref()
                .map(|p| format!(" (previsto {p}%)"))
                .unwrap_or_default(),
            i.commitments,
            i.payments
        );
        if !i.observations.is_empty() {
            out.push_str("<h4>Osservazioni</h4><ul>");
            for o in &i.observations {
                let _ = write!(out, "<li>{}</li>", escape(o));
            }
            out.push_str("</ul>");
        }
        for (title, text) in [
            ("Criticità e ostacoli", &i.obstacles),
            ("Azioni correttive", &i.corrective_actions),
        ] {
            if let Some(text) = text {
                let _ = write!(out, "<h4>{title}</h4><p>{}</p>", escape(text));
            }
        }
        out.push_str("</article>");
    }
    let indicator_rows: Vec<(String, f64, Option<f64>)> = report
        .indicators
        .iter()
        .filter_map(|i| i.target.as_deref().map(|t| (i, number(t))))
        .filter(|(_, target)| *target > 0.0)
        .map(|(i, target)| {
            let value = i.latest.as_deref().map(number).unwrap_or(0.0);
            (i.code.clone(), value / target * 100.0, Some(100.0))
        })
        .collect();
    out.push_str(&bars(
        "Indicatori: valore rilevato in % del target (linea rossa = target)",
        &indicator_rows,
        100.0_f64.max(indicator_rows.iter().map(|r| r.1).fold(0.0, f64::max)),
        "%",
    ));
    out.push_str("<table><tr><th>Indicatore</th><th>Target</th><th>Rilevato</th></tr>");
    for i in &report.indicators {
        let _ = write!(
            out,
            "<tr><td>{} {}</td><td>{} {}</td><td>{}</td></tr>",
            escape(&i.code),
            escape(&i.name),
            i.target.as_deref().unwrap_or("non indicato"),
            escape(&i.unit),
            i.latest.as_deref().unwrap_or("-")
        );
    }
    out.push_str("</table></section></body></html>\n");
    out
}
