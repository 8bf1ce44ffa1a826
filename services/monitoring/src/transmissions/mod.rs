//! The national transmissions as records. A transmission is the PUC file of a semester built from
//! live data when it is made (refused while a blocking finding of the national checks stands),
//! stored exactly as sent with its date, who sent it and every record in it (progressivo,
//! structure, intervento and entity, and the values, so that a record whose entity is gone is
//! sent again in the next file as a tombstone). IGRUE's answer is uploaded to the transmission it
//! answers: read strictly (a malformed answer is refused whole, naming the line, and changes
//! nothing), each refusal lands on the record it names by its progressivo, and stands until a
//! later transmission is made.
//!
//! - [`rules`]: a file's admission, a transmission's state, where IGRUE's refusals land and
//!   which stand, and what they refuse ([`rules::TransmissionError`]), pure, unit-tested;
//! - [`queries`]: the rows and the diesel queries (a transmission made, an answer read), and the
//!   aggregate the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use http::{
    create_transmission, get_transmission, last_sent, list_errors, list_transmissions, respond,
    transmission_file,
};
