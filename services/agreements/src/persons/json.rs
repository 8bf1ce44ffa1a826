//! The persons as the API reads and writes them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::ResponsibilityRole;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Responsibility {
    pub role: ResponsibilityRole,
    /// For roles on one intervento.
    pub intervento_id: Option<Uuid>,
    /// For roles on the whole accordo.
    pub accordo_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub organisation: Option<String>,
    /// Shown to authenticated callers only.
    pub email: Option<String>,
    pub responsibilities: Vec<Responsibility>,
    pub source_ref: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<Person>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    #[schema(pattern = "\\S")]
    pub name: String,
    pub organisation: Option<String>,
    /// An e-mail address: an `@`, no spaces.
    #[schema(pattern = "^[^ \\u0000]*@[^ \\u0000]*$")]
    pub email: Option<String>,
    #[serde(default)]
    pub responsibilities: Vec<Responsibility>,
}
