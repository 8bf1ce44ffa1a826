//! The activities' rules, pure: an activity ends after it starts, is coded and titled, and has
//! its costs not negative, one per category.

use chrono::NaiveDate;

use super::json::{ActivityCost, NewActivity};

/// What the activities' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    #[error("an activity cannot end before it starts")]
    EndsBeforeStart,
    /// `0` names the blank field (`code` or `title`).
    #[error("required")]
    Required(&'static str),
    #[error("a cost cannot be negative")]
    NegativeCost(usize),
    #[error("an earlier cost has this category: one cost each")]
    RepeatedCategory(usize),
}

pub fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<(), ActivityError> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(ActivityError::EndsBeforeStart),
        _ => Ok(()),
    }
}

/// Costs are not negative, one per category.
pub fn check_costs(costs: &[ActivityCost]) -> Result<(), ActivityError> {
    for (i, cost) in costs.iter().enumerate() {
        if cost.amount.is_negative() {
            return Err(ActivityError::NegativeCost(i));
        }
        if costs[..i].iter().any(|c| c.category == cost.category) {
            return Err(ActivityError::RepeatedCategory(i));
        }
    }
    Ok(())
}

/// A new activity: its dates in order, its code and title given.
pub fn check_new(activity: &NewActivity) -> Result<(), ActivityError> {
    check_dates(activity.start_on, activity.end_on)?;
    if activity.code.trim().is_empty() {
        return Err(ActivityError::Required("code"));
    }
    if activity.title.trim().is_empty() {
        return Err(ActivityError::Required("title"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CostCategory;

    fn cost(category: CostCategory, amount: &str) -> ActivityCost {
        ActivityCost {
            category: category.into(),
            amount: apq_domain::Euro::parse(amount).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    #[test]
    fn costs_are_positive_and_one_per_category() {
        use CostCategory::{Formazione, Hardware};
        let cases = [
            (vec![], Ok(())),
            (
                vec![cost(Hardware, "10.00"), cost(Formazione, "0.00")],
                Ok(()),
            ),
            (
                vec![cost(Hardware, "-0.01")],
                Err(ActivityError::NegativeCost(0)),
            ),
            (
                vec![cost(Hardware, "1.00"), cost(Hardware, "2.00")],
                Err(ActivityError::RepeatedCategory(1)),
            ),
        ];
        for (costs, expected) in cases {
            assert_eq!(check_costs(&costs), expected);
        }
    }

    #[test]
    fn an_activity_ends_after_it_starts() {
        let day = |d| NaiveDate::from_ymd_opt(2009, 1, d);
        assert_eq!(
            check_dates(day(2), day(1)),
            Err(ActivityError::EndsBeforeStart)
        );
        assert_eq!(check_dates(day(1), day(1)), Ok(()));
        assert_eq!(check_dates(None, day(1)), Ok(()));
    }

    #[test]
    fn a_new_activity_is_dated_in_order_coded_and_titled() {
        let day = |d| NaiveDate::from_ymd_opt(2009, 1, d);
        let activity = |code: &str, title: &str, start_on, end_on| NewActivity {
            code: code.to_owned(),
            phase: None,
            title: title.to_owned(),
            description: None,
            start_on,
            end_on,
            dates_as_written: None,
            responsible: None,
            profiles: None,
            products: None,
            validation_criteria: None,
            service_number: None,
            costs: vec![],
        };
        let cases = [
            (activity("A3-1", "Analisi", day(1), day(2)), Ok(())),
            (
                activity("A3-1", "Analisi", day(2), day(1)),
                Err(ActivityError::EndsBeforeStart),
            ),
            (
                activity(" ", "Analisi", None, None),
                Err(ActivityError::Required("code")),
            ),
            (
                activity("A3-1", "", None, None),
                Err(ActivityError::Required("title")),
            ),
        ];
        for (new, expected) in cases {
            assert_eq!(check_new(&new), expected, "{new:?}");
        }
    }
}
