//! The roles a caller can hold (carried in the JWT `roles` claim).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Regional administrators: read and change everything.
    Admin,
    /// The soggetto responsabile dell'attuazione dell'Accordo.
    ResponsabileAccordo,
    /// A responsabile di intervento: enters the schede of their interventions.
    ResponsabileIntervento,
    /// An operator of a public body (comune or aggregation); scoped by the `ente` claim.
    Ente,
    /// Read-only access to everything.
    Auditor,
    /// The Applicativo Intese sync job.
    Sync,
    /// CNIPA, the co-financer (today its successor): approves the Piano di monitoraggio and the
    /// progetto esecutivo, verifies SAL and admissibility, records payments, revokes
    /// co-financing in part or in whole (art. 4.2-4.4, 5.5-5.6).
    Cnipa,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::ResponsabileAccordo,
        Role::ResponsabileIntervento,
        Role::Ente,
        Role::Auditor,
        Role::Sync,
        Role::Cnipa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ResponsabileAccordo => "responsabile_accordo",
            Role::ResponsabileIntervento => "responsabile_intervento",
            Role::Ente => "ente",
            Role::Auditor => "auditor",
            Role::Sync => "sync",
            Role::Cnipa => "cnipa",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role \"{0}\"; roles are admin, responsabile_accordo, responsabile_intervento, ente, auditor, sync, cnipa"
)]
pub struct RoleError(pub String);

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| RoleError(raw.to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_value(role).ok(),
                Some(serde_json::json!(role.as_str()))
            );
        }
        assert!("root".parse::<Role>().is_err());
    }
}
