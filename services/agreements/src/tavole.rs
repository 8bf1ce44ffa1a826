//! The atto's Tavole, computed from the register (never stored copies):
//! Tavola 1, the attuativa interventi by financing heading; Tavola 2, the attuativa money by
//! contributor and legal basis; Tavola 3, the programmatica interventi.

use actix_web::{HttpResponse, get, web};
use apq_domain::Euro;
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::extract::Path;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::financing::{FinancingSource, load_sources};
use crate::interventi::{IdPath, InterventoRow};
use crate::model::{Contributor, InterventoState, Sezione};
use crate::schema::{atti_integrativi, interventi};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola1Row {
    pub intervento_id: Uuid,
    pub code: String,
    pub title: String,
    pub cup: Option<String>,
    /// The financing headings, in the order of the plan.
    pub sources: Vec<FinancingSource>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola1 {
    pub rows: Vec<Tavola1Row>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola2Row {
    pub contributor: Contributor,
    pub legal_basis: String,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub amount: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola2 {
    pub rows: Vec<Tavola2Row>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola3Row {
    pub intervento_id: Uuid,
    pub code: String,
    pub title: String,
    pub total_cost: Euro,
    pub cnipa_cofinancing: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavola3 {
    pub rows: Vec<Tavola3Row>,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub total_cost: Euro,
    #[schema(value_type = apq_domain::EuroTotal)]
    pub cnipa_cofinancing: Euro,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tavole {
    pub atto_id: Uuid,
    /// Sezione attuativa: each intervento by financing heading.
    pub tavola_1: Tavola1,
    /// Sezione attuativa: the money by contributor and legal basis.
    pub tavola_2: Tavola2,
    /// Sezione programmatica: the interventi and their cost.
    pub tavola_3: Tavola3,
}

fn in_force(row: &InterventoRow) -> bool {
    !matches!(
        row.state,
        InterventoState::Cancelled | InterventoState::Revoked | InterventoState::NotActivated
    )
}

pub fn compute(conn: &mut PgConnection, atto: Uuid) -> Result<Tavole, ApiError> {
    let exists: i64 = atti_integrativi::table
        .filter(atti_integrativi::id.eq(atto))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        return Err(ApiError::NotFound(format!("atto integrativo {atto}")));
    }
    let rows: Vec<InterventoRow> = interventi::table
        .filter(interventi::atto_id.eq(atto))
        .order(interventi::code.asc())
        .select(InterventoRow::as_select())
        .load(conn)?;
    let mut tavola_1 = Vec::new();
    let mut tavola_2: Vec<Tavola2Row> = Vec::new();
    let mut tavola_3 = Vec::new();
    for row in rows.iter().filter(|r| in_force(r)) {
        if row.sezione == Sezione::Attuativa {
            let sources = load_sources(conn, row.id)?;
            for source in &sources {
                match tavola_2.iter_mut().find(|r| {
                    r.contributor == Contributor::from(source.contributor)
                        && r.legal_basis == source.legal_basis
                }) {
                    Some(existing) => existing.amount = existing.amount + source.amount,
                    None => tavola_2.push(Tavola2Row {
                        contributor: source.contributor.into(),
                        legal_basis: source.legal_basis.clone(),
                        amount: source.amount,
                    }),
                }
            }
            tavola_1.push(Tavola1Row {
                intervento_id: row.id,
                code: row.code.clone(),
                title: row.title.clone(),
                cup: row.cup.clone(),
                total: sources.iter().map(|s| s.amount).sum(),
                sources,
            });
        } else {
            tavola_3.push(Tavola3Row {
                intervento_id: row.id,
                code: row.code.clone(),
                title: row.title.clone(),
                total_cost: row.total_cost,
                cnipa_cofinancing: row.cnipa_cofinancing,
            });
        }
    }
    Ok(Tavole {
        atto_id: atto,
        tavola_1: Tavola1 {
            total: tavola_1.iter().map(|r| r.total).sum(),
            rows: tavola_1,
        },
        tavola_2: Tavola2 {
            total: tavola_2.iter().map(|r| r.amount).sum(),
            rows: tavola_2,
        },
        tavola_3: Tavola3 {
            total_cost: tavola_3.iter().map(|r| r.total_cost).sum(),
            cnipa_cofinancing: tavola_3.iter().map(|r| r.cnipa_cofinancing).sum(),
            rows: tavola_3,
        },
    })
}

/// Tavole 1, 2 and 3 of an atto integrativo, computed from its interventi.
#[utoipa::path(
    tag = "atti",
    params(("id" = Uuid, Path, description = "The atto's id")),
    responses(
        (status = 200, description = "The three Tavole", body = Tavole),
    )
)]
#[get("/atti-integrativi/{id}/tavole")]
pub async fn get_tavole(
    pool: web::Data<PgPool>,
    path: Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let tavole = run_db(&pool, move |conn| compute(conn, id)).await?;
    Ok(HttpResponse::Ok().json(tavole))
}
