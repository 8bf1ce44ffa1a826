//! The projects' and soggetti's request and response types (the rows the API shows as they are).

use apq_domain::CodiceFiscale;
use apq_platform::extract::patch as patch_field;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::Place;
use crate::schema::{puc_projects, soggetti};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = puc_projects)]
pub struct Project {
    pub id: Uuid,
    pub intervento_code: String,
    /// COD_LOCALE_PROGETTO: given once, never changed nor reused.
    pub local_code: String,
    /// The CUP's nature (2 digits), which picks the phases of TC46.
    pub natura_cup: Option<String>,
    /// ISTAT region (2 digits), province (3) and comune (6).
    pub cod_regione: Option<String>,
    pub cod_provincia: Option<String>,
    pub cod_comune: Option<String>,
    pub source_ref: Option<String>,
    /// When the project was cancelled (its code stays taken).
    pub cancelled_on: Option<NaiveDate>,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    #[schema(pattern = "^[A-Za-z0-9-]+$")]
    pub intervento_code: String,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{2}$")]
    pub natura_cup: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{2}$")]
    pub cod_regione: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{3}$")]
    pub cod_provincia: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub cod_comune: Option<String>,
}

impl NewProject {
    /// The nature and localisation given.
    pub fn place(&self) -> Place {
        Place {
            natura_cup: self.natura_cup.clone(),
            cod_regione: self.cod_regione.clone(),
            cod_provincia: self.cod_provincia.clone(),
            cod_comune: self.cod_comune.clone(),
        }
    }
}

impl Project {
    /// Its nature and localisation.
    pub fn place(&self) -> Place {
        Place {
            natura_cup: self.natura_cup.clone(),
            cod_regione: self.cod_regione.clone(),
            cod_provincia: self.cod_provincia.clone(),
            cod_comune: self.cod_comune.clone(),
        }
    }
}

/// A merge patch of a project: its nature, localisation or cancellation (the local code never
/// changes).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{2}$")]
    pub natura_cup: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{2}$")]
    pub cod_regione: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{3}$")]
    pub cod_provincia: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[0-9]{6}$")]
    pub cod_comune: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub cancelled_on: Option<Option<NaiveDate>>,
}

impl ProjectPatch {
    /// The project `cur` as the patch changes it.
    pub fn apply(&self, cur: &Project) -> Project {
        let pick =
            |new: &Option<Option<String>>, old: &Option<String>| new.clone().unwrap_or(old.clone());
        Project {
            natura_cup: pick(&self.natura_cup, &cur.natura_cup),
            cod_regione: pick(&self.cod_regione, &cur.cod_regione),
            cod_provincia: pick(&self.cod_provincia, &cur.cod_provincia),
            cod_comune: pick(&self.cod_comune, &cur.cod_comune),
            cancelled_on: self.cancelled_on.unwrap_or(cur.cancelled_on),
            ..cur.clone()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<Project>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = soggetti)]
pub struct Soggetto {
    pub id: Uuid,
    pub intervento_code: String,
    /// COD_RUOLO_SOG (TC24): 1 Programmatore, 2 Beneficiario, ...
    pub role: i16,
    pub name: String,
    /// Null when unknown.
    pub codice_fiscale: Option<String>,
    /// Whether it is a public body (null when unknown).
    pub public: Option<bool>,
    /// The public body's code in the IPA index (null when unknown).
    pub ipa: Option<String>,
    pub source_ref: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSoggetto {
    /// COD_RUOLO_SOG (TC24).
    #[schema(minimum = 1, maximum = 4)]
    pub role: i16,
    /// One line, without `#` or `|`.
    #[schema(
        max_length = 255,
        pattern = "^[^#|\\r\\n\\u0000]*[^#|\\s\\u0000][^#|\\r\\n\\u0000]*$"
    )]
    pub name: String,
    /// Checked with its control character (16 characters for a person, 11 digits for a body).
    #[serde(default)]
    pub codice_fiscale: Option<CodiceFiscale>,
    #[serde(default)]
    pub public: Option<bool>,
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_]{1,10}$")]
    pub ipa: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SoggettoList {
    pub items: Vec<Soggetto>,
}

/// A merge patch of a soggetto collegato: what was unknown when it was recorded (its codice
/// fiscale, public flag, IPA code) or a correction of its name. Its role and intervento stay.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SoggettoPatch {
    /// One line, without `#` or `|`.
    #[serde(default)]
    #[schema(
        max_length = 255,
        pattern = "^[^#|\\r\\n\\u0000]*[^#|\\s\\u0000][^#|\\r\\n\\u0000]*$"
    )]
    pub name: Option<String>,
    /// Checked with its control character; null makes it unknown again.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<CodiceFiscale>)]
    pub codice_fiscale: Option<Option<CodiceFiscale>>,
    #[serde(default, deserialize_with = "patch_field")]
    pub public: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(pattern = "^[A-Za-z0-9_]{1,10}$")]
    pub ipa: Option<Option<String>>,
}

#[derive(Debug, Deserialize)]
pub struct SoggettoPath {
    pub code: String,
    pub id: Uuid,
}
