//! Domain types of the APQ suite.
//!
//! Every value that crosses the API edge is parsed into one of these types first, so the core
//! never sees an invalid CUP, ISTAT code, semester or amount. The crate depends on neither diesel
//! nor actix (CI checks it with `cargo tree -i diesel -p apq-domain`).

mod codice_fiscale;
pub mod contracts;
mod cup;
mod euro;
mod ids;
mod istat;
mod percent;
mod role;
mod semester;
mod text_enum;

pub use codice_fiscale::{CodiceFiscale, CodiceFiscaleError};
pub use cup::{Cup, CupError};
pub use euro::{Euro, EuroError, EuroTotal, NonNegativeEuro, PositiveEuro};
pub use ids::IdError;
pub use istat::{IstatCode, IstatCodeError};
pub use percent::{Percent, PercentError};
pub use role::{Role, RoleError};
pub use semester::{Half, Semester, SemesterError};
pub use text_enum::{UnknownVariant, same_text};
