//! Tranche eligibility, evaluated with live data from four places: the tranche plan, the
//! intervento's start, state and co-financing cap from agreements; the intervento's own services
//! (active, past their go-live) from the catalogue; its adherents with signed commitments over
//! the Atto's declared count from adhesion; the SAL, CNIPA's verifications (this intervento's
//! Piano, admissibility, completion) and the verified operation from monitoring's own records.
//! Every condition of art. 4.2 and 5.5 is reported with its figures; none fails open: a peer that
//! is down, or whose figure cannot be read, gives 503 naming it (and the field).
//!
//! - [`rules`]: the conditions, the recovery and the marking, pure ([`rules::MarkError`]);
//! - [`queries`]: monitoring's own records of the intervento;
//! - [`json`]: the answer's types;
//! - [`http`]: the endpoints and the reading of the peers.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub(crate) use http::peers;
pub use http::{Peers, evaluate};
pub use json::{AsOf, Eligibility};
