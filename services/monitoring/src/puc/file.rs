//! The PUC file: the structures an APQ intervento needs, with their fields in the order they are
//! sent, and the framing.
//!
//! ```text
//! HH#0#<sender>#PUC#
//! AP00#1#<COD_LOCALE_PROGETTO>|<TITOLO_PROGETTO>|...|<FLG_CANCELLAZIONE>#
//! ...
//! FF#<records + 1>#<records>#
//! ```
//!
//! Every line ends with CRLF; a record's progressivo counts from 1; an absent value is empty;
//! `FLG_CANCELLAZIONE` is `S` on a record that deletes one sent before.

use std::io::{self, Write};

/// A structure of the PUC and its fields, in the order they are sent (`FLG_CANCELLAZIONE`, the
/// last of every structure, is not listed: [`Record::deleted`] carries it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Structure {
    Ap00,
    Ap05,
    Ap06,
    Sc00,
    Fn00,
    Fn01,
    Fn03,
    Fn04,
    Fn06,
    Fn10,
    In01,
    Pr00,
    Pr01,
    Tr00,
}

impl Structure {
    pub const ALL: [Structure; 14] = [
        Structure::Ap00,
        Structure::Ap05,
        Structure::Ap06,
        Structure::Sc00,
        Structure::Fn00,
        Structure::Fn01,
        Structure::Fn03,
        Structure::Fn04,
        Structure::Fn06,
        Structure::Fn10,
        Structure::In01,
        Structure::Pr00,
        Structure::Pr01,
        Structure::Tr00,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Structure::Ap00 => "AP00",
            Structure::Ap05 => "AP05",
            Structure::Ap06 => "AP06",
            Structure::Sc00 => "SC00",
            Structure::Fn00 => "FN00",
            Structure::Fn01 => "FN01",
            Structure::Fn03 => "FN03",
            Structure::Fn04 => "FN04",
            Structure::Fn06 => "FN06",
            Structure::Fn10 => "FN10",
            Structure::In01 => "IN01",
            Structure::Pr00 => "PR00",
            Structure::Pr01 => "PR01",
            Structure::Tr00 => "TR00",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The structure's name in the national protocol.
    pub fn name(self) -> &'static str {
        match self {
            Structure::Ap00 => "Anagrafica progetti",
            Structure::Ap05 => "Strumento attuativo",
            Structure::Ap06 => "Localizzazione geografica",
            Structure::Sc00 => "Soggetti collegati",
            Structure::Fn00 => "Finanziamento",
            Structure::Fn01 => "Costo ammesso",
            Structure::Fn03 => "Piano dei costi",
            Structure::Fn04 => "Impegni",
            Structure::Fn06 => "Pagamenti",
            Structure::Fn10 => "Economie",
            Structure::In01 => "Indicatori di output",
            Structure::Pr00 => "Iter di progetto",
            Structure::Pr01 => "Stato di attuazione",
            Structure::Tr00 => "Trasferimenti",
        }
    }

    /// The fields before `FLG_CANCELLAZIONE`, in the order they are sent.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Structure::Ap00 => &[
                "COD_LOCALE_PROGETTO",
                "TITOLO_PROGETTO",
                "SINTESI_PRG",
                "TIPO_OPERAZIONE",
                "CUP",
                "TIPO_AIUTO",
                "DATA_INIZIO",
                "DATA_FINE_PREVISTA",
                "DATA_FINE_EFFETTIVA",
                "TIPO_PROC_ATT_ORIG",
                "CODICE_PROC_ATT_ORIG",
            ],
            Structure::Ap05 => &["COD_LOCALE_PROGETTO", "COD_STRU_ATT"],
            Structure::Ap06 => &[
                "COD_LOCALE_PROGETTO",
                "COD_REGIONE",
                "COD_PROVINCIA",
                "COD_COMUNE",
                "INDIRIZZO",
                "COD_CAP",
            ],
            Structure::Sc00 => &[
                "COD_LOCALE_PROGETTO",
                "COD_RUOLO_SOG",
                "CODICE_FISCALE",
                "FLAG_SOGGETTO_PUBBLICO",
                "COD_UNI_IPA",
                "DENOMINAZIONE_SOG",
                "FORMA_GIURIDICA",
                "COD_ATECO_ANNO",
                "NOTE",
            ],
            Structure::Fn00 => &[
                "COD_LOCALE_PROGETTO",
                "COD_FONDO",
                "COD_NORMA",
                "COD_DEL_CIPE",
                "COD_LOCALIZZAZIONE",
                "CF_COFINANZ",
                "IMPORTO",
            ],
            Structure::Fn01 => &[
                "COD_LOCALE_PROGETTO",
                "COD_PROGRAMMA",
                "COD_LIV_GERARCHICO",
                "IMPORTO_AMMESSO",
            ],
            Structure::Fn03 => &[
                "COD_LOCALE_PROGETTO",
                "ANNO_PIANO",
                "IMP_REALIZZATO",
                "IMP_DA_REALIZZARE",
            ],
            Structure::Fn04 => &[
                "COD_LOCALE_PROGETTO",
                "COD_IMPEGNO",
                "TIPOLOGIA_IMPEGNO",
                "DATA_IMPEGNO",
                "IMPORTO_IMPEGNO",
                "CAUSALE_DISIMPEGNO",
                "NOTE_IMPEGNO",
            ],
            Structure::Fn06 => &[
                "COD_LOCALE_PROGETTO",
                "COD_PAGAMENTO",
                "TIPOLOGIA_PAG",
                "DATA_PAGAMENTO",
                "IMPORTO_PAG",
                "CAUSALE_PAGAMENTO",
                "NOTE_PAG",
            ],
            Structure::Fn10 => &["COD_LOCALE_PROGETTO", "COD_FONDO", "IMPORTO"],
            Structure::In01 => &[
                "COD_LOCALE_PROGETTO",
                "TIPO_INDICATORE_DI_OUTPUT",
                "COD_INDICATORE",
                "VAL_PROGRAMMATO",
                "VALORE_REALIZZATO",
            ],
            Structure::Pr00 => &[
                "COD_LOCALE_PROGETTO",
                "COD_FASE",
                "DATA_INIZIO_PREVISTA",
                "DATA_INIZIO_EFFETTIVA",
                "DATA_FINE_PREVISTA",
                "DATA_FINE_EFFETTIVA",
            ],
            Structure::Pr01 => &["COD_LOCALE_PROGETTO", "STATO_PROGETTO", "DATA_RIFERIMENTO"],
            Structure::Tr00 => &[
                "COD_TRASFERIMENTO",
                "DATA_TRASFERIMENTO",
                "COD_PROGRAMMA",
                "CAUSALE_TRASFERIMENTO",
                "IMPORTO_TRASFERIMENTO",
                "CF_SOG_RICEVENTE",
                "FLAG_SOGGETTO_PUBBLICO",
            ],
        }
    }
}

/// One record: its structure, its values in the structure's field order, and whether it deletes
/// a record sent before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub structure: Structure,
    pub values: Vec<String>,
    pub deleted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("a {structure} record has {expected} fields, this one {found}")]
    Fields {
        structure: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("a {structure} record's {field} holds a separator (# or |) or a line break")]
    Separator {
        structure: &'static str,
        field: &'static str,
    },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Writes a PUC file record by record, holding nothing but the count: the file of a semester at
/// national scale is written in constant memory.
pub struct Writer<W: Write> {
    out: W,
    records: u64,
}

impl<W: Write> Writer<W> {
    /// Starts the file: `HH#0#<sender>#PUC#`.
    pub fn new(mut out: W, sender: &str) -> Result<Self, WriteError> {
        write!(out, "HH#0#{sender}#PUC#\r\n")?;
        Ok(Self { out, records: 0 })
    }

    /// Writes `record` and answers its progressivo.
    pub fn record(&mut self, record: &Record) -> Result<u64, WriteError> {
        let fields = record.structure.fields();
        if record.values.len() != fields.len() {
            return Err(WriteError::Fields {
                structure: record.structure.code(),
                expected: fields.len(),
                found: record.values.len(),
            });
        }
        if let Some(i) = record
            .values
            .iter()
            .position(|v| v.contains(['#', '|', '\r', '\n']))
        {
            return Err(WriteError::Separator {
                structure: record.structure.code(),
                field: fields[i],
            });
        }
        self.records += 1;
        write!(
            self.out,
            "{}#{}#{}|{}#\r\n",
            record.structure.code(),
            self.records,
            record.values.join("|"),
            if record.deleted { "S" } else { "" }
        )?;
        Ok(self.records)
    }

    /// Ends the file (`FF#<records + 1>#<records>#`) and gives back the output.
    /// What is written to, so a streamed file can be taken a part at a time.
    pub fn output(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn finish(mut self) -> Result<(W, u64), WriteError> {
        write!(self.out, "FF#{}#{}#\r\n", self.records + 1, self.records)?;
        self.out.flush()?;
        Ok((self.out, self.records))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(structure: Structure, values: &[&str], deleted: bool) -> Record {
        Record {
            structure,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            deleted,
        }
    }

    #[test]
    fn the_file_is_framed_as_the_national_database_reads_it() {
        let mut writer = Writer::new(Vec::new(), "RTOS").unwrap_or_else(|e| panic!("{e}"));
        let first = writer
            .record(&record(Structure::Ap05, &["APQ-SI-CSTT-ALI", "APQ"], false))
            .unwrap_or_else(|e| panic!("{e}"));
        let second = writer
            .record(&record(
                Structure::Fn10,
                &["APQ-SI-CSTT-ALI", "FDR", "1000,00"],
                true,
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((first, second), (1, 2));
        let (bytes, count) = writer.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count, 2);
        assert_eq!(
            String::from_utf8(bytes).unwrap_or_default(),
            "HH#0#RTOS#PUC#\r\nAP05#1#APQ-SI-CSTT-ALI|APQ|#\r\nFN10#2#APQ-SI-CSTT-ALI|FDR|1000,00|S#\r\nFF#3#2#\r\n"
        );
    }

    #[test]
    fn a_record_that_would_break_the_framing_is_refused() {
        let mut writer = Writer::new(Vec::new(), "RTOS").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            writer.record(&record(Structure::Ap05, &["X"], false)),
            Err(WriteError::Fields {
                expected: 2,
                found: 1,
                ..
            })
        ));
        assert!(matches!(
            writer.record(&record(Structure::Ap05, &["X", "A|B"], false)),
            Err(WriteError::Separator {
                field: "COD_STRU_ATT",
                ..
            })
        ));
        let (_, count) = writer.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count, 0, "nothing refused was counted");
    }

    #[test]
    fn every_structure_starts_with_its_project_or_transfer_code() {
        for structure in Structure::ALL {
            let first = structure.fields()[0];
            assert!(
                first == "COD_LOCALE_PROGETTO"
                    || (structure == Structure::Tr00 && first == "COD_TRASFERIMENTO"),
                "{}",
                structure.code()
            );
            assert_eq!(Structure::from_code(structure.code()), Some(structure));
        }
    }
}
