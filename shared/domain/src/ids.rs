//! Typed identifiers: a `Uuid` that knows what it identifies, so an intervento id cannot be
//! passed where an ente id is expected.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a valid identifier (a UUID is expected)")]
pub struct IdError(pub String);

/// Declares a typed id: `typed_id!(InterventoId, "An intervento");`
#[macro_export]
macro_rules! typed_id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub ::uuid::Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(::uuid::Uuid::new_v4())
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::IdError> {
                ::uuid::Uuid::parse_str(raw)
                    .map(Self)
                    .map_err(|_| $crate::IdError(raw.to_owned()))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<::uuid::Uuid> for $name {
            fn from(id: ::uuid::Uuid) -> Self {
                Self(id)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    typed_id!(ExampleId, "An example");

    #[test]
    fn parses_uuids_only() {
        let id = ExampleId::new();
        assert_eq!(ExampleId::parse(&id.to_string()), Ok(id));
        assert!(ExampleId::parse("42").is_err());
    }
}
