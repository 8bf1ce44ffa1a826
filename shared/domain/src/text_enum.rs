//! `text_enum!`: an enum stored as TEXT and sent as a snake_case string, with its parser.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not one of: {allowed}")]
pub struct UnknownVariant {
    pub value: String,
    pub allowed: &'static str,
}

/// Whether two texts are the same, in a constant (the check that a database enum and its
/// contract's enum name each variant alike).
pub const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Declares an enum whose variants have fixed text names:
///
/// ```
/// apq_domain::text_enum!(
///     /// The two sections of an atto.
///     Sezione { Attuativa = "attuativa", Programmatica = "programmatica" }
/// );
/// assert_eq!("attuativa".parse::<Sezione>(), Ok(Sezione::Attuativa));
/// assert_eq!(Sezione::Programmatica.as_str(), "programmatica");
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                match raw {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::UnknownVariant {
                        value: raw.to_owned(),
                        allowed: concat!($($text, " "),+),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
