//! String-valued enums that stay decodable when the API adds a value.
//!
//! The API's sets of limit intervals, data regions, budget scopes, budget reset intervals and
//! content filter actions are open: a value this version does not know decodes into `Unknown(text)` instead of
//! failing the whole response.

/// Declares an open string enum with `as_str`, `From<&str>`, `From<String>` and `Display`.
///
/// A macro, not a function: it declares a type per use, with its own documented variants.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Unknown(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $( $text => Self::$variant, )+
                    _ => Self::Unknown(text),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    /// How often a key's spending limit resets (UTC).
    pub enum LimitReset {
        /// Every day.
        Daily => "daily",
        /// Every week (Monday to Sunday).
        Weekly => "weekly",
        /// Every month.
        Monthly => "monthly",
    }
}

open_enum! {
    /// A data region a key may send requests to.
    pub enum DataRegion {
        /// Anywhere.
        Global => "global",
        /// Europe only.
        Europe => "europe",
        /// The United States only.
        Us => "us",
    }
}

open_enum! {
    /// What a budget layer applies to.
    pub enum BudgetScope {
        /// The default budget of workspace members.
        WorkspaceDefaultMember => "workspace_default_member",
        /// The default budget of workspace keys.
        WorkspaceDefaultKey => "workspace_default_key",
        /// One member's budget.
        Member => "member",
        /// One key's budget.
        ApiKey => "api_key",
        /// The whole workspace's budget.
        Workspace => "workspace",
        /// The key's own spending limit.
        KeyLimit => "key_limit",
    }
}

open_enum! {
    /// How often a budget layer resets (UTC).
    pub enum BudgetResetInterval {
        /// Every day.
        Daily => "daily",
        /// Every week.
        Weekly => "weekly",
        /// Every month.
        Monthly => "monthly",
    }
}

open_enum! {
    /// What a guardrail's content filter does with a match.
    pub enum ContentFilterAction {
        /// Replaces the match with a placeholder.
        Redact => "redact",
        /// Refuses the request.
        Block => "block",
        /// Lets the request through and records the match.
        Flag => "flag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        assert_eq!(LimitReset::from("monthly"), LimitReset::Monthly);
        assert_eq!(
            LimitReset::from("yearly"),
            LimitReset::Unknown("yearly".into())
        );
        assert_eq!(LimitReset::from("yearly".to_string()).as_str(), "yearly");
        assert_eq!(DataRegion::from("europe").to_string(), "europe");
        assert_eq!(BudgetScope::from("key_limit"), BudgetScope::KeyLimit);
        assert_eq!(BudgetScope::from("team").as_str(), "team");
        assert_eq!(
            BudgetResetInterval::from("weekly"),
            BudgetResetInterval::Weekly
        );
        assert_eq!(
            BudgetResetInterval::from("hourly"),
            BudgetResetInterval::Unknown("hourly".into())
        );
    }
}
