//! Reading attribute values the way the framework's `TypedArray` does:
//! references resolve through resources.arsc, integers and booleans written
//! as strings are converted (`XmlUtils.convertValueToInt` / `...Boolean`).

use crate::arsc::ResourceTable;
use crate::axml::{Attribute, Element};
use crate::reader::Limits;
use crate::resvalue::Value;
use std::collections::BTreeMap;

/// `Build.VERSION_CODES.CUR_DEVELOPMENT`: the level a codename SDK gets.
pub const CUR_DEVELOPMENT: u32 = 10_000;

/// Attribute reader bound to an optional resource table.
pub(crate) struct Attrs<'a> {
    res: Option<&'a ResourceTable>,
    limits: &'a Limits,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(res: Option<&'a ResourceTable>, limits: &'a Limits) -> Self {
        Attrs { res, limits }
    }

    /// The value with references followed to their default-config value.
    fn resolved(&self, at: &Attribute) -> Option<Value> {
        match (&at.value, self.res) {
            (Value::Reference(id), Some(res)) if *id != 0 => res.resolve(*id, self.limits).value,
            (Value::Reference(_), None) => None,
            (Value::Null, _) => None,
            (v, _) => Some(v.clone()),
        }
    }

    /// A string view of the attribute: strings as they are, references
    /// resolved, other values printed like `TypedValue.coerceToString`.
    pub(crate) fn string(&self, at: &Attribute) -> Option<String> {
        match self.resolved(at)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// `android:<name>` of `el` as a string.
    pub(crate) fn str(&self, el: &Element, name: &str) -> Option<String> {
        el.android_attr(name).and_then(|at| self.string(at))
    }

    /// `android:<name>` of `el` as an integer.
    pub(crate) fn int(&self, el: &Element, name: &str) -> Option<i64> {
        let at = el.android_attr(name)?;
        match self.resolved(at)? {
            Value::String(s) => parse_int(&s),
            v => v.as_int(),
        }
    }

    /// `android:<name>` of `el` as a boolean.
    pub(crate) fn bool(&self, el: &Element, name: &str) -> Option<bool> {
        let at = el.android_attr(name)?;
        match self.resolved(at)? {
            Value::Bool(b) => Some(b),
            Value::String(s) => Some(matches!(s.as_str(), "true" | "TRUE" | "True" | "1")),
            v => v.as_int().map(|i| i != 0),
        }
    }

    /// Every locale's string for a label-like attribute (`""` = default).
    pub(crate) fn localized(&self, at: &Attribute) -> BTreeMap<String, String> {
        match (&at.value, self.res) {
            (Value::Reference(id), Some(res)) => res.string_by_locale(*id, self.limits),
            _ => self
                .string(at)
                .map(|s| BTreeMap::from([(String::new(), s)]))
                .unwrap_or_default(),
        }
    }

    /// A file resource (icon, xml) as its path inside the APK.
    pub(crate) fn file(&self, at: &Attribute) -> Option<String> {
        match (&at.value, self.res) {
            (Value::Reference(id), Some(res)) => res.file_path(*id).or_else(|| self.name(at)),
            _ => self.name(at),
        }
    }

    /// A reference printed as its resource name (`@style/Theme`), or the value.
    pub(crate) fn name(&self, at: &Attribute) -> Option<String> {
        match (&at.value, self.res) {
            (Value::Reference(id), Some(res)) => Some(
                res.name(*id)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| at.value.to_string()),
            ),
            (Value::Null, _) => None,
            (v, _) => Some(v.to_string()),
        }
    }
}

/// `XmlUtils.convertValueToInt`: optional sign, then `0x`/`#` hex, leading-0
/// octal, or decimal. Returns `None` for text that is not a number.
pub fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(h) = body.strip_prefix('#') {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(body.get(1..)?, 8).ok()?
    } else {
        body.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// The API level of a declared SDK value: a number, or a codename
/// (`"Q"`, `"VanillaIceCream"`), which Android treats as the in-development
/// level [`CUR_DEVELOPMENT`].
pub fn sdk_level(s: &str) -> u32 {
    parse_int(s)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(CUR_DEVELOPMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_like_xml_utils() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-0x10"), Some(-16));
        assert_eq!(parse_int("#ff"), Some(255));
        assert_eq!(parse_int("010"), Some(8));
        assert_eq!(parse_int("abc"), None);
        assert_eq!(sdk_level("21"), 21);
        assert_eq!(sdk_level("VanillaIceCream"), CUR_DEVELOPMENT);
    }
}
