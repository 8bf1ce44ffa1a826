//! The contracts between the services: the answers a producer serializes and its peers
//! deserialize, one module per producing service. Both sides use these same types, so a
//! contract change (a field removed, renamed or retyped) breaks the build of the consumer, not
//! production.
//!
//! The producer keeps its database enums (`apq_platform::db_text_enum!`, which diesel reads) and
//! converts them into the contract's enums when it builds an answer; the conversions are
//! exhaustive matches both ways, so a variant added on one side only does not compile.
//!
//! A consumer that builds a peer's answer without a field the contract requires does not
//! compile:
//!
//! ```compile_fail
//! use apq_domain::contracts::adhesion::Counts;
//! // `committed_share` is part of the contract: leaving it out is a compile error.
//! let counts = Counts { adhering_comuni: 138, committed_comuni: 42 };
//! ```
//!
//! nor does one that reads a field with a type other than the contract's (money is
//! [`Euro`](crate::Euro), never a string):
//!
//! ```compile_fail
//! use apq_domain::contracts::agreements::FinancialSummary;
//! fn cost(summary: &FinancialSummary) -> &str {
//!     &summary.total_cost.amount
//! }
//! ```
//!
//! nor one that matches on a state the producer does not have:
//!
//! ```compile_fail
//! use apq_domain::contracts::agreements::TrancheState;
//! fn paid(state: TrancheState) -> bool {
//!     matches!(state, TrancheState::Settled)
//! }
//! ```
//!
//! while the same code with the contract's fields and types does:
//!
//! ```
//! use apq_domain::contracts::adhesion::Counts;
//! use apq_domain::contracts::agreements::{FinancialSummary, TrancheState};
//! use apq_domain::{Euro, Percent};
//! let counts = Counts { adhering_comuni: 138, committed_comuni: 42, committed_share: None };
//! fn cost(summary: &FinancialSummary) -> Euro {
//!     summary.total_cost
//! }
//! fn paid(state: TrancheState) -> bool {
//!     matches!(state, TrancheState::Paid)
//! }
//! # let _ = (counts, Percent::ZERO);
//! ```

pub mod adhesion;
pub mod agreements;
pub mod catalogue;
