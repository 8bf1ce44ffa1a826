//! Decisions of the Tavolo dei sottoscrittori (art. 6.1) as first-class records that change the
//! register in the same transaction, and the conciliation procedure of art. 9. The Tavolo does
//! not revoke co-financing: that is CNIPA's act (art. 4.4, 5.6; see `revocations`).

//!
//! - [`rules`]: what each effect does to an intervento's state and section, when a
//!   conciliation may still change, what a decision and its effect must be ([`rules::TavoloError`]),
//!   pure;
//! - [`queries`]: the rows, the diesel queries (the state, the tranches revoked, the
//!   conciliation referred, the decision written), and what the write path locks;
//! - [`json`]: the request and response types of the API (the decision is the contract's);
//! - [`http`]: the endpoints, the effects applied through the write path of what they change,
//!   and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;
