//! The walk that finds every malformed member of a document at once, for `tolerant::decode`.
//!
//! serde stops at the first error, and what a `Deserialize` impl is handed (its seed, its
//! visitor) is consumed by one attempt, so a member that failed cannot be decoded again as
//! `None` within the same pass: without this walk, every malformed member would cost a whole
//! new decode of the document, and a page of 20,000 items each with a mistyped field would be
//! decoded 20,000 times. [`probe`] reads a `serde_json::Value` as a `T` in one pass, whatever
//! it finds: where a value cannot be what `T` asks for (a number where a string is wanted, an
//! integer out of range, text where an object is), it notes the value's path and hands `T` a
//! stand-in of the kind asked for (`0`, `""`, `false`, an empty list or map, an object whose
//! fields are all `null`), so that the walk goes on to the end of the document. The decoded
//! value is thrown away; the paths noted are the members to drop before the real, strict
//! decode.
//!
//! Which values a type refuses is read from what it asks for, as serde_json's own `Value`
//! deserializer answers it (`deserialize_i64` refuses a fraction, a string and an integer
//! beyond `i64`; `deserialize_str` anything but a string; ...). A refusal the walk cannot
//! foresee (a type that checks the value itself, an enum) stops it there, and that place is
//! what it reports. Hand-written: no maintained crate decodes a typed value while collecting
//! every error (`serde_path_to_error` reports the first; `serde_with`'s `DefaultOnError`
//! must be written on each field and buffers each value on every decode, success included).

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Error, Value};
use std::cell::RefCell;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The member with this name of an object.
    Member(String),
    /// The item at this index of an array.
    Item(usize),
}

/// What one walk of a document found.
#[derive(Debug, Default)]
pub(crate) struct Probed {
    /// The path of every value the walk replaced by a stand-in, and of the place where it
    /// stopped, if it stopped at anything but a missing field.
    pub malformed: Vec<Vec<Step>>,
    /// Whether it stopped because an object lacks a field its type requires (an essential
    /// field, which no repair can bring back).
    pub missing_field: bool,
}

/// Walks `document` as a `T` once (see the module documentation).
pub(crate) fn probe<T: de::DeserializeOwned>(document: &Value) -> Probed {
    let notes = RefCell::new(Notes::default());
    let walk = Probe {
        value: document,
        place: Place {
            at: At::Root,
            notes: &notes,
            noting: true,
        },
    };
    // The value decoded, made partly of stand-ins, is of no use; an error was noted where it
    // arose.
    let _ = T::deserialize(walk);
    let Notes {
        mut malformed,
        stopped,
    } = notes.into_inner();
    let mut missing_field = false;
    if let Some(stop) = stopped {
        if stop.missing_field {
            missing_field = true;
        } else {
            malformed.push(stop.at);
        }
    }
    Probed {
        malformed,
        missing_field,
    }
}

/// Where a value sits: a chain of borrowed steps, turned into a path only when noted.
#[derive(Clone, Copy)]
enum At<'p> {
    Root,
    Member(&'p At<'p>, &'p str),
    Item(&'p At<'p>, usize),
}

impl At<'_> {
    fn path(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut at = self;
        loop {
            match at {
                At::Root => break,
                At::Member(parent, name) => {
                    steps.push(Step::Member((*name).to_string()));
                    at = parent;
                }
                At::Item(parent, index) => {
                    steps.push(Step::Item(*index));
                    at = parent;
                }
            }
        }
        steps.reverse();
        steps
    }
}

/// Where the walk stopped.
struct Stop {
    at: Vec<Step>,
    missing_field: bool,
}

#[derive(Default)]
struct Notes {
    malformed: Vec<Vec<Step>>,
    /// The innermost place an error arose: the first one noted, since an error is noted as
    /// it passes each level on its way out.
    stopped: Option<Stop>,
}

/// Stands in for a field a stand-in object lacks, and for a stand-in object's fields.
static NULL: Value = Value::Null;

/// Where a value of the walk is, and where what it finds is noted.
#[derive(Clone, Copy)]
struct Place<'p, 'n> {
    at: At<'p>,
    notes: &'n RefCell<Notes>,
    /// `false` inside a stand-in, whose own place is noted already.
    noting: bool,
}

impl<'n> Place<'_, 'n> {
    /// Notes the value here as malformed: it is replaced by a stand-in.
    fn malformed(&self) {
        if self.noting {
            self.notes.borrow_mut().malformed.push(self.at.path());
        }
    }

    /// Passes `result` on, noting that the walk stopped here if nothing deeper did.
    fn stop<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(error) = &result {
            let mut notes = self.notes.borrow_mut();
            if notes.stopped.is_none() {
                notes.stopped = Some(Stop {
                    at: self.at.path(),
                    // Inside a stand-in, the error is the stand-in's, not the document's.
                    missing_field: self.noting && error.to_string().starts_with("missing field"),
                });
            }
        }
        result
    }

    /// The place of a member or an item of the value here.
    fn child<'c>(&'c self, at: At<'c>) -> Place<'c, 'n> {
        Place {
            at,
            notes: self.notes,
            noting: self.noting,
        }
    }
}

/// A value of the document, read as whatever its target asks for.
struct Probe<'de, 'p, 'n> {
    value: &'de Value,
    place: Place<'p, 'n>,
}

impl<'de> Probe<'de, '_, '_> {
    fn malformed(&self) {
        self.place.malformed();
    }

    fn stop<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        self.place.stop(result)
    }

    /// The items of `items` as a sequence.
    fn seq<V: Visitor<'de>>(&self, items: &'de [Value], visitor: V) -> Result<V::Value, Error> {
        let seq = ProbeSeq {
            items: items.iter().enumerate(),
            place: self.place,
        };
        self.stop(visitor.visit_seq(seq))
    }

    /// The members `members` gives as a map.
    fn map<V, I>(&self, members: I, noting: bool, visitor: V) -> Result<V::Value, Error>
    where
        V: Visitor<'de>,
        I: Iterator<Item = (&'de str, &'de Value)>,
    {
        let map = ProbeMap {
            members,
            pending: None,
            place: Place {
                noting,
                ..self.place
            },
        };
        self.stop(visitor.visit_map(map))
    }

    /// A string read as text, or a stand-in `""`.
    fn text<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(text) => self.stop(visitor.visit_borrowed_str(text)),
            _ => {
                self.malformed();
                self.stop(visitor.visit_str(""))
            }
        }
    }
}

/// `deserialize_…` for an integer type: an integer within its range (read through `$read`,
/// `as_i64` or `as_u64`), or a stand-in 0.
macro_rules! integer {
    ($read:ident: $($method:ident => $visit:ident: $int:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let within = match self.value {
                Value::Number(n) => n.$read().and_then(|n| <$int>::try_from(n).ok()),
                _ => None,
            };
            let result = match within {
                Some(n) => visitor.$visit(n),
                None => {
                    self.malformed();
                    visitor.$visit(0)
                }
            };
            self.stop(result)
        }
    )*};
}

impl<'de> Deserializer<'de> for Probe<'de, '_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => self.stop(visitor.visit_unit()),
            Value::Bool(b) => self.stop(visitor.visit_bool(*b)),
            Value::Number(n) => self.stop(n.deserialize_any(visitor)),
            Value::String(text) => self.stop(visitor.visit_borrowed_str(text)),
            Value::Array(items) => self.seq(items, visitor),
            Value::Object(members) => self.map(
                members.iter().map(|(k, v)| (k.as_str(), v)),
                self.place.noting,
                visitor,
            ),
        }
    }

    integer!(
        as_i64:
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
    );

    integer!(
        as_u64:
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value.as_f64() {
            Some(n) => self.stop(visitor.visit_f64(n)),
            None => {
                self.malformed();
                self.stop(visitor.visit_f64(0.0))
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Bool(b) => self.stop(visitor.visit_bool(*b)),
            _ => {
                self.malformed();
                self.stop(visitor.visit_bool(false))
            }
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(text) => self.stop(visitor.visit_borrowed_str(text)),
            _ => {
                self.malformed();
                self.stop(visitor.visit_char(' '))
            }
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.text(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(text) => self.stop(visitor.visit_borrowed_str(text)),
            Value::Array(items) => self.seq(items, visitor),
            _ => {
                self.malformed();
                self.stop(visitor.visit_bytes(&[]))
            }
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => self.stop(visitor.visit_none()),
            _ => {
                let place = self.place;
                place.stop(visitor.visit_some(self))
            }
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if !self.value.is_null() {
            self.malformed();
        }
        self.stop(visitor.visit_unit())
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let place = self.place;
        place.stop(visitor.visit_newtype_struct(self))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => self.seq(items, visitor),
            _ => {
                self.malformed();
                self.seq(&[], visitor)
            }
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(members) => self.map(
                members.iter().map(|(k, v)| (k.as_str(), v)),
                self.place.noting,
                visitor,
            ),
            _ => {
                self.malformed();
                self.map(std::iter::empty(), false, visitor)
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(members) => self.map(
                members.iter().map(|(k, v)| (k.as_str(), v)),
                self.place.noting,
                visitor,
            ),
            // serde_json reads a struct from an array too, field by field.
            Value::Array(items) => self.seq(items, visitor),
            _ => {
                self.malformed();
                // Every field present and `null`: an optional one is `None`, a required one a
                // stand-in, so no field is missing.
                let nulls = fields.iter().map(|field| (*field, &NULL));
                self.map(nulls, false, visitor)
            }
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Read as serde_json reads it; a refusal stops the walk here.
        self.stop(self.value.deserialize_enum(name, variants, visitor))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.stop(visitor.visit_unit())
    }
}

/// The items of an array (or none, for a stand-in).
struct ProbeSeq<'de, 'p, 'n> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
    place: Place<'p, 'n>,
}

impl<'de> SeqAccess<'de> for ProbeSeq<'de, '_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((index, value)) = self.items.next() else {
            return Ok(None);
        };
        let item = Probe {
            value,
            place: self.place.child(At::Item(&self.place.at, index)),
        };
        seed.deserialize(item).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The members of an object, or of a stand-in.
struct ProbeMap<'de, 'p, 'n, I> {
    members: I,
    /// The value of the key last given.
    pending: Option<(&'de str, &'de Value)>,
    place: Place<'p, 'n>,
}

impl<'de, I> MapAccess<'de> for ProbeMap<'de, '_, '_, I>
where
    I: Iterator<Item = (&'de str, &'de Value)>,
{
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((name, value)) = self.members.next() else {
            return Ok(None);
        };
        self.pending = Some((name, value));
        seed.deserialize(BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((name, value)) = self.pending.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        let member = Probe {
            value,
            place: self.place.child(At::Member(&self.place.at, name)),
        };
        seed.deserialize(member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        id: String,
        n: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        data: Vec<Inner>,
        nested: Option<Inner>,
        flag: Option<bool>,
        ratio: Option<f64>,
        small: Option<i8>,
        any: Option<Value>,
    }

    fn member(name: &str) -> Step {
        Step::Member(name.to_string())
    }

    #[test]
    fn every_malformed_value_is_found_in_one_walk() {
        let document = json!({
            "data": [{"id": "a", "n": -1}, {"id": 7, "n": 2}, {"id": "c", "n": 1.5}],
            "nested": "text",
            "flag": "yes",
            "ratio": 2,
            "small": 300,
            "any": {"whatever": [1, "x"]}
        });
        let probed = probe::<Outer>(&document);
        assert!(!probed.missing_field);
        // In the document's order (serde_json keeps members sorted by name).
        assert_eq!(
            probed.malformed,
            vec![
                vec![member("data"), Step::Item(0), member("n")],
                vec![member("data"), Step::Item(1), member("id")],
                vec![member("data"), Step::Item(2), member("n")],
                vec![member("flag")],
                vec![member("nested")],
                vec![member("small")],
            ]
        );
    }

    #[test]
    fn a_missing_required_field_stops_the_walk_and_says_so() {
        let document = json!({"data": [{"n": 1}]});
        let probed = probe::<Outer>(&document);
        assert!(probed.missing_field);
    }
}
