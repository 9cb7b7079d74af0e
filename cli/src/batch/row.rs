//! A batch's rows: each row is one key to create, under an id the journal records it by.
//!
//! In the journal's `begin` record a row is `[id, spec]`, and every later record names its
//! row by id (`"row": "1"`), as earlier versions wrote them.

use crate::key_spec::KeySpec;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::hash::Hash;

/// What a row id must be: ordered (rows are reported in order), shown in messages, and
/// written in the journal.
pub trait RowId:
    Clone + Ord + Hash + fmt::Display + Serialize + DeserializeOwned + Send + Sync + 'static
{
}

impl<T> RowId for T where
    T: Clone + Ord + Hash + fmt::Display + Serialize + DeserializeOwned + Send + Sync + 'static
{
}

/// One row: its id and the key it makes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<Id> {
    pub id: Id,
    pub spec: KeySpec,
}

impl<Id: Serialize> Serialize for Row<Id> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.id, &self.spec).serialize(s)
    }
}

impl<'de, Id: Deserialize<'de>> Deserialize<'de> for Row<Id> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (id, spec) = <(Id, KeySpec)>::deserialize(d)?;
        Ok(Self { id, spec })
    }
}

/// A row of `bulk-create`'s CSV, numbered from 1 after the header line; written `"1"` in
/// the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowNumber(usize);

impl RowNumber {
    /// The row at this 0-based index among the records.
    pub fn at_index(index: usize) -> Self {
        Self(index + 1)
    }

    /// The row's line in the CSV file (the header is line 1).
    pub fn line(self) -> usize {
        self.0 + 1
    }
}

impl fmt::Display for RowNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for RowNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RowNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Self(n)),
            _ => Err(serde::de::Error::custom(format!(
                "row `{text}` is not a row number"
            ))),
        }
    }
}

/// The key a rotation replaces, by hash: the id of a `rotate` row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyHash(String);

impl KeyHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for KeyHash {
    fn from(hash: String) -> Self {
        Self(hash)
    }
}

impl fmt::Display for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_numbers_are_written_as_text_and_know_their_line() {
        let row = RowNumber::at_index(0);
        assert_eq!(serde_json::to_string(&row).unwrap(), "\"1\"");
        assert_eq!(row.line(), 2);
        assert_eq!(
            serde_json::from_str::<RowNumber>("\"12\"").unwrap(),
            RowNumber(12)
        );
        assert!(serde_json::from_str::<RowNumber>("\"0\"").is_err());
        assert!(serde_json::from_str::<RowNumber>("\"abc\"").is_err());
    }
}
