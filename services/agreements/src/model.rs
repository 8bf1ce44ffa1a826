//! The register's vocabulary: kinds, sections, states and the money rules that depend on them.

use apq_domain::{Euro, Percent};
use rust_decimal::Decimal;

apq_platform::db_text_enum!(
    /// The call an intervento was financed under, which sets its co-financing cap and tranche plan.
    Kind { Ali = "ali", Riuso = "riuso" } => apq_domain::contracts::agreements::Kind
);

apq_platform::db_text_enum!(
    /// The two sections of an atto integrativo.
    Sezione { Attuativa = "attuativa", Programmatica = "programmatica" } => apq_domain::contracts::agreements::Sezione
);

apq_platform::db_text_enum!(
    /// Where an intervento stands in the register.
    InterventoState {
        Active = "active",
        Cancelled = "cancelled",
        Revoked = "revoked",
        Completed = "completed",
        /// Not activated: an intervento of the sezione programmatica the Regione, by a motivated
        /// act, does not implement (art. 5.7).
        NotActivated = "not_activated",
    } => apq_domain::contracts::agreements::InterventoState
);

apq_platform::db_text_enum!(
    /// Whether an atto integrativo is signed.
    AttoStatus { Draft = "draft", Signed = "signed", Closed = "closed" } => apq_domain::contracts::agreements::AttoStatus
);

apq_platform::db_text_enum!(
    /// Who contributes a financing source (Tavola 2 groups by it).
    Contributor { Stato = "stato", RegioneToscana = "regione_toscana", Eell = "eell", Altro = "altro" } => apq_domain::contracts::agreements::Contributor
);

apq_platform::db_text_enum!(
    /// The funding columns of an intervento's cost table.
    Funding { Cnipa = "cnipa", CostiInterni = "costi_interni", BilancioRegione = "bilancio_regione", Eell = "eell" }
);

apq_platform::db_text_enum!(
    /// The cost categories of cost tables and activity sheets.
    CostCategory {
        Hardware = "hardware",
        AcquisizioneSoftware = "acquisizione_software",
        SviluppoSoftware = "sviluppo_software",
        ServiziProfessionali = "servizi_professionali",
        CostiGenerali = "costi_generali",
        CostiInterni = "costi_interni",
        Formazione = "formazione",
    } => apq_domain::contracts::agreements::CostCategory
);

apq_platform::db_text_enum!(
    /// The roles people hold in the register.
    ResponsibilityRole {
        SoggettoResponsabileAccordo = "soggetto_responsabile_accordo",
        ResponsabileIntervento = "responsabile_intervento",
        Rup = "rup",
        ReferenteProponente = "referente_proponente",
    }
);

impl Kind {
    /// The most CNIPA may co-finance: 50% of the cost for ALI (art. 4.2), 40% for RIUSO (art. 5.5).
    pub fn cap(self) -> Percent {
        let cap = match self {
            Kind::Ali => Decimal::from(50),
            Kind::Riuso => Decimal::from(40),
        };
        Percent::from_decimal(cap).unwrap_or(Percent::ZERO)
    }
}

/// Why a financing plan is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The sources do not add up to the cost.
    Total { sources: Euro, cost: Euro },
    /// CNIPA's share is above the cap.
    Cap {
        cofinancing: Euro,
        cap: Percent,
        allowed: Euro,
    },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::Total { sources, cost } => {
                let (word, gap) = if sources > cost {
                    ("over", *sources - *cost)
                } else {
                    ("short", *cost - *sources)
                };
                write!(
                    f,
                    "the financing sources add up to {sources} €, the intervento costs {cost} €: {gap} € {word}"
                )
            }
            PlanError::Cap {
                cofinancing,
                cap,
                allowed,
            } => write!(
                f,
                "the CNIPA co-financing of {cofinancing} € is above the cap of {cap} of the cost ({allowed} €) by {} €",
                *cofinancing - *allowed
            ),
        }
    }
}

/// Checks a financing plan: the sources add up to the cost exactly, and CNIPA's part stays within
/// the cap. The cap is compared exactly (`cofinancing * 100 <= cap * cost`), never rounded.
pub fn check_plan(kind: Kind, cost: Euro, sources: &[(Euro, bool)]) -> Result<Euro, PlanError> {
    let total: Euro = sources.iter().map(|(amount, _)| *amount).sum();
    if total != cost {
        return Err(PlanError::Total {
            sources: total,
            cost,
        });
    }
    let cofinancing: Euro = sources
        .iter()
        .filter(|(_, cnipa)| *cnipa)
        .map(|(amount, _)| *amount)
        .sum();
    let cap = kind.cap();
    if cofinancing.decimal() * Decimal::ONE_HUNDRED > cap.decimal() * cost.decimal() {
        let allowed = Euro::from_decimal(
            (cost.decimal() * cap.decimal() / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero),
        )
        .unwrap_or(Euro::ZERO);
        return Err(PlanError::Cap {
            cofinancing,
            cap,
            allowed,
        });
    }
    Ok(cofinancing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_cstt_plan_holds() {
        let plan = [
            (euro("584745.76"), true),
            (euro("175500.00"), false),
            (euro("1132604.24"), false),
            (euro("0.00"), false),
        ];
        assert_eq!(
            check_plan(Kind::Ali, euro("1892850.00"), &plan),
            Ok(euro("584745.76"))
        );
    }

    #[test]
    fn fifty_percent_is_the_ali_limit() {
        let cost = euro("1892850.00");
        let at_cap = [(euro("946425.00"), true), (euro("946425.00"), false)];
        assert!(check_plan(Kind::Ali, cost, &at_cap).is_ok());
        let over = [(euro("946614.29"), true), (euro("946235.71"), false)];
        let error = check_plan(Kind::Ali, cost, &over).err();
        assert!(matches!(error, Some(PlanError::Cap { .. })));
        assert!(
            error
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("by 189,29 €")
        );
        assert!(
            check_plan(Kind::Riuso, cost, &at_cap).is_err(),
            "40% for RIUSO"
        );
    }

    #[test]
    fn a_plan_must_add_up() {
        let short = [(euro("100.00"), true)];
        let error = check_plan(Kind::Ali, euro("300.00"), &short).err();
        assert_eq!(
            error.map(|e| e.to_string()).unwrap_or_default(),
            "the financing sources add up to 100,00 €, the intervento costs 300,00 €: 200,00 € short"
        );
    }
}
