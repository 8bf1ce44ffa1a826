//! The events' request and response types (the rows the API shows as they are).

use apq_domain::Euro;
use apq_platform::text_column::EuroColumn;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::{Draft, MovementKind, TipologiaImpegno, TipologiaPagamento};
use crate::schema::movements;

/// An impegno or a pagamento as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = movements)]
pub struct Movement {
    pub id: Uuid,
    pub intervento_code: String,
    /// `impegno` or `pagamento`.
    #[schema(value_type = MovementKind)]
    pub kind: String,
    /// Its own code (COD_IMPEGNO, COD_PAGAMENTO), unique in the intervento's register.
    pub code: String,
    /// I or D for an impegno, P or R for a pagamento.
    #[schema(pattern = "^[IDPR]$")]
    pub tipologia: String,
    #[diesel(column_name = on_date)]
    pub date: NaiveDate,
    /// Always positive: the tipologia says the direction.
    #[diesel(deserialize_as = EuroColumn)]
    pub amount: Euro,
    pub causale: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    #[schema(format = Int64)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl Movement {
    /// A disimpegno or a rettifica: it reduces the total.
    pub fn reversal(&self) -> bool {
        matches!(self.tipologia.as_str(), "D" | "R")
    }

    pub fn amount(&self) -> Euro {
        self.amount
    }
}

/// A new impegno (I) or disimpegno (D).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImpegno {
    /// COD_IMPEGNO: letters, digits and `. _ / -`, at most 20.
    #[schema(pattern = r"^[A-Za-z0-9._/-]{1,20}$", max_length = 20)]
    pub code: String,
    pub tipologia: TipologiaImpegno,
    pub date: NaiveDate,
    /// Positive.
    #[schema(value_type = apq_domain::PositiveEuro)]
    pub amount: Euro,
    /// CAUSALE_DISIMPEGNO: required for a disimpegno (at most 100 characters).
    #[serde(default)]
    #[schema(max_length = 100, pattern = "^[^#|\\r\\n\\u0000]*$",
        extensions(("x-required-when" = json!({"tipologia": "D"}))))]
    pub causale: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^#|\\r\\n\\u0000]*$")]
    pub note: Option<String>,
}

/// A new pagamento (P) or rettifica (R).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPagamento {
    /// COD_PAGAMENTO: letters, digits and `. _ / -`, at most 20.
    #[schema(pattern = r"^[A-Za-z0-9._/-]{1,20}$", max_length = 20)]
    pub code: String,
    pub tipologia: TipologiaPagamento,
    pub date: NaiveDate,
    /// Positive.
    #[schema(value_type = apq_domain::PositiveEuro)]
    pub amount: Euro,
    /// CAUSALE_PAGAMENTO (at most 100 characters): required for a rettifica.
    #[serde(default)]
    #[schema(max_length = 100, pattern = "^[^#|\\r\\n\\u0000]*$",
        extensions(("x-required-when" = json!({"tipologia": "R"}))))]
    pub causale: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^#|\\r\\n\\u0000]*$")]
    pub note: Option<String>,
}

impl From<NewImpegno> for Draft {
    fn from(b: NewImpegno) -> Self {
        Draft {
            kind: MovementKind::Impegno,
            code: b.code,
            tipologia: b.tipologia.as_str(),
            reversal: b.tipologia == TipologiaImpegno::Disimpegno,
            date: b.date,
            amount: b.amount,
            causale: b.causale,
            note: b.note,
        }
    }
}

impl From<NewPagamento> for Draft {
    fn from(b: NewPagamento) -> Self {
        Draft {
            kind: MovementKind::Pagamento,
            code: b.code,
            tipologia: b.tipologia.as_str(),
            reversal: b.tipologia == TipologiaPagamento::Rettifica,
            date: b.date,
            amount: b.amount,
            causale: b.causale,
            note: b.note,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CodePath {
    pub code: String,
}

/// One register of an intervento with its net total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovementList {
    pub items: Vec<Movement>,
    /// Impegni minus disimpegni, or pagamenti minus rettifiche.
    pub net: Euro,
}
