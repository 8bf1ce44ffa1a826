//! The atto's Tavole, computed from the register (never stored copies):
//! Tavola 1, the attuativa interventi by financing heading; Tavola 2, the attuativa money by
//! contributor and legal basis; Tavola 3, the programmatica interventi.
//!
//! A read-only aggregate with no rules of its own (the Tavole are sums of what the register
//! holds; the money rules are in [`crate::model`]), so it has three layers:
//!
//! - [`queries`]: the Tavole computed from the interventi in force and their sources;
//! - [`json`]: the response types of the API;
//! - [`http`]: the endpoint.

pub mod http;
pub mod json;
pub mod queries;
