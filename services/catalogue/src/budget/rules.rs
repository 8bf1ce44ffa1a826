//! The budget check, pure: the services' costs against the two-year ALI budget less the
//! management model.

use apq_domain::Euro;

use super::json::{Budget, ServiceCost};

/// The budget as loaded: the two-year budget, the management model's share, where it is said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub two_year_budget: Euro,
    pub management_model: Euro,
    pub source_ref: Option<String>,
}

/// The services' costs against the budget: what they leave of it (negative when they exceed
/// it), and whether they use it exactly.
pub fn check(services: Vec<ServiceCost>, budget: Loaded) -> Budget {
    let services_total: Euro = services.iter().map(|s| s.total_cost).sum();
    let difference = budget.two_year_budget - budget.management_model - services_total;
    Budget {
        balanced: difference == Euro::ZERO,
        difference,
        services,
        services_total,
        two_year_budget: budget.two_year_budget,
        management_model: budget.management_model,
        source_ref: budget.source_ref,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euro(text: &str) -> Euro {
        Euro::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn cost(number: i32, amount: &str) -> ServiceCost {
        ServiceCost {
            number,
            name: format!("servizio {number}"),
            total_cost: euro(amount),
        }
    }

    #[test]
    fn the_services_are_checked_against_the_budget_less_the_management_model() {
        let budget = Loaded {
            two_year_budget: euro("1000.00"),
            management_model: euro("50.00"),
            source_ref: Some("L3634".into()),
        };
        let cases = [
            (vec![cost(1, "600.00"), cost(2, "350.00")], "0.00", true),
            (vec![cost(1, "600.00"), cost(2, "340.00")], "10.00", false),
            (vec![cost(1, "600.00"), cost(2, "360.00")], "-10.00", false),
            (vec![], "950.00", false),
        ];
        for (services, difference, balanced) in cases {
            let checked = check(services, budget.clone());
            assert_eq!(checked.difference, euro(difference));
            assert_eq!(checked.balanced, balanced, "{difference}");
            assert_eq!(checked.services_total + checked.difference, euro("950.00"));
        }
    }
}
