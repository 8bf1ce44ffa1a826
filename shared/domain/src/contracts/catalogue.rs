//! What the catalogue service answers and its peers read: a service's record (the
//! "Anagrafica del servizio", both sheets of the seed) and one version of it. The adhesion
//! service reads a service's status and sub-services, the monitoring service its intervento
//! and go-live.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Euro;

crate::text_enum!(
    /// Whether the service can be used today.
    Availability { Available = "available", InDevelopment = "in_development", Planned = "planned" }
);

crate::text_enum!(
    /// How a body pays for the service.
    PricingModel {
        FreeForMembers = "free_for_members",
        RegionalOpenContract = "regional_open_contract",
        AnnualSubscription = "annual_subscription",
        Contribution = "contribution",
        Other = "other",
    }
);

crate::text_enum!(
    /// What a prerequisite's cost is counted on.
    CostBasis { PerComune = "per_comune", PerWorkstation = "per_workstation", UnaTantum = "una_tantum" }
);

crate::text_enum!(
    /// How the go-live date is given.
    GoLiveKind {
        Absolute = "absolute",
        /// A lower bound only ("non prima della prima metà del 2009"): `date` is the earliest
        /// it may go live, not its go-live.
        NotBefore = "not_before",
        RelativeToAliStart = "relative_to_ali_start",
        RelativeToAvailability = "relative_to_availability",
        AlreadyLive = "already_live",
        Unknown = "unknown",
    }
);

crate::text_enum!(
    /// Who a licence is granted to (START is licensed per aggregation).
    Licensing { PerComune = "per_comune", PerAggregation = "per_aggregation", Regional = "regional" }
);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    pub description: String,
    pub cost: Option<Euro>,
    pub cost_basis: Option<CostBasis>,
    pub source_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostLine {
    pub description: String,
    #[schema(value_type = crate::NonNegativeEuro)]
    pub amount: Euro,
    /// The period the amount covers ("2 anni", "annuo", "2008-2009").
    pub period: Option<String>,
    pub source_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub model: PricingModel,
    pub description: String,
    pub min_amount: Option<Euro>,
    pub max_amount: Option<Euro>,
    pub period: Option<String>,
    pub source_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GoLive {
    pub kind: GoLiveKind,
    pub date: Option<NaiveDate>,
    /// Months after the reference (the ALI start, or availability).
    #[schema(format = Int32)]
    pub months: Option<i32>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RolloutTarget {
    pub description: String,
    #[schema(format = Int32)]
    pub count: Option<i32>,
    pub unit: Option<String>,
    pub phase: Option<String>,
    pub source_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SubService {
    /// A short code, unique within the service (e.g. "consultazione").
    pub code: String,
    pub name: String,
    pub description: Option<String>,
}

/// The whole record of a service.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecord {
    #[schema(format = Int32, minimum = 1)]
    pub number: i32,
    /// The intervento that finances the service (the eight of the catalogue: CSTT-ALI). Only
    /// commitments to an intervento's own services count for its 30% rule (art. 4.2.b).
    #[serde(default)]
    pub intervento_code: Option<String>,
    #[schema(pattern = "\\S")]
    pub name: String,
    pub aliases: Vec<String>,
    pub ambito_amministrativo: Option<String>,
    pub tipologia: Option<String>,
    pub scope: Option<String>,
    pub current_availability: Option<String>,
    pub availability: Availability,
    pub description: Option<String>,
    pub motivation: Option<String>,
    /// The e-government interaction level (1 information ... 4 full transaction).
    #[schema(format = Int32, minimum = 1, maximum = 4)]
    pub interaction_level: Option<i32>,
    pub prerequisites: Vec<Prerequisite>,
    /// The service's costs; together they are an amount too (at most 13 digits before the
    /// decimal point).
    pub cost_lines: Vec<CostLine>,
    pub pricing: Vec<Pricing>,
    pub product_availability: Option<String>,
    pub acquisition_mode: Option<String>,
    pub suppliers: Vec<String>,
    pub maintenance: Option<String>,
    pub go_live: GoLive,
    pub rollout_targets: Vec<RolloutTarget>,
    pub sub_services: Vec<SubService>,
    pub licensing: Option<Licensing>,
    pub source_ref: Option<String>,
}

impl ServiceRecord {
    pub fn total_cost(&self) -> Euro {
        self.cost_lines.iter().map(|c| c.amount).sum()
    }

    /// The text searched by `q` (names, aliases, descriptions, sub-services).
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![self.name.as_str()];
        parts.extend(self.aliases.iter().map(String::as_str));
        for text in [
            &self.ambito_amministrativo,
            &self.tipologia,
            &self.scope,
            &self.description,
            &self.motivation,
        ]
        .into_iter()
        .flatten()
        {
            parts.push(text);
        }
        for sub in &self.sub_services {
            parts.push(&sub.name);
            if let Some(description) = &sub.description {
                parts.push(description);
            }
        }
        parts.join(" \n")
    }
}

crate::text_enum!(
    /// Whether a service can still be adhered to.
    ServiceStatus { Active = "active", Withdrawn = "withdrawn" }
);

/// One version of a service's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceEntry {
    #[schema(format = Int32)]
    pub number: i32,
    #[schema(format = Int32)]
    pub version: i32,
    /// The status this version gave the service.
    pub status: ServiceStatus,
    /// Whether this is the service's current version.
    pub current: bool,
    pub record: ServiceRecord,
    /// The record's cost lines added up.
    #[schema(value_type = crate::EuroTotal)]
    pub total_cost: Euro,
    pub changed_by: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A service in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceSummary {
    #[schema(format = Int32)]
    pub number: i32,
    pub name: String,
    pub ambito: Option<String>,
    pub tipologia: Option<String>,
    pub availability: Availability,
    pub pricing_models: Vec<PricingModel>,
    pub status: ServiceStatus,
    /// The current version of its record.
    #[schema(format = Int32)]
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A page of `GET /v1/services` as its readers take it: the services listed (the page's limit,
/// cursor and links are the platform's `Page`, which the catalogue answers with).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePage {
    pub items: Vec<ServiceSummary>,
}
