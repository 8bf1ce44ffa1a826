//! The Applicativo Intese feed: each semester's schede in a documented JSON form (intervento
//! code, CUP, costs, financing, cronoprogramma, progress, indicators), as a change feed ordered
//! by `change_seq` so the sync job pulls only what changed since its checkpoint; and the
//! acknowledgements in which the job records what it transmitted and CNIPA's convalida.
//!
//! A write puts a scheda (back) in the feed by setting its `change_seq` to NULL; the deferred
//! trigger `schede_change_seq` gives it the next position when the transaction commits, under
//! the database's position lock, so positions are handed out in commit order: a reader whose
//! cursor has passed P never sees a change below P appear later (see the platform migration
//! `commit_positions`). Committed rows always have a position.

//!
//! - [`rules`]: what a page and a batch may hold, the indicators and events of an item, the
//!   outcomes and the batch's order, pure ([`rules::FeedError`]);
//! - [`queries`]: the changes after a position, the acknowledgements and their upsert;
//! - [`json`]: the items, pages and acknowledgements (the sync job's contract);
//! - [`http`]: the endpoints.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::{
    AcknowledgementBatch, FeedItem, FeedPage, NewAcknowledgement, NewAcknowledgementBatch,
};
pub use rules::{MAX_BATCH, Outcome};
