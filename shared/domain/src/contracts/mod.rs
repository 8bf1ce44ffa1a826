//! The contracts between the services: the answers a producer serializes and its peers
//! deserialize, one module per producing service. Both sides use these same types, so a
//! contract change (a field removed, renamed or retyped) breaks the build of the consumer, not
//! production.
//!
//! The producer keeps its database enums (`apq_platform::db_text_enum!`, which diesel reads) and
//! converts them into the contract's enums when it builds an answer; the conversions are
//! exhaustive matches both ways, so a variant added on one side only does not compile (the
//! compile-fail doctests of `apq_platform::db_text_enum!` show it).
//!
//! A consumer that builds a peer's answer without a field the contract requires does not
//! compile:
//!
//! ```compile_fail,E0063
//! use apq_domain::contracts::adhesion::Counts;
//! // `committed_share` is part of the contract: leaving it out is a compile error.
//! let counts = Counts { adhering_comuni: 138, committed_comuni: 42 };
//! ```
//!
//! nor does one that reads a field with a type other than the contract's (money is
//! [`Euro`](crate::Euro), never a string):
//!
//! ```compile_fail,E0609
//! use apq_domain::contracts::agreements::FinancialSummary;
//! fn cost(summary: &FinancialSummary) -> &str {
//!     &summary.total_cost.amount
//! }
//! ```
//!
//! nor one that matches on a state the producer does not have:
//!
//! ```compile_fail,E0599
//! use apq_domain::contracts::agreements::TrancheState;
//! fn paid(state: TrancheState) -> bool {
//!     matches!(state, TrancheState::Settled)
//! }
//! ```
//!
//! nor one that reads the Tavolo's decisions or the catalogue's list with fields they do not
//! have (a decision has no `effect`: what it decided is its `payload`; a listed service is
//! known by its `number`, not an `id`):
//!
//! ```compile_fail,E0609
//! use apq_domain::contracts::agreements::DecisionList;
//! fn effects(list: &DecisionList) -> Vec<&serde_json::Value> {
//!     list.items.iter().map(|d| &d.effect).collect()
//! }
//! ```
//!
//! ```compile_fail,E0609
//! use apq_domain::contracts::catalogue::ServicePage;
//! fn ids(page: &ServicePage) -> Vec<i32> {
//!     page.items.iter().map(|s| s.id).collect()
//! }
//! ```
//!
//! while the same code with the contract's fields and types does:
//!
//! ```
//! use apq_domain::contracts::adhesion::Counts;
//! use apq_domain::contracts::agreements::{FinancialSummary, TrancheState};
//! use apq_domain::{Euro, Percent};
//! let counts = Counts { adhering_comuni: 138, committed_comuni: 42, committed_share: None };
//! fn cost(summary: &FinancialSummary) -> Euro {
//!     summary.total_cost
//! }
//! fn paid(state: TrancheState) -> bool {
//!     matches!(state, TrancheState::Paid)
//! }
//! use apq_domain::contracts::agreements::DecisionList;
//! use apq_domain::contracts::catalogue::ServicePage;
//! fn effects(list: &DecisionList) -> Vec<&serde_json::Value> {
//!     list.items.iter().map(|d| &d.payload).collect()
//! }
//! fn numbers(page: &ServicePage) -> Vec<i32> {
//!     page.items.iter().map(|s| s.number).collect()
//! }
//! # let _ = (counts, Percent::ZERO);
//! ```

pub mod adhesion;
pub mod agreements;
pub mod catalogue;

#[cfg(test)]
mod tests {
    use super::adhesion::{Counts, Figures, ServiceCounts};
    use super::agreements::{
        Contributor, FinancialSummary, FinancingSource, Tranche, TrancheCondition, TranchePlan,
        TrancheState,
    };
    use crate::{Euro, Percent};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn percent(raw: &str) -> Percent {
        Percent::try_from(raw.to_owned()).unwrap_or_else(|e| panic!("{raw}: {e:?}"))
    }

    /// What the producer serializes, the consumer reads back as the same value.
    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(
        value: &T,
    ) -> serde_json::Value {
        let json = serde_json::to_value(value).unwrap_or_else(|e| panic!("{e}"));
        let back: T =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(&back, value);
        json
    }

    fn tranche(seq: i32, state: TrancheState) -> Tranche {
        Tranche {
            id: uuid::Uuid::nil(),
            intervento_id: uuid::Uuid::nil(),
            seq,
            share: percent("30.00"),
            amount: euro("175423.73"),
            condition: TrancheCondition {
                text: "After signature".to_owned(),
                requires_plan_approved: true,
                requires_progetto_esecutivo: false,
                sal_verification: None,
                sal_threshold: None,
                adhesion_share_threshold: Some(percent("30.00")),
                months_of_operation: None,
                requires_services_usable: false,
                requires_admissibility: false,
                requires_completion: false,
            },
            state,
            next_states: vec![TrancheState::Eligible, TrancheState::Revoked],
            version: 1,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_financial_summary_reads_back_as_sent_with_money_as_amount_and_currency() {
        let summary = FinancialSummary {
            intervento_id: uuid::Uuid::nil(),
            code: "CSTT-ALI".to_owned(),
            total_cost: euro("1892850"),
            sources: vec![FinancingSource {
                contributor: Contributor::Stato,
                heading: "II Fase e-Gov Linea 3".to_owned(),
                legal_basis: "L. 289/2002".to_owned(),
                amount: euro("584745.76"),
                cnipa: true,
                source_ref: None,
            }],
            cnipa_cofinancing: euro("584745.76"),
            cofinancing_share: Some(percent("30.89")),
            cofinancing_cap: percent("50"),
            tranches: vec![tranche(1, TrancheState::Paid)],
            tranches_paid: euro("175423.73"),
            tranches_due: euro("409322.03"),
        };
        let json = round_trip(&summary);
        assert_eq!(
            json["total_cost"],
            serde_json::json!({"amount": "1892850.00", "currency": "EUR"})
        );
        assert_eq!(json["cofinancing_cap"], "50.00");
        assert_eq!(json["sources"][0]["contributor"], "stato");
        assert_eq!(json["tranches"][0]["state"], "paid");
    }

    #[test]
    fn a_tranche_plan_without_its_cup_or_approval_is_refused_null_is_read() {
        let plan = TranchePlan {
            intervento_id: uuid::Uuid::nil(),
            intervento_code: "CSTT-ALI".to_owned(),
            kind: super::agreements::Kind::Ali,
            progetto_esecutivo_validated_on: None,
            progetto_esecutivo: None,
            cup: None,
            started_on: None,
            state: super::agreements::InterventoState::Active,
            cnipa_cofinancing: euro("584745.76"),
            cofinancing_cap: percent("50"),
            tranches: vec![tranche(1, TrancheState::Planned)],
        };
        let json = round_trip(&plan);
        for field in ["cup", "progetto_esecutivo"] {
            let mut missing = json.clone();
            if let Some(object) = missing.as_object_mut() {
                object.remove(field);
            }
            let error = serde_json::from_value::<TranchePlan>(missing)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains(field), "{field}: {error}");
        }
    }

    #[test]
    fn the_figures_read_back_as_sent_with_the_counts_flattened() {
        let counts = Counts {
            adhering_comuni: 138,
            committed_comuni: 42,
            committed_share: Some(percent("30.43")),
        };
        let figures = Figures {
            as_of: chrono::NaiveDate::from_ymd_opt(2010, 6, 30).unwrap_or_default(),
            overall: counts.clone(),
            by_service: vec![ServiceCounts {
                service_number: 1,
                service_name: "START".to_owned(),
                counts,
            }],
            by_province: Vec::new(),
        };
        let json = round_trip(&figures);
        assert_eq!(json["by_service"][0]["committed_share"], "30.43");
    }
}
