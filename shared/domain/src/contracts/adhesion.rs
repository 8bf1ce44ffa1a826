//! What the adhesion service answers and its peers read: the programme's figures and an
//! intervento's commitments (the 30% rule's figure).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Percent;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Counts {
    /// Comuni with a live adhesion (requested and not ceased) at the date.
    #[schema(format = Int64)]
    pub adhering_comuni: i64,
    /// Of those, the comuni that had signed the contractual commitment by the date.
    #[schema(format = Int64)]
    pub committed_comuni: i64,
    /// committed / adhering, as a percentage (absent when none adhere).
    pub committed_share: Option<Percent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ServiceCounts {
    #[schema(format = Int32)]
    pub service_number: i32,
    pub service_name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The comuni of one province, and the services they have activated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProvinceCounts {
    /// The province's abbreviation (e.g. FI); absent for comuni the registry has no province for.
    pub province: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
    /// Live adhesions of those comuni to a service that is activated by the date.
    #[schema(format = Int64)]
    pub services_activated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Figures {
    pub as_of: NaiveDate,
    /// Distinct comuni over all services (or the one asked for).
    pub overall: Counts,
    pub by_service: Vec<ServiceCounts>,
    /// The same, by province.
    #[serde(default)]
    pub by_province: Vec<ProvinceCounts>,
}

/// The 30% rule's figure (art. 4.2.b): the intervento's adherents with a signed contractual
/// commitment to one of its own services, over the declared adherents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Commitments {
    pub intervento_code: String,
    pub as_of: NaiveDate,
    /// `comuni` or `amministrazioni`.
    pub unit: String,
    /// The denominator: the count the Atto declares.
    #[schema(format = Int64)]
    pub declared_adherents: i64,
    /// The adherents registered (who adhered by the date).
    #[schema(format = Int64)]
    pub registered_adherents: i64,
    /// Adherents with a commitment signed by the date to one of `services`.
    #[schema(format = Int64)]
    pub committed_adherents: i64,
    /// committed / declared, as a percentage.
    pub committed_share: Percent,
    /// The services whose commitments count.
    pub services: Vec<i32>,
    /// Registered and declared adherents differ: both figures.
    pub inconsistency: Option<String>,
}
