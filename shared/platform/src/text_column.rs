//! `db_text_enum!`: a [`apq_domain::text_enum!`] that is also a diesel `Text` column, so a row
//! struct holds the enum itself and a query filters with it (`state.eq(AdhesionState::Active)`):
//! the text is parsed once, by diesel, and a value no variant names is a database error, never a
//! silent default.

/// Declares a `text_enum!` (FromStr, Display, `as_str`, `ALL`, serde, utoipa) that converts to
/// and from a `Text` column (`FromSql`/`ToSql`, `AsExpression`, `FromSqlRow`). The invoking crate
/// depends on `diesel`, `serde` and `utoipa`.
///
/// ```ignore
/// apq_platform::db_text_enum!(
///     /// Where an adhesion stands.
///     AdhesionState { Requested = "requested", Active = "active" }
/// );
/// ```
///
/// With `=> path::to::ContractEnum` (the same variants, in a peer contract of
/// `apq_domain::contracts`), it also converts to and from that enum: exhaustive matches both
/// ways, and a compile-time check that each variant has the same text on both sides, so the
/// column and the contract cannot drift apart:
///
/// ```
/// apq_domain::text_enum!(Contract { Open = "open", Closed = "closed" });
/// apq_platform::db_text_enum!(Column { Open = "open", Closed = "closed" } => Contract);
/// assert_eq!(Contract::from(Column::Closed), Contract::Closed);
/// assert_eq!(Column::from(Contract::Open), Column::Open);
/// ```
///
/// A variant the column has and the contract has not does not compile:
///
/// ```compile_fail,E0599
/// apq_domain::text_enum!(Contract { Open = "open" });
/// apq_platform::db_text_enum!(Column { Open = "open", Closed = "closed" } => Contract);
/// ```
///
/// nor one the contract has and the column has not:
///
/// ```compile_fail,E0004
/// apq_domain::text_enum!(Contract { Open = "open", Closed = "closed" });
/// apq_platform::db_text_enum!(Column { Open = "open" } => Contract);
/// ```
///
/// nor a variant whose text differs:
///
/// ```compile_fail,E0080
/// apq_domain::text_enum!(Contract { Open = "open", Closed = "closed" });
/// apq_platform::db_text_enum!(Column { Open = "open", Closed = "shut" } => Contract);
/// ```
#[macro_export]
macro_rules! db_text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? } => $contract:ty) => {
        $crate::db_text_enum!($(#[$meta])* $name { $($(#[$vmeta])* $variant = $text),+ });

        const _: () = {
            type __DbTextEnumContract = $contract;

            impl ::std::convert::From<$name> for __DbTextEnumContract {
                fn from(value: $name) -> Self {
                    match value {
                        $($name::$variant => __DbTextEnumContract::$variant),+
                    }
                }
            }

            impl ::std::convert::From<__DbTextEnumContract> for $name {
                fn from(value: __DbTextEnumContract) -> Self {
                    match value {
                        $(__DbTextEnumContract::$variant => $name::$variant),+
                    }
                }
            }

            $(assert!(
                ::apq_domain::same_text($text, __DbTextEnumContract::$variant.as_str()),
                concat!(stringify!($name), "::", stringify!($variant), " is not \"", $text, "\" in the contract"),
            );)+
        };
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        ::apq_domain::text_enum!(
            $(#[$meta])*
            #[derive(::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow)]
            #[diesel(sql_type = ::diesel::sql_types::Text)]
            $name { $($(#[$vmeta])* $variant = $text),+ }
        );

        impl ::diesel::deserialize::FromSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn from_sql(value: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    ::diesel::pg::Pg,
                >>::from_sql(value)?;
                Ok(text.parse::<$name>()?)
            }
        }

        impl ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::pg::Pg>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }
    };
}

/// Declares a wrapper column type `$db` that diesel reads as `$sql` and turns into the domain
/// value `$domain` with `$parse` (a value the column holds and the domain refuses is a database
/// error, never a silent default). Used with `#[diesel(deserialize_as = ...)]` on a row field
/// of the domain type.
macro_rules! domain_column {
    ($(#[$meta:meta])* $db:ident: $sql:ty => $domain:ty, $raw:ty, $parse:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $db(pub $domain);

        impl ::diesel::deserialize::FromSql<$sql, ::diesel::pg::Pg> for $db {
            fn from_sql(value: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let raw = <$raw as ::diesel::deserialize::FromSql<$sql, ::diesel::pg::Pg>>::from_sql(value)?;
                Ok(Self($parse(raw)?))
            }
        }

        impl ::diesel::deserialize::Queryable<$sql, ::diesel::pg::Pg> for $db {
            type Row = Self;
            fn build(row: Self) -> ::diesel::deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl From<$db> for $domain {
            fn from(column: $db) -> Self {
                column.0
            }
        }
    };
}

domain_column!(
    /// A `NUMERIC` amount read as [`apq_domain::Euro`] (`#[diesel(deserialize_as = EuroColumn)]`).
    EuroColumn: ::diesel::sql_types::Numeric => apq_domain::Euro, rust_decimal::Decimal, apq_domain::Euro::from_decimal
);

domain_column!(
    /// A `NUMERIC` percentage read as [`apq_domain::Percent`].
    PercentColumn: ::diesel::sql_types::Numeric => apq_domain::Percent, rust_decimal::Decimal, apq_domain::Percent::from_decimal
);

domain_column!(
    /// A `TEXT` semester (`2009-S2`) read as [`apq_domain::Semester`].
    SemesterColumn: ::diesel::sql_types::Text => apq_domain::Semester, String, |raw: String| apq_domain::Semester::parse(&raw)
);

/// Declares a wrapper column type `$db` that diesel reads as `Nullable<$sql>` and turns into
/// `Option<$domain>`: SQL `NULL` is `None`, any other value is parsed with `$parse` (a value the
/// domain refuses is a database error, never a silent `None`). Used with
/// `#[diesel(deserialize_as = ...)]` on a row field of type `Option<$domain>`.
macro_rules! nullable_domain_column {
    ($(#[$meta:meta])* $db:ident: $sql:ty => $domain:ty, $raw:ty, $parse:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $db(pub Option<$domain>);

        impl ::diesel::deserialize::FromSql<::diesel::sql_types::Nullable<$sql>, ::diesel::pg::Pg>
            for $db
        {
            fn from_sql(value: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let raw = <$raw as ::diesel::deserialize::FromSql<$sql, ::diesel::pg::Pg>>::from_sql(value)?;
                Ok(Self(Some($parse(raw)?)))
            }

            fn from_nullable_sql(
                value: Option<::diesel::pg::PgValue<'_>>,
            ) -> ::diesel::deserialize::Result<Self> {
                match value {
                    None => Ok(Self(None)),
                    Some(value) => Self::from_sql(value),
                }
            }
        }

        impl ::diesel::deserialize::Queryable<::diesel::sql_types::Nullable<$sql>, ::diesel::pg::Pg>
            for $db
        {
            type Row = Self;
            fn build(row: Self) -> ::diesel::deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl From<$db> for Option<$domain> {
            fn from(column: $db) -> Self {
                column.0
            }
        }
    };
}

domain_column!(
    /// A `TEXT` CUP read as [`apq_domain::Cup`] (surrounding blanks ignored).
    CupColumn: ::diesel::sql_types::Text => apq_domain::Cup, String, |raw: String| apq_domain::Cup::parse(raw.trim())
);

nullable_domain_column!(
    /// A nullable `TEXT` CUP read as `Option<apq_domain::Cup>` (surrounding blanks ignored).
    NullableCupColumn: ::diesel::sql_types::Text => apq_domain::Cup, String, |raw: String| apq_domain::Cup::parse(raw.trim())
);

nullable_domain_column!(
    /// A nullable `NUMERIC` percentage read as `Option<apq_domain::Percent>`.
    NullablePercentColumn: ::diesel::sql_types::Numeric => apq_domain::Percent, rust_decimal::Decimal, apq_domain::Percent::from_decimal
);
