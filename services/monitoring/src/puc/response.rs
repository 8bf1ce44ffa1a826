//! IGRUE's answer to a transmission, read strictly: the same framing as the file sent, with the
//! legend of the error codes and one line per refused record.
//!
//! ```text
//! HH#0#SISIGRUE#
//! TIPOERRORE#1#<code>|<description>|<code>|<description>|...#
//! <STRUCTURE>#<progressivo sent>#<class>#<code per field, | between>#
//! ...
//! FF#<n>#<lines between HH and FF>#
//! ```
//!
//! The class is 1 for a breach of the structure's own rules, 2 for a cross-structure check; a
//! field's code is 0 when the field is fine. A file that does not follow this is refused whole,
//! saying which line breaks it: nothing of it is taken.

use std::collections::BTreeMap;

use super::file::Structure;

/// One refused field of a record, with IGRUE's code and description.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's name, when the structure has that many fields (else its position, from 1).
    pub field: String,
    pub code: u32,
    pub description: String,
}

/// A record IGRUE refused: the progressivo it had in the file we sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub structure: Structure,
    pub progressivo: u64,
    /// 1: the structure's own rules; 2: a cross-structure check.
    pub class: u8,
    pub errors: Vec<FieldError>,
    /// The line of the answer it is on (from 1), to name it when the record does not match.
    pub line: usize,
}

/// The answer read: the legend and the refused records, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub legend: BTreeMap<u32, String>,
    pub refusals: Vec<Refusal>,
}

/// Why an answer file is refused, with the line (from 1) that breaks it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("riga {line}: {reason}")]
pub struct Malformed {
    pub line: usize,
    pub reason: String,
}

fn malformed(line: usize, reason: impl Into<String>) -> Malformed {
    Malformed {
        line,
        reason: reason.into(),
    }
}

/// Splits a framed line into its `#`-separated parts (the closing `#` ends the last one).
fn parts(line: &str) -> Option<Vec<&str>> {
    let body = line.strip_suffix('#')?;
    Some(body.split('#').collect())
}

/// Reads IGRUE's answer. Every code a refused record names must be in the legend.
pub fn parse(text: &str) -> Result<Answer, Malformed> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    // A final line break leaves one empty piece after it.
    let lines = match lines.split_last() {
        Some((&"", rest)) => rest.to_vec(),
        _ => lines,
    };
    let mut answer = Answer::default();
    let mut footer = false;
    for (index, raw) in lines.iter().enumerate() {
        let line = index + 1;
        if footer {
            return Err(malformed(line, "c'è testo dopo la riga FF"));
        }
        let fields =
            parts(raw).ok_or_else(|| malformed(line, "la riga non termina con il separatore #"))?;
        match fields[0] {
            "HH" if line == 1 => {}
            "HH" => return Err(malformed(line, "riga di intestazione HH ripetuta")),
            _ if line == 1 => {
                return Err(malformed(line, "la prima riga non è l'intestazione HH"));
            }
            "TIPOERRORE" => {
                let legend = fields
                    .get(2)
                    .ok_or_else(|| malformed(line, "la legenda TIPOERRORE è vuota"))?;
                let items: Vec<&str> = legend.split('|').collect();
                if !items.len().is_multiple_of(2) {
                    return Err(malformed(
                        line,
                        "la legenda TIPOERRORE non alterna codice e descrizione",
                    ));
                }
                for pair in items.chunks(2) {
                    let code = pair[0].trim().parse::<u32>().map_err(|_| {
                        malformed(line, format!("codice di errore non numerico: {}", pair[0]))
                    })?;
                    answer.legend.insert(code, pair[1].trim().to_owned());
                }
            }
            "FF" => {
                let declared = fields
                    .get(2)
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| {
                        malformed(line, "la riga FF non dichiara quante righe precedono")
                    })?;
                let between = index - 1;
                if declared != between {
                    return Err(malformed(
                        line,
                        format!(
                            "la riga FF dichiara {declared} righe, il file ne contiene {between}"
                        ),
                    ));
                }
                footer = true;
            }
            code => answer
                .refusals
                .push(refusal(line, code, &fields, &answer.legend)?),
        }
    }
    if !footer {
        return Err(malformed(
            lines.len().max(1),
            "manca la riga di chiusura FF",
        ));
    }
    Ok(answer)
}

fn refusal(
    line: usize,
    code: &str,
    fields: &[&str],
    legend: &BTreeMap<u32, String>,
) -> Result<Refusal, Malformed> {
    let structure = Structure::from_code(code)
        .ok_or_else(|| malformed(line, format!("struttura sconosciuta: {code}")))?;
    if fields.len() != 4 {
        return Err(malformed(
            line,
            "un record scartato ha struttura, progressivo, classe e codici",
        ));
    }
    let progressivo = fields[1]
        .parse::<u64>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| malformed(line, format!("progressivo non valido: {}", fields[1])))?;
    let class = match fields[2] {
        "1" => 1,
        "2" => 2,
        other => {
            return Err(malformed(
                line,
                format!("classe di errore non valida: {other}"),
            ));
        }
    };
    let names = structure.fields();
    let mut errors = Vec::new();
    for (i, value) in fields[3].split('|').enumerate() {
        let code = value
            .trim()
            .parse::<u32>()
            .map_err(|_| malformed(line, format!("codice di errore non numerico: {value}")))?;
        if code == 0 {
            continue;
        }
        let description = legend.get(&code).cloned().ok_or_else(|| {
            malformed(
                line,
                format!("il codice {code} non è nella legenda TIPOERRORE"),
            )
        })?;
        let field = match (i, names.get(i)) {
            (_, Some(name)) => (*name).to_owned(),
            (i, None) if i == names.len() => "FLG_CANCELLAZIONE".to_owned(),
            (i, None) => (i + 1).to_string(),
        };
        errors.push(FieldError {
            field,
            code,
            description,
        });
    }
    Ok(Refusal {
        structure,
        progressivo,
        class,
        errors,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = "HH#0#SISIGRUE#\r\n\
        TIPOERRORE#1#28|Pagamenti superiori agli impegni|5|Importo non valido#\r\n\
        FN06#7#2#0|0|0|0|28|0|0|0#\r\n\
        FN00#3#1#0|0|0|0|0|0|5|0#\r\n\
        FF#4#3#\r\n";

    #[test]
    fn each_refused_record_is_read_with_its_progressivo_and_fields() {
        let answer = parse(ANSWER).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.legend.len(), 2);
        assert_eq!(answer.refusals.len(), 2);
        let payment = &answer.refusals[0];
        assert_eq!(
            (payment.structure, payment.progressivo, payment.class),
            (Structure::Fn06, 7, 2)
        );
        assert_eq!(
            payment.errors,
            vec![FieldError {
                field: "IMPORTO_PAG".to_owned(),
                code: 28,
                description: "Pagamenti superiori agli impegni".to_owned()
            }]
        );
        assert_eq!(answer.refusals[1].errors[0].field, "IMPORTO");
        assert_eq!((payment.line, answer.refusals[1].line), (3, 4));
    }

    #[test]
    fn a_malformed_answer_is_refused_whole_naming_the_line() {
        // (file, line that breaks it)
        let cases = [
            (ANSWER.replace("FF#4#3#", "FF#4#5#"), 5),
            (ANSWER.replace("FF#4#3#\r\n", ""), 4),
            (ANSWER.replace("HH#0#SISIGRUE#\r\n", ""), 1),
            (ANSWER.replace("FN06#7#2#", "FN99#7#2#"), 3),
            (ANSWER.replace("FN06#7#2#", "FN06#x#2#"), 3),
            (ANSWER.replace("FN06#7#2#", "FN06#7#3#"), 3),
            (ANSWER.replace("|28|", "|29|"), 3),
            (ANSWER.replace("0|0|0|0|0|0|5|0#", "0|0|0|0|0|0|5|0"), 4),
            (format!("{ANSWER}AP00#1#1#0#\r\n"), 6),
        ];
        for (text, line) in cases {
            match parse(&text) {
                Err(error) => assert_eq!(error.line, line, "{error}\n{text}"),
                Ok(_) => panic!("accepted:\n{text}"),
            }
        }
    }
}
