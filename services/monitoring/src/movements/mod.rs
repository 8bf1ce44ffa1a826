//! The financial events of an intervento, as the national monitoring (PUC FN04, FN06) carries
//! them: each impegno and disimpegno, each pagamento and rettifica, with its own code, date, type,
//! positive amount, causale and note. Events are never edited (a correction is a new event, a
//! disimpegno or a rettifica), so the history is the table. A scheda's commitments and payments
//! are derived from them ([`totals`]).
//!
//! - [`rules`]: an event's checks, the net totals and what a scheda can hold, and what they
//!   refuse ([`rules::MovementError`]), pure, unit-tested;
//! - [`queries`]: the diesel queries (recording an event under the intervento's lock), and the
//!   aggregate the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, who records the events, and the mapping of the rules' refusals to
//!   problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use http::{create_impegno, create_pagamento, list_impegni, list_pagamenti};
pub use json::Movement;
pub use queries::of;
pub use rules::{MovementKind, totals};
