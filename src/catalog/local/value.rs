//! One YAML document into a `serde_json::Value`, with a size budget.
//!
//! Why: aliases let a few hundred bytes describe billions of nodes. serde_yaml_ng stops alias
//! expansion after 100 jumps per event of the document, so padding a document with a long list
//! raises its limit: measured, a 2.6 MB "billion laughs" with padding grew past 22 GB. Without
//! aliases a document holds at most about one node and one byte of text per byte of its own
//! text, so twice that is refused: aliases may repeat, but not explode.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// How much a document may still produce.
pub(super) struct Budget {
    nodes: Cell<usize>,
    bytes: Cell<usize>,
}

impl Budget {
    /// The budget of a document of `len` bytes.
    pub(super) fn for_len(len: usize) -> Budget {
        let room = len.saturating_mul(2).saturating_add(4096);
        Budget {
            nodes: Cell::new(room),
            bytes: Cell::new(room),
        }
    }

    fn spend<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        match (
            self.nodes.get().checked_sub(1),
            self.bytes.get().checked_sub(bytes),
        ) {
            (Some(n), Some(b)) => {
                self.nodes.set(n);
                self.bytes.set(b);
                Ok(())
            }
            _ => Err(E::custom(EXPANDS)),
        }
    }
}

/// The message when the budget runs out (aliases are the only way to get there).
pub(super) const EXPANDS: &str = "aliases expand the document far beyond its size";

/// Read one document through `budget`.
pub(super) fn read<'de, D: Deserializer<'de>>(d: D, budget: &Budget) -> Result<Value, D::Error> {
    Node(budget).deserialize(d)
}

#[derive(Clone, Copy)]
struct Node<'a>(&'a Budget);

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.spend(0)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.spend(0)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.spend(0)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.spend(0)?;
        // NaN and infinities have no JSON form.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.spend(v.len())?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.0.spend(v.len())?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.spend(0)?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.spend(0)?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.spend(0)?;
        let mut obj = Map::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            let v = map.next_value_seed(self)?;
            if obj.contains_key(&key) {
                // YAML forbids it and Backstage refuses it; quietly keeping one would hide a
                // typo.
                let shown: String = key.chars().take(80).collect();
                return Err(de::Error::custom(format!("duplicate key {shown:?}")));
            }
            obj.insert(key, v);
        }
        Ok(Value::Object(obj))
    }

    /// A tagged value (`!Ref x`): the tag is dropped, the value kept.
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, variant): (de::IgnoredAny, _) = data.variant()?;
        de::VariantAccess::newtype_variant_seed(variant, self)
    }
}

/// A mapping key: JSON keys are text, so scalars become their text; collections are refused.
#[derive(Clone, Copy)]
struct Key<'a>(&'a Budget);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, number or boolean mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.0.spend(v.len())?;
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.0.spend(v.len())?;
        Ok(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.visit_string(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.visit_string(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.visit_string(v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        self.visit_string(v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        self.visit_string(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.visit_string(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        self.visit_str("null")
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (_tag, variant): (de::IgnoredAny, _) = data.variant()?;
        de::VariantAccess::newtype_variant_seed(variant, self)
    }
}
