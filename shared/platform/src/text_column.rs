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
#[macro_export]
macro_rules! db_text_enum {
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
