//! The registry as the API reads and writes it: the request and response types.

use apq_domain::IstatCode;
use apq_platform::pagination::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::queries::EnteRow;
use super::rules::EnteKind;

/// The schema of the kinds registered through the API: the aggregations of comuni.
pub struct AggregationKind;

impl utoipa::PartialSchema for AggregationKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A kind of aggregation of comuni"))
            .enum_values(Some(EnteKind::AGGREGATIONS.map(EnteKind::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for AggregationKind {}

/// A public body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ente {
    /// The ISTAT code for a comune, "P" and the province code for a province, the chosen code of an aggregation.
    pub code: String,
    pub kind: EnteKind,
    pub name: String,
    pub istat_code: Option<IstatCode>,
    pub province_code: Option<String>,
    pub province_short: Option<String>,
    pub region_code: Option<String>,
    /// The cadastral (Belfiore) code; the IPA code of a comune is `c_` and this, lower case.
    pub cadastral_code: Option<String>,
    #[schema(format = Int32)]
    pub population: Option<i32>,
    /// The date of that population (ISTAT's 1 January 2023 for today's comuni).
    pub population_as_of: Option<chrono::NaiveDate>,
    /// A comune under 5,000 inhabitants at `population_as_of`: not the seed's classification of
    /// the comuni under 5,000 at 31.12.2004 (that is the intervento's declared adherents).
    pub piccolo_comune: bool,
    /// When the comune came into existence, for one that no longer exists.
    pub existed_from: Option<chrono::NaiveDate>,
    /// When the comune ceased to exist (merged away), if it did.
    pub ceased_on: Option<chrono::NaiveDate>,
}

impl From<EnteRow> for Ente {
    fn from(row: EnteRow) -> Self {
        Self {
            kind: row.kind,
            istat_code: row.istat_code,
            code: row.code,
            name: row.name,
            province_code: row.province_code,
            province_short: row.province_short,
            region_code: row.region_code,
            cadastral_code: row.cadastral_code,
            population: row.population,
            population_as_of: row.population_as_of,
            // Only a comune carries the flag; another body is no piccolo comune.
            piccolo_comune: row.piccolo_comune.unwrap_or(false),
            existed_from: row.existed_from,
            ceased_on: row.ceased_on,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnteFilter {
    pub kind: Option<EnteKind>,
    /// Two-digit region code (Toscana is 09).
    #[param(pattern = "^[0-9]{2}$")]
    pub region_code: Option<String>,
    /// Province sigla (e.g. FI).
    pub province: Option<String>,
    /// Only comuni under (true) or over (false) 5,000 inhabitants.
    pub piccolo_comune: Option<bool>,
    /// Name contains (case-insensitive).
    pub q: Option<String>,
    /// Also the comuni that no longer exist (default: only the bodies that exist today).
    pub ceased: Option<bool>,
}

/// A page of bodies with their data source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntePage {
    #[serde(flatten)]
    pub page: Page<Ente>,
    /// Where the registry's data comes from.
    pub source: String,
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// One body, with the aggregations it belongs to or, for an aggregation, its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnteDetail {
    #[serde(flatten)]
    pub ente: Ente,
    /// For an aggregation: its member comuni's codes.
    pub members: Vec<String>,
    /// For a comune: the aggregations it belongs to.
    pub member_of: Vec<String>,
    pub source: String,
}

/// A new aggregation of comuni.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAggregation {
    /// A code of your choice (upper-case letters, digits, dashes), e.g. "UC-CASENTINO".
    #[schema(pattern = "^[A-Z][A-Z0-9-]*$", max_length = 40)]
    pub code: String,
    #[schema(value_type = AggregationKind)]
    pub kind: EnteKind,
    pub name: String,
    /// The member comuni's ISTAT codes.
    #[schema(min_items = 1)]
    pub members: Vec<IstatCode>,
}
