//! The national context tables the file's new structures use, as shipped in `data/puc/` (each
//! value with its source and whether it is confirmed against the official table): TC15 the
//! strumento attuativo (AP05), TC33 the funds (FN00, FN10), TC47 the project's states (PR01),
//! TC49 the causali of a transfer (TR00). Pure: read once from the text compiled in.

use std::sync::LazyLock;

/// One value of a context table: the key we look it up by, its code and name, and whether it
/// has been checked against the official table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub code: String,
    pub name: String,
    pub confirmed: bool,
}

/// Reads a shipped table: `key,code,name,source,confirmed` (or `code,name,source,confirmed`,
/// where the key is the code); the name and the source may be quoted and hold commas.
pub fn parse(text: &str, keyed: bool) -> Vec<Entry> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let cells = cells(line);
            let (key, rest) = if keyed {
                (cells.first()?.clone(), cells.get(1..)?)
            } else {
                (cells.first()?.clone(), &cells[..])
            };
            Some(Entry {
                key,
                code: rest.first()?.clone(),
                name: rest.get(1)?.clone(),
                confirmed: cells.last()? == "yes",
            })
        })
        .collect()
}

/// The cells of one CSV line (double quotes around a cell that holds commas).
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cell)),
            other => cell.push(other),
        }
    }
    out.push(cell);
    out
}

/// TC15 by the atto integrativo's number.
pub static TC15: LazyLock<Vec<Entry>> =
    LazyLock::new(|| parse(include_str!("../../data/puc/tc15_strumenti.csv"), true));

/// TC33 by the agreements register's contributor.
pub static TC33: LazyLock<Vec<Entry>> =
    LazyLock::new(|| parse(include_str!("../../data/puc/tc33_fondi.csv"), true));

/// TC47, the states of a project.
pub static TC47: LazyLock<Vec<Entry>> =
    LazyLock::new(|| parse(include_str!("../../data/puc/tc47_stati.csv"), false));

/// TC49, the causali of a transfer.
pub static TC49: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    parse(
        include_str!("../../data/puc/tc49_causali_trasferimento.csv"),
        false,
    )
});

fn code_of(table: &[Entry], key: &str) -> Option<String> {
    table.iter().find(|e| e.key == key).map(|e| e.code.clone())
}

/// COD_STRU_ATT of the atto integrativo `number` (absent for an atto the table does not list).
pub fn strumento(number: i32) -> Option<String> {
    code_of(&TC15, &number.to_string())
}

/// COD_FONDO of a contributor of the agreements register (absent for one the table lacks).
pub fn fund(contributor: &str) -> Option<String> {
    code_of(&TC33, contributor)
}

/// TC47: not started.
pub const NOT_STARTED: &str = "1";
/// TC47: in progress (Sfinge's `CODICE_IN_CORSO_ESECUZIONE`).
pub const IN_PROGRESS: &str = "2";
/// TC47: executed.
pub const EXECUTED: &str = "3";

/// TC49: a tranche of the State's co-financing.
pub const STATE_TRANCHE: &str = "1";

/// TIPO_INDICATORE_DI_OUTPUT of the IV Atto's indicators: ours (`DPR`, an indicator the
/// programme defines, not one of the common indicators of TC44), to be confirmed against the
/// official table before a real transmission.
pub const PROGRAMME_INDICATOR: &str = "DPR";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tables_read_with_their_sources() {
        assert_eq!(strumento(4).as_deref(), Some("APQSI-TOS4"));
        assert_eq!(strumento(3), None, "an atto the table lacks has no code");
        assert!(
            strumento(4).is_some_and(|c| c.len() <= 10),
            "COD_STRU_ATT is 10 at most"
        );
        assert_eq!(fund("stato").as_deref(), Some("STA"));
        assert_eq!(fund("regione_toscana").as_deref(), Some("REG"));
        assert_eq!(fund("altro"), None);
        let states: Vec<(&str, bool)> = TC47
            .iter()
            .map(|e| (e.code.as_str(), e.confirmed))
            .collect();
        assert_eq!(states, [("1", false), ("2", true), ("3", false)]);
        assert!(
            TC47.iter()
                .any(|e| e.code == IN_PROGRESS && e.name == "In corso di esecuzione")
        );
        assert!(TC49.iter().any(|e| e.code == STATE_TRANCHE && !e.confirmed));
        assert!(
            TC15[0].name.contains("IV Atto integrativo"),
            "{:?}",
            TC15[0]
        );
    }

    #[test]
    fn a_quoted_cell_keeps_its_commas() {
        let table = parse(
            "k,code,name,source,confirmed\na,X1,\"uno, due\",\"s, t\",yes\n",
            true,
        );
        assert_eq!(
            table,
            [Entry {
                key: "a".into(),
                code: "X1".into(),
                name: "uno, due".into(),
                confirmed: true
            }]
        );
    }
}
