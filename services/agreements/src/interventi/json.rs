//! The intervento as the API reads and writes it: the request and response types, and the
//! view of a row.

use apq_domain::{Cup, Euro, Percent};
use apq_platform::ApiError;
use apq_platform::extract::patch as patch_field;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::queries::InterventoRow;
use crate::model::{InterventoState, Kind, Sezione};

// The intervento as agreements answers it and its peers read it: the contract's types.
pub use apq_domain::contracts::agreements::{
    Intervento, Maturity, NonActivation, ProgettoEsecutivoApproval,
};

impl TryFrom<InterventoRow> for Intervento {
    type Error = ApiError;
    fn try_from(row: InterventoRow) -> Result<Self, ApiError> {
        let kind = row.kind;
        Ok(Self {
            id: row.id,
            atto_id: row.atto_id,
            kind: kind.into(),
            sezione: row.sezione.into(),
            state: row.state.into(),
            cup: row.cup.clone(),
            total_cost: row.total_cost,
            cnipa_cofinancing: row.cnipa_cofinancing,
            cofinancing_share: Percent::ratio(
                row.cnipa_cofinancing.decimal(),
                row.total_cost.decimal(),
            ),
            cofinancing_cap: kind.cap(),
            maturity: Maturity {
                mature: row.reuse_agreements_formalised_on.is_some()
                    && row.progetto_esecutivo_validated_on.is_some(),
                reuse_agreements_formalised_on: row.reuse_agreements_formalised_on,
                progetto_esecutivo_validated_on: row.progetto_esecutivo_validated_on,
                progetto_esecutivo: row.progetto_esecutivo()?,
            },
            non_activation: row.non_activation()?,
            started_on: row.started_on,
            code: row.code,
            title: row.title,
            localisation: row.localisation,
            objective: row.objective,
            soggetti_coinvolti: row.soggetti_coinvolti,
            economic_social_impact: row.economic_social_impact,
            activities_and_services: row.activities_and_services,
            financing_description: row.financing_description,
            phases_financed: row.phases_financed,
            activation_mode: row.activation_mode,
            administrative_steps: row.administrative_steps,
            design_level: row.design_level,
            source_ref: row.source_ref,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterventoFilter {
    /// Only the interventi of this atto.
    pub atto_id: Option<Uuid>,
    pub sezione: Option<Sezione>,
    pub kind: Option<Kind>,
    pub state: Option<InterventoState>,
    pub cup: Option<Cup>,
    /// The intervento with this code (e.g. CSTT-ALI).
    pub code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IdPath {
    pub id: Uuid,
}

/// A new intervento (its financing plan is set afterwards with PUT .../financing-plan).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIntervento {
    pub atto_id: Uuid,
    #[schema(pattern = "^[A-Z0-9][A-Z0-9-]*$", max_length = 50)]
    pub code: String,
    #[schema(pattern = "\\S", max_length = 500)]
    pub title: String,
    pub kind: Kind,
    pub sezione: Sezione,
    pub cup: Option<Cup>,
    pub localisation: Option<String>,
    pub objective: Option<String>,
    pub soggetti_coinvolti: Option<String>,
    pub design_level: Option<String>,
    pub administrative_steps: Option<String>,
    #[schema(value_type = apq_domain::NonNegativeEuro)]
    pub total_cost: Euro,
}

/// A merge patch (RFC 7396) of an intervento's descriptive fields, its CUP, its start and the
/// formalised reuse agreements. The section and the state change only through decisions of the
/// Tavolo and the acts of the Regione (non-activation, art. 5.7) and CNIPA (revocation); CNIPA's
/// approval of the progetto esecutivo is its own act (`PUT .../progetto-esecutivo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct InterventoPatch {
    #[schema(pattern = "\\S", max_length = 500)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "patch_field")]
    pub cup: Option<Option<Cup>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub localisation: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub objective: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub soggetti_coinvolti: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub design_level: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub administrative_steps: Option<Option<String>>,
    /// When the reuse agreements were formalised (maturity, art. 5.4).
    #[serde(default, deserialize_with = "patch_field")]
    pub reuse_agreements_formalised_on: Option<Option<NaiveDate>>,
    /// When the intervento (the ALI) started: the catalogue's relative go-lives count from it.
    #[serde(default, deserialize_with = "patch_field")]
    pub started_on: Option<Option<NaiveDate>>,
    /// Why the change is made (kept in the audit trail).
    pub reason: Option<String>,
}

impl InterventoPatch {
    /// The intervento with this patch's fields applied (a field left out stays as it is).
    pub fn applied_to(&self, current: &InterventoRow) -> InterventoRow {
        let mut next = current.clone();
        if let Some(title) = &self.title {
            next.title.clone_from(title);
        }
        if let Some(cup) = &self.cup {
            next.cup.clone_from(cup);
        }
        for (field, value) in [
            (&mut next.localisation, &self.localisation),
            (&mut next.objective, &self.objective),
            (&mut next.soggetti_coinvolti, &self.soggetti_coinvolti),
            (&mut next.design_level, &self.design_level),
            (&mut next.administrative_steps, &self.administrative_steps),
        ] {
            if let Some(value) = value {
                field.clone_from(value);
            }
        }
        if let Some(date) = self.reuse_agreements_formalised_on {
            next.reuse_agreements_formalised_on = date;
        }
        if let Some(date) = self.started_on {
            next.started_on = date;
        }
        next
    }
}
