//! The adhesion service's inconsistencies: none is loaded from the seed here, but the Atto's
//! declared adherents (138 comuni for CSTT-ALI, L1700, L6812-6815; 286 administrations for
//! GEOSIGMA, L6705) are compared with the adherents registered now, on every read: where they
//! differ, both figures are stated, as `GET /v1/interventi/{code}/adherents` and the eligibility
//! check state them.

use actix_web::{HttpResponse, get, web};
use apq_platform::ApiError;
use apq_platform::db::{PgPool, run_db};
use apq_platform::inconsistencies::{Inconsistency, InconsistencyList, computed_id, stored};

use crate::adherents::{Declared, registered_against_declared};

/// Registered against declared adherents, as an inconsistency (none when they agree).
pub fn of_adherents(declared: &Declared, registered: i64) -> Option<Inconsistency> {
    (registered != i64::from(declared.count)).then(|| {
        let subject = format!(
            "{}: aderenti registrati vs dichiarati dall'Atto",
            declared.intervento_code
        );
        Inconsistency {
            id: computed_id(&subject),
            description: format!(
                "{registered} adherents of {} are registered now; the Atto declares {} {} ({}). The 30% rule (art. 4.2.b) divides by the declared count until the Tavolo changes it. Computed from the live register on every read.",
                declared.intervento_code, declared.count, declared.unit, declared.source_ref
            ),
            value_a: format!("{registered} registered"),
            ref_a: format!(
                "GET /v1/interventi/{}/adherents",
                declared.intervento_code
            ),
            value_b: format!("{} {}", declared.count, declared.unit),
            ref_b: declared.source_ref.clone(),
            subject,
        }
    })
}

/// The seed's inconsistencies this service keeps (none, today) and those computed from its live
/// data (registered against declared adherents, per intervento). Public.
#[utoipa::path(tag = "provenance", responses((status = 200, description = "The inconsistencies", body = InconsistencyList)))]
#[get("/inconsistencies")]
pub async fn list(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let items = run_db(&pool, |conn| {
        let mut items = stored(conn)?;
        for (declared, registered) in registered_against_declared(conn)? {
            items.extend(of_adherents(&declared, registered));
        }
        items.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok::<_, ApiError>(items)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InconsistencyList { items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_and_declared_adherents_differ_or_agree() {
        let declared = Declared {
            intervento_code: "CSTT-ALI".to_owned(),
            unit: "comuni".to_owned(),
            count: 138,
            priority: Some(114),
            source_ref: "L1700, L6812-6815".to_owned(),
        };
        assert!(of_adherents(&declared, 138).is_none());
        for registered in [0, 10, 139] {
            let told =
                of_adherents(&declared, registered).unwrap_or_else(|| panic!("{registered}"));
            assert_eq!(told.value_a, format!("{registered} registered"));
            assert_eq!(told.value_b, "138 comuni");
            assert_eq!(told.ref_b, "L1700, L6812-6815");
            assert_eq!(
                told.id,
                of_adherents(&declared, 1).map(|i| i.id).unwrap_or_default()
            );
        }
    }
}
