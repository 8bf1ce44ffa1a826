//! Two acts on an intervento that are neither the Tavolo's decisions nor the Regione's editing:
//!
//! - **Non-activation** (art. 5.7): "La mancata attuazione degli interventi inseriti nella sezione
//!   programmatica dovrà essere motivata dalla Regione Toscana con riferimento ad eventuali
//!   difficoltà di carattere tecnico/amministrativo ostative all'attivazione dell'intervento
//!   stesso" (L468-470). The Regione's act, so the soggetto responsabile dell'Accordo (or admin)
//!   records it, never CNIPA nor the Tavolo; only for an active intervento of the sezione
//!   programmatica; with its date, act and motivation (required).
//! - **CNIPA's approval of the progetto esecutivo** (art. 5.4, 5.5.a: the first RIUSO tranche
//!   "previa approvazione del progetto esecutivo da parte del CNIPA", L446-447): recorded by
//!   `cnipa` only, with its date, act and who made it.
//!
//! Both go through the intervento's write path (If-Match, lock, bump, audit).

//! - [`rules`]: what each act must name and when it applies ([`rules::ActRefused`]), pure;
//! - [`queries`]: the writes of the recorded acts onto the intervento;
//! - [`json`]: the request types of the API;
//! - [`http`]: the endpoints, who records each act, and the mapping of the rules' refusals to
//!   problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;
