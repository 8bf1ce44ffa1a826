//! The Tavole computed from the register: the atto's interventi in force, by section, with
//! their financing sources.

use apq_platform::ApiError;
use diesel::prelude::*;
use uuid::Uuid;

use super::json::{Tavola1, Tavola1Row, Tavola2, Tavola2Row, Tavola3, Tavola3Row, Tavole};
use crate::financing::load_sources;
use crate::interventi::InterventoRow;
use crate::model::{Contributor, InterventoState, Sezione};
use crate::schema::{atti_integrativi, interventi};

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
                cup: row.cup.as_ref().map(|c| c.as_str().to_owned()),
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
