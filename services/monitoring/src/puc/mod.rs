//! The national transmission: IGRUE's Protocollo Unico di Colloquio (PUC), the file format the
//! national monitoring database (BDU of MEF-RGS-IGRUE) is fed with, as Regione Emilia-Romagna's
//! Sfinge 2020 sends it.
//!
//! - [`format`]: how values are written in a record (dates `dd/mm/YYYY`, amounts `1892850,00`,
//!   text without the separators);
//! - [`file`]: the structures (AP00 ... TR00) with their fields in the order they are sent, and the
//!   file's framing (`HH`, one line per record with its progressivo, `FF`), written streaming;
//! - [`checks`]: the national checks (IGRUE's codes 002-052 and the IPA rule) run locally on a
//!   project before anything is sent, each finding naming the code, structure, record and field
//!   in Italian;
//! - [`response`]: IGRUE's answer (legend and refused records by progressivo), read strictly;
//! - [`tables`]: the national context tables the file's codes come from (TC15, TC33, TC47, TC49).
//!
//! All of it is pure: no database and no HTTP, so each rule is tested on its own.

pub mod checks;
pub mod file;
pub mod format;
pub mod response;
pub mod tables;
