//! The transmissions' rules, pure: a file is admitted only without a blocking finding, a
//! transmission is `sent` until IGRUE's answer is read (once), each refusal of the answer lands
//! on the record of its progressivo, the refusals of the last transmission stand; and what they
//! refuse ([`TransmissionError`]).

use std::collections::HashMap;

use apq_domain::Semester;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::json::{RecordError, SentRecord, StandingError};
use crate::national::Preview;
use crate::puc::response::{Answer, Malformed};

/// The most findings a refusal lists (a problem's `errors` holds 100 at most).
pub const MAX_LISTED: usize = 100;

/// A blocking finding of the national checks, as a refusal names it: where
/// (`<intervento>/<structure>/<field>`) and what (its IGRUE code, record and message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    pub field: String,
    pub message: String,
}

/// What the transmissions' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransmissionError {
    /// The file would be refused: blocking findings of the national checks stand.
    #[error(
        "the file of {semester} would be refused: {} blocking finding(s) of the national checks stand{}",
        findings.len(),
        not_all_listed(*semester, findings.len())
    )]
    Blocked {
        semester: Semester,
        findings: Vec<Blocking>,
    },
    /// IGRUE's answer is read once.
    #[error("transmission {0} already has IGRUE's answer")]
    AlreadyAnswered(Uuid),
    /// IGRUE's answer is malformed, or does not match the transmission.
    #[error("IGRUE's answer is refused whole: {0}")]
    Malformed(#[from] Malformed),
}

/// What a refusal listing `count` findings says when it cannot list them all.
fn not_all_listed(semester: Semester, count: usize) -> String {
    if count > MAX_LISTED {
        format!(" (the first {MAX_LISTED} listed; GET /v1/puc/{semester} shows them all)")
    } else {
        String::new()
    }
}

/// Refuses a file while a blocking finding of the national checks stands, listing every one
/// (`<intervento>/<structure>/<field>`, with its IGRUE code and message). Pure.
pub fn admit(preview: &Preview) -> Result<(), TransmissionError> {
    let findings: Vec<Blocking> = preview
        .findings
        .iter()
        .filter(|f| f.finding.blocking)
        .map(|f| {
            let record = f
                .finding
                .record
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            Blocking {
                field: format!(
                    "{}/{}/{}",
                    f.intervento_code, f.finding.structure, f.finding.field
                ),
                message: format!("{}{record}: {}", f.finding.code, f.finding.message),
            }
        })
        .collect();
    if findings.is_empty() {
        return Ok(());
    }
    Err(TransmissionError::Blocked {
        semester: preview.semester,
        findings,
    })
}

/// Where a transmission stands: `sent`, or `answered` once IGRUE's answer is read.
pub fn state(answered_at: Option<DateTime<Utc>>) -> &'static str {
    if answered_at.is_some() {
        "answered"
    } else {
        "sent"
    }
}

/// Refuses a second answer to the transmission `id`.
pub fn check_unanswered(
    id: Uuid,
    answered_at: Option<DateTime<Utc>>,
) -> Result<(), TransmissionError> {
    match answered_at {
        Some(_) => Err(TransmissionError::AlreadyAnswered(id)),
        None => Ok(()),
    }
}

/// A refused record: its progressivo, IGRUE's class and the errors on its fields.
pub type Placed = (i64, i16, Vec<RecordError>);

/// What an answer does to the records sent: (progressivo, class, errors) per refused record.
/// An answer naming a progressivo the transmission does not have, or a record of another
/// structure than the one sent, or one record twice, is refused whole naming the line. Pure.
pub fn place(answer: &Answer, sent: &[(i64, String)]) -> Result<Vec<Placed>, Malformed> {
    let sent: HashMap<i64, &str> = sent.iter().map(|(p, s)| (*p, s.as_str())).collect();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(answer.refusals.len());
    for r in &answer.refusals {
        let bad = |reason: String| Malformed {
            line: r.line,
            reason,
        };
        let progressivo = i64::try_from(r.progressivo)
            .map_err(|_| bad(format!("progressivo non valido: {}", r.progressivo)))?;
        match sent.get(&progressivo) {
            None => {
                return Err(bad(format!(
                    "il progressivo {progressivo} non è nella trasmissione"
                )));
            }
            Some(structure) if *structure != r.structure.code() => {
                return Err(bad(format!(
                    "il record {progressivo} inviato è {structure}, non {}",
                    r.structure.code()
                )));
            }
            Some(_) => {}
        }
        if let Some(first) = seen.insert(progressivo, r.line) {
            return Err(bad(format!(
                "il record {progressivo} è già scartato alla riga {first}"
            )));
        }
        let errors = r
            .errors
            .iter()
            .map(|e| RecordError {
                field: e.field.clone(),
                code: e.code,
                description: e.description.clone(),
            })
            .collect();
        out.push((progressivo, i16::from(r.class), errors));
    }
    Ok(out)
}

/// How many of `records` IGRUE refused.
pub fn refused(records: &[SentRecord]) -> usize {
    records.iter().filter(|r| r.refusal_class.is_some()).count()
}

/// The errors standing on `records` (those of the last transmission), each with its record and
/// entity, in the records' order; only those on the intervento `code`'s records, if given.
pub fn standing(records: &[SentRecord], code: Option<&str>) -> Vec<StandingError> {
    let mut items = Vec::new();
    for record in records {
        let Some(class) = record.refusal_class else {
            continue;
        };
        if code.is_some_and(|c| c != record.intervento_code) {
            continue;
        }
        items.extend(record.errors.iter().map(|error| StandingError {
            progressivo: record.progressivo,
            structure: record.structure.clone(),
            intervento_code: record.intervento_code.clone(),
            entity: record.entity.clone(),
            class,
            error: error.clone(),
        }));
    }
    items
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::national::{ProjectFinding, RecordInfo};
    use crate::puc::checks::Finding;
    use crate::puc::response;

    fn preview(findings: Vec<ProjectFinding>) -> Preview {
        Preview {
            semester: Semester::parse("2010-S1").unwrap_or_else(|e| panic!("{e}")),
            as_of: NaiveDate::default(),
            records: Vec::<RecordInfo>::new(),
            blocked: findings.iter().any(|f| f.finding.blocking),
            findings,
            file: String::new(),
        }
    }

    fn finding(code: &'static str, blocking: bool) -> ProjectFinding {
        ProjectFinding {
            intervento_code: "GEOSIGMA".into(),
            finding: Finding {
                code,
                structure: "FN06",
                record: Some("G-P".into()),
                field: "IMPORTO_PAG",
                message: "I pagamenti superano gli impegni".into(),
                blocking,
            },
        }
    }

    #[test]
    fn a_file_is_admitted_only_without_a_blocking_finding() {
        assert!(admit(&preview(vec![])).is_ok());
        assert!(
            admit(&preview(vec![finding("012", false)])).is_ok(),
            "a warning does not stop it"
        );
        match admit(&preview(vec![finding("012", false), finding("028", true)])) {
            Err(TransmissionError::Blocked {
                findings: errors, ..
            }) => {
                assert_eq!(errors.len(), 1, "only the blocking one is listed");
                assert_eq!(errors[0].field, "GEOSIGMA/FN06/IMPORTO_PAG");
                assert!(errors[0].message.starts_with("028 [G-P]: "), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refusal_says_how_many_findings_stand_and_where_to_see_them_all() {
        let cases = [
            (
                1,
                "the file of 2010-S1 would be refused: 1 blocking finding(s) of the national checks stand",
            ),
            (
                MAX_LISTED,
                "the file of 2010-S1 would be refused: 100 blocking finding(s) of the national checks stand",
            ),
            (
                MAX_LISTED + 1,
                "the file of 2010-S1 would be refused: 101 blocking finding(s) of the national checks stand (the first 100 listed; GET /v1/puc/2010-S1 shows them all)",
            ),
        ];
        for (count, detail) in cases {
            let refused = admit(&preview(vec![finding("028", true); count])).err();
            assert_eq!(refused.map(|e| e.to_string()).as_deref(), Some(detail));
        }
    }

    #[test]
    fn a_transmission_is_answered_once() {
        let id = Uuid::nil();
        let at = Some(DateTime::<Utc>::MIN_UTC);
        let cases = [(None, "sent", true), (at, "answered", false)];
        for (answered_at, expected, answerable) in cases {
            assert_eq!(state(answered_at), expected);
            assert_eq!(check_unanswered(id, answered_at).is_ok(), answerable);
        }
        assert_eq!(
            check_unanswered(id, at).map_err(|e| e.to_string()),
            Err(format!("transmission {id} already has IGRUE's answer"))
        );
    }

    const ANSWER: &str = "HH#0#SISIGRUE#\r\n\
        TIPOERRORE#1#28|Pagamenti superiori agli impegni#\r\n\
        FN04#3#2#0|0|0|0|28|0|0|0#\r\n\
        FF#3#2#\r\n";

    fn sent() -> Vec<(i64, String)> {
        vec![(1, "AP00".into()), (2, "FN00".into()), (3, "FN04".into())]
    }

    #[test]
    fn each_refusal_lands_on_the_record_of_its_progressivo() {
        let answer = response::parse(ANSWER).unwrap_or_else(|e| panic!("{e}"));
        let placed = place(&answer, &sent()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            placed,
            vec![(
                3,
                2,
                vec![RecordError {
                    field: "IMPORTO_IMPEGNO".into(),
                    code: 28,
                    description: "Pagamenti superiori agli impegni".into()
                }]
            )]
        );
    }

    #[test]
    fn an_answer_that_does_not_match_the_transmission_is_refused_naming_the_line() {
        let cases = [
            (
                ANSWER.replace("FN04#3#", "FN04#9#"),
                "non è nella trasmissione",
            ),
            (ANSWER.replace("FN04#3#", "FN06#3#"), "inviato è FN04"),
            (
                ANSWER.replace("FF#3#2#", "FN04#3#1#0|0|0|0|28|0|0|0#\r\nFF#4#3#"),
                "già scartato alla riga 3",
            ),
        ];
        for (text, reason) in cases {
            let answer = response::parse(&text).unwrap_or_else(|e| panic!("{e}"));
            match place(&answer, &sent()) {
                Err(e) => {
                    assert!(e.reason.contains(reason), "{e}");
                    assert!(e.line >= 3, "{e}");
                }
                Ok(p) => panic!("accepted: {p:?}"),
            }
        }
    }

    #[test]
    fn the_errors_standing_are_those_of_the_refused_records() {
        let error = |code: u32| RecordError {
            field: "IMPORTO_PAG".into(),
            code,
            description: "Pagamenti superiori agli impegni".into(),
        };
        let record = |progressivo: i64, code: &str, refusal: Option<(i16, Vec<RecordError>)>| {
            let (class, errors) = refusal.map_or((None, Vec::new()), |(c, e)| (Some(c), e));
            SentRecord {
                progressivo,
                structure: "FN06".into(),
                intervento_code: code.into(),
                entity: format!("P-{progressivo}"),
                deleted: false,
                fields: Vec::new(),
                refusal_class: class,
                errors,
            }
        };
        let records = [
            record(1, "GEOSIGMA", None),
            record(2, "GEOSIGMA", Some((2, vec![error(28), error(29)]))),
            record(3, "CSTT-ALI", Some((1, vec![error(12)]))),
        ];
        assert_eq!(refused(&records), 2);
        // (the intervento asked for, the (progressivo, code) of each error standing)
        type Case<'a> = (Option<&'a str>, &'a [(i64, u32)]);
        let cases: [Case; 4] = [
            (None, &[(2, 28), (2, 29), (3, 12)]),
            (Some("GEOSIGMA"), &[(2, 28), (2, 29)]),
            (Some("CSTT-ALI"), &[(3, 12)]),
            (Some("OTHER"), &[]),
        ];
        for (code, expected) in cases {
            let got: Vec<(i64, u32)> = standing(&records, code)
                .iter()
                .map(|s| (s.progressivo, s.error.code))
                .collect();
            assert_eq!(got, expected, "{code:?}");
        }
    }
}
