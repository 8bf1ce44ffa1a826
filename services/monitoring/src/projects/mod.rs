//! What the national monitoring needs of an intervento beyond the register: its project (the
//! stable COD_LOCALE_PROGETTO, the CUP's nature, the localisation as ISTAT codes: PUC AP00,
//! AP06) and its soggetti collegati with their TC24 role (SC00).
//!
//! - [`rules`]: TC24, the place's and the soggetto's checks ([`rules::ProjectError`]), pure, unit-tested;
//! - [`queries`]: the diesel queries, and the aggregates the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
mod queries;
mod rules;

pub use http::{add_soggetto, create, list, list_soggetti, update, update_soggetto};
pub use json::{Project, Soggetto};
pub use queries::soggetti_of;
pub use rules::TC24;
