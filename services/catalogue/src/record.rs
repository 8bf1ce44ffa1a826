//! The "Anagrafica del servizio" record: both sheets of the seed (technical § 2.2 and economic
//! § 2.3), as one versioned document.

apq_platform::db_text_enum!(
    /// Whether the service can be used today.
    Availability { Available = "available", InDevelopment = "in_development", Planned = "planned" } => apq_domain::contracts::catalogue::Availability
);

apq_platform::db_text_enum!(
    /// How a body pays for the service.
    PricingModel {
        FreeForMembers = "free_for_members",
        RegionalOpenContract = "regional_open_contract",
        AnnualSubscription = "annual_subscription",
        Contribution = "contribution",
        Other = "other",
    } => apq_domain::contracts::catalogue::PricingModel
);

// The record as the catalogue answers it and its peers read it: the contract's types.
pub use apq_domain::contracts::catalogue::{
    CostBasis, CostLine, GoLive, GoLiveKind, Licensing, Prerequisite, Pricing, RolloutTarget,
    ServiceRecord, SubService,
};

/// The catalogue's checks of a record.
pub trait RecordChecks {
    /// Every field error, named by its path.
    fn validate(&self) -> Vec<apq_platform::FieldError>;
}

impl RecordChecks for ServiceRecord {
    fn validate(&self) -> Vec<apq_platform::FieldError> {
        use apq_platform::FieldError;
        let mut errors = Vec::new();
        if self.number < 1 {
            errors.push(FieldError::new("number", "services are numbered from 1"));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "a service has a name"));
        }
        if self
            .interaction_level
            .is_some_and(|l| !(1..=4).contains(&l))
        {
            errors.push(FieldError::new(
                "interaction_level",
                "the interaction level is 1 to 4",
            ));
        }
        for (i, line) in self.cost_lines.iter().enumerate() {
            if line.amount.is_negative() {
                errors.push(FieldError::new(
                    format!("cost_lines[{i}].amount"),
                    "a cost cannot be negative",
                ));
            }
        }
        let total = (self.cost_lines.iter())
            .try_fold(apq_domain::Euro::ZERO, |t, l| t.checked_add(l.amount));
        if total.is_none_or(|t| apq_domain::Euro::from_decimal(t.decimal()).is_err()) {
            errors.push(FieldError::new(
                "cost_lines",
                "the costs add up to more than an amount holds (13 digits before the decimal point)",
            ));
        }
        for (i, price) in self.pricing.iter().enumerate() {
            if let (Some(min), Some(max)) = (price.min_amount, price.max_amount)
                && min > max
            {
                errors.push(FieldError::new(
                    format!("pricing[{i}].max_amount"),
                    "the range's maximum is below its minimum",
                ));
            }
        }
        for (i, sub) in self.sub_services.iter().enumerate() {
            if self.sub_services[..i].iter().any(|s| s.code == sub.code) {
                errors.push(FieldError::new(
                    format!("sub_services[{i}].code"),
                    "sub-service codes are unique within a service",
                ));
            }
        }
        errors
    }
}
