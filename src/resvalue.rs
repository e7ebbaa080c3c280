//! `Res_value` (AOSP `ResourceTypes.h`): the typed value used by binary XML
//! attributes and by resources.arsc entries, decoded into [`Value`].
//!
//! The complex (dimension/fraction) encoding and the printed forms follow
//! the framework's `TypedValue.coerceToString` (e.g. `16.0dip`, `50.0%`,
//! `#ff00ff00`), so what fingertip prints matches what Android would show.

use crate::reader::{ReadResult, Reader};
use crate::stringpool::StringPool;
use serde::Serialize;

/// `Res_value::TYPE_NULL`.
pub const TYPE_NULL: u8 = 0x00;
/// `Res_value::TYPE_REFERENCE`.
pub const TYPE_REFERENCE: u8 = 0x01;
/// `Res_value::TYPE_ATTRIBUTE`.
pub const TYPE_ATTRIBUTE: u8 = 0x02;
/// `Res_value::TYPE_STRING`.
pub const TYPE_STRING: u8 = 0x03;
/// `Res_value::TYPE_FLOAT`.
pub const TYPE_FLOAT: u8 = 0x04;
/// `Res_value::TYPE_DIMENSION`.
pub const TYPE_DIMENSION: u8 = 0x05;
/// `Res_value::TYPE_FRACTION`.
pub const TYPE_FRACTION: u8 = 0x06;
/// `Res_value::TYPE_DYNAMIC_REFERENCE`.
pub const TYPE_DYNAMIC_REFERENCE: u8 = 0x07;
/// `Res_value::TYPE_DYNAMIC_ATTRIBUTE`.
pub const TYPE_DYNAMIC_ATTRIBUTE: u8 = 0x08;
/// `Res_value::TYPE_INT_DEC`.
pub const TYPE_INT_DEC: u8 = 0x10;
/// `Res_value::TYPE_INT_HEX`.
pub const TYPE_INT_HEX: u8 = 0x11;
/// `Res_value::TYPE_INT_BOOLEAN`.
pub const TYPE_INT_BOOLEAN: u8 = 0x12;
/// `Res_value::TYPE_INT_COLOR_ARGB8` (first of the four color types).
pub const TYPE_INT_COLOR_ARGB8: u8 = 0x1c;
/// `Res_value::TYPE_INT_COLOR_RGB4` (last of the four color types).
pub const TYPE_INT_COLOR_RGB4: u8 = 0x1f;

/// The raw 8-byte `Res_value` as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawValue {
    /// `dataType`.
    pub data_type: u8,
    /// `data`.
    pub data: u32,
}

impl RawValue {
    /// Reads a `Res_value` (size u16, res0 u8, dataType u8, data u32).
    /// The declared `size` is ignored as Android does (it is always 8).
    pub fn read(r: &mut Reader<'_>) -> ReadResult<RawValue> {
        let _size = r.u16()?;
        let _res0 = r.u8()?;
        let data_type = r.u8()?;
        let data = r.u32()?;
        Ok(RawValue { data_type, data })
    }

    /// Decodes into a typed [`Value`], looking strings up in `pool`.
    pub fn decode(self, pool: &StringPool) -> Value {
        let d = self.data;
        match self.data_type {
            TYPE_NULL if d == 1 => Value::Empty,
            TYPE_NULL => Value::Null,
            TYPE_REFERENCE => Value::Reference(d),
            TYPE_ATTRIBUTE => Value::Attribute(d),
            TYPE_STRING => match pool.get(d) {
                Some(s) => Value::String(s),
                None => Value::Unknown {
                    data_type: self.data_type,
                    data: d,
                },
            },
            TYPE_FLOAT => Value::Float(f32::from_bits(d)),
            TYPE_DIMENSION => Value::Dimension {
                value: complex_to_float(d),
                unit: DIMENSION_UNITS
                    .get((d & 0xf) as usize)
                    .copied()
                    .unwrap_or("?"),
            },
            TYPE_FRACTION => Value::Fraction {
                value: complex_to_float(d) * 100.0,
                unit: if d & 0xf == 1 { "%p" } else { "%" },
            },
            TYPE_DYNAMIC_REFERENCE => Value::Reference(d),
            TYPE_DYNAMIC_ATTRIBUTE => Value::Attribute(d),
            TYPE_INT_DEC => Value::Int(d as i32),
            TYPE_INT_HEX => Value::Hex(d),
            TYPE_INT_BOOLEAN => Value::Bool(d != 0),
            TYPE_INT_COLOR_ARGB8..=TYPE_INT_COLOR_RGB4 => Value::Color(d),
            other => Value::Unknown {
                data_type: other,
                data: d,
            },
        }
    }
}

const DIMENSION_UNITS: [&str; 6] = ["px", "dip", "sp", "pt", "in", "mm"];

/// `TypedValue.complexToFloat`: 24-bit signed mantissa with one of four radixes.
pub fn complex_to_float(complex: u32) -> f32 {
    const RADIX_MULTS: [f32; 4] = [
        1.0 / 256.0,
        1.0 / 32768.0,
        1.0 / 8_388_608.0,
        1.0 / 2_147_483_648.0,
    ];
    let mantissa = (complex & 0xffff_ff00) as i32 as f32;
    let radix = ((complex >> 4) & 0x3) as usize;
    mantissa * RADIX_MULTS.get(radix).copied().unwrap_or(0.0)
}

/// A typed resource value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// `TYPE_NULL` with data 0: undefined.
    Null,
    /// `TYPE_NULL` with data 1: explicitly empty (`@empty`).
    Empty,
    /// A reference to another resource (`@0x7f040001`).
    Reference(u32),
    /// A reference to a theme attribute (`?0x01010000`).
    Attribute(u32),
    /// A string from the pool.
    String(String),
    /// An IEEE float.
    Float(f32),
    /// A dimension with its unit (`px`, `dip`, `sp`, `pt`, `in`, `mm`).
    Dimension {
        /// Magnitude.
        value: f32,
        /// Unit suffix.
        unit: &'static str,
    },
    /// A fraction in percent (`%` or `%p`).
    Fraction {
        /// Magnitude in percent.
        value: f32,
        /// `%` or `%p`.
        unit: &'static str,
    },
    /// A decimal integer.
    Int(i32),
    /// A hexadecimal integer (flags, for example).
    Hex(u32),
    /// A boolean.
    Bool(bool),
    /// A color as ARGB.
    Color(u32),
    /// A type this decoder does not know.
    Unknown {
        /// `dataType`.
        data_type: u8,
        /// `data`.
        data: u32,
    },
}

impl Value {
    /// The integer behind int-like values (int, hex, bool, color), as the
    /// framework's `getAttributeIntValue` would read it.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i64::from(*i)),
            Value::Hex(h) | Value::Color(h) => Some(i64::from(*h)),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// The string, for string values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The resource id, for references.
    pub fn as_reference(&self) -> Option<u32> {
        match self {
            Value::Reference(id) => Some(*id),
            _ => None,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Empty => f.write_str("@empty"),
            Value::Reference(0) => f.write_str("@null"),
            Value::Reference(id) => write!(f, "@0x{id:08x}"),
            Value::Attribute(id) => write!(f, "?0x{id:08x}"),
            Value::String(s) => f.write_str(s),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Dimension { value, unit } | Value::Fraction { value, unit } => {
                write!(f, "{value:?}{unit}")
            }
            Value::Int(i) => write!(f, "{i}"),
            Value::Hex(h) => write!(f, "0x{h:x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Color(c) => write!(f, "#{c:08x}"),
            Value::Unknown { data_type, data } => write!(f, "(type 0x{data_type:x})0x{data:x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(t: u8, d: u32) -> Value {
        RawValue {
            data_type: t,
            data: d,
        }
        .decode(&StringPool::default())
    }

    #[test]
    fn formats_like_typed_value() {
        assert_eq!(raw(TYPE_DIMENSION, 0x1001).to_string(), "16.0dip");
        assert_eq!(raw(TYPE_DIMENSION, 0x0e02).to_string(), "14.0sp");
        assert_eq!(raw(TYPE_FRACTION, 0x4000_0030).to_string(), "50.0%");
        assert_eq!(
            raw(TYPE_INT_COLOR_ARGB8, 0xff00ff00).to_string(),
            "#ff00ff00"
        );
        assert_eq!(raw(TYPE_INT_BOOLEAN, 0xffff_ffff), Value::Bool(true));
        assert_eq!(raw(TYPE_INT_DEC, 0xffff_ffff), Value::Int(-1));
        assert_eq!(raw(TYPE_REFERENCE, 0x7f04_0001).to_string(), "@0x7f040001");
        assert_eq!(
            raw(TYPE_STRING, 9),
            Value::Unknown {
                data_type: 3,
                data: 9
            }
        );
    }
}
