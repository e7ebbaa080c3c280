//! Android binary XML ("AXML"): `AndroidManifest.xml`, compiled layouts and
//! `res/xml/*`, decoded into an [`XmlDocument`] tree.
//!
//! Spec: AOSP `ResourceTypes.h` (`ResXMLTree_header` = `RES_XML_TYPE`
//! 0x0003, then a `ResStringPool` 0x0001, a resource-id map 0x0180 and the
//! node chunks 0x0100–0x0104: `ResXMLTree_node {header, lineNumber,
//! comment}` followed by a namespace, `ResXMLTree_attrExt`, end-element or
//! CDATA extension) and the behaviour of its reader in `ResourceTypes.cpp`
//! (`ResXMLTree::setTo`, `ResXMLParser::nextNode`) as the framework's
//! `XmlBlock` and `TypedArray` use it.
//!
//! Android, not the spec, is the truth here:
//!
//! - An attribute *is* what its resource id says (`getAttributeNameResID`,
//!   from the resource map, index = the name's pool index), not what its
//!   pool name says; obfuscators rename or blank the pool strings and
//!   Android does not care. [`Attribute::name`] is the canonical name for
//!   known framework ids, [`Attribute::raw_name`] the pool string.
//! - `TypedArray` lookups walk attributes and wanted ids in one ascending
//!   merge, so an attribute whose id is not above every id before it in the
//!   element is invisible to Android; [`Element::android_attr`] models that.
//! - Typed values win over the `rawValue` string (Android ignores the raw
//!   string for everything read through `TypedArray`).
//! - End tags close whatever is open, whatever their name; once the root
//!   element is closed, the framework's parsers stop reading, so later
//!   elements are dropped (with an anomaly).
//!
//! Tolerated, each recorded as an [`Anomaly`] (codes are listed in
//! [`codes`]): a file header of the wrong type, size or header size, junk
//! between chunks (skipped by resynchronising on the next plausible chunk
//! header), chunk sizes running past the end (clamped to the bytes
//! present), unknown chunks, node header sizes below 16, attribute arrays
//! with non-standard `attributeStart`/`attributeSize` (used as given, like
//! Android: attribute *i* is at `attrExt + attributeStart + i *
//! attributeSize`) or lying counts, string indexes out of range (empty
//! name), unbalanced or mismatched end tags, unclosed elements at the end.
//! Several of these make Android itself reject the file; the anomaly detail
//! says so, and fingertip still shows what the bytes contain.
//!
//! Limits: at most [`Limits::max_xml_nodes`] elements and text nodes (and as
//! many attributes), at most [`Limits::max_xml_depth`] levels of nesting
//! (capped at [`HARD_MAX_DEPTH`]; deeper subtrees are dropped), and a
//! budget on the bytes of decoded strings so one huge string referenced a
//! million times cannot exhaust memory. The tree is built with an explicit
//! stack; [`to_xml`] and [`Element::descendants`] are iterative.

mod parse;
mod xml;

#[cfg(test)]
pub(crate) mod build;
#[cfg(test)]
mod tests;

use crate::reader::{Anomaly, Limits};
use crate::resvalue::Value;
use serde::Serialize;

pub use xml::{to_xml, to_xml_with};

/// The `android:` namespace URI.
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
/// The `app:` namespace URI used for library and app attributes.
pub const RES_AUTO_NS: &str = "http://schemas.android.com/apk/res-auto";
/// The `tools:` namespace URI.
pub const TOOLS_NS: &str = "http://schemas.android.com/tools";

/// Nesting depth kept whatever [`Limits::max_xml_depth`] says, so that the
/// derived (recursive) `Clone`, `Debug`, `Drop` and `Serialize` of
/// [`Element`] stay far from the stack limit, even on a 2 MiB test thread.
pub const HARD_MAX_DEPTH: usize = 1024;

/// Chunk type of the whole document (`RES_XML_TYPE`).
pub const RES_XML_TYPE: u16 = 0x0003;
/// `RES_XML_START_NAMESPACE_TYPE` (also `RES_XML_FIRST_CHUNK_TYPE`).
pub const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
/// `RES_XML_END_NAMESPACE_TYPE`.
pub const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
/// `RES_XML_START_ELEMENT_TYPE`.
pub const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
/// `RES_XML_END_ELEMENT_TYPE`.
pub const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
/// `RES_XML_CDATA_TYPE`.
pub const RES_XML_CDATA_TYPE: u16 = 0x0104;
/// `RES_XML_LAST_CHUNK_TYPE`: node chunk types run up to here.
pub const RES_XML_LAST_CHUNK_TYPE: u16 = 0x017f;
/// `RES_XML_RESOURCE_MAP_TYPE`.
pub const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;

/// Stable anomaly codes recorded by [`parse`].
pub mod codes {
    /// The first chunk is not `RES_XML_TYPE` (Android does not check; it
    /// only reads the sizes).
    pub const BAD_HEADER_TYPE: &str = "axml_bad_header_type";
    /// The document header's `headerSize` is below 8 or past the end.
    pub const BAD_HEADER_SIZE: &str = "axml_bad_header_size";
    /// The document header declares more bytes than the file has (Android
    /// rejects this; fingertip reads what is present).
    pub const SIZE_EXCEEDS_FILE: &str = "axml_size_exceeds_file";
    /// The document header declares fewer bytes than its own header and a
    /// chunk (Android rejects this; fingertip reads the whole file).
    pub const SIZE_TOO_SMALL: &str = "axml_size_too_small";
    /// Bytes after the end the document header declares (Android ignores
    /// them, and so does fingertip unless nothing else can be decoded).
    pub const TRAILING_DATA: &str = "axml_trailing_data";
    /// No document header: the file starts with the string pool.
    pub const MISSING_HEADER: &str = "axml_missing_header";
    /// A chunk header with impossible sizes; decoding resumed at the next
    /// plausible chunk (Android rejects the document).
    pub const BAD_CHUNK: &str = "axml_bad_chunk";
    /// A chunk whose size runs past the end of the document (clamped).
    pub const CHUNK_TRUNCATED: &str = "axml_chunk_truncated";
    /// A chunk size or header size that is not a multiple of 4 (Android
    /// rejects the document).
    pub const CHUNK_MISALIGNED: &str = "axml_chunk_misaligned";
    /// A chunk type binary XML does not define; skipped, as Android does.
    pub const UNKNOWN_CHUNK: &str = "axml_unknown_chunk";
    /// More than one string pool or resource map before the first node
    /// (Android uses the last one, and so does fingertip).
    pub const DUPLICATE_CHUNK: &str = "axml_duplicate_chunk";
    /// The string pool or resource map comes after the first node, where
    /// Android never looks for it; used anyway.
    pub const MISPLACED_CHUNK: &str = "axml_misplaced_chunk";
    /// The string pool chunk could not be read; another was used.
    pub const BAD_STRING_POOL: &str = "axml_bad_string_pool";
    /// A node whose header size is below 16 (Android rejects it); its
    /// extension is read at offset 16.
    pub const BAD_NODE_HEADER: &str = "axml_bad_node_header";
    /// A node chunk smaller than its header plus extension (Android rejects
    /// the document); the extension is read past the chunk.
    pub const NODE_TOO_SMALL: &str = "axml_node_too_small";
    /// A node whose extension runs past the end; skipped.
    pub const NODE_TRUNCATED: &str = "axml_node_truncated";
    /// A string index out of range of the pool (the string reads as empty,
    /// or the namespace as absent, as Android would see `NULL`).
    pub const BAD_STRING_INDEX: &str = "axml_bad_string_index";
    /// `attributeSize` below 20: attributes overlap (used as given).
    pub const ATTR_SIZE_SMALL: &str = "axml_attr_size_small";
    /// `attributeStart` other than 20 (used as given).
    pub const ATTR_START_NONSTANDARD: &str = "axml_attr_start_nonstandard";
    /// `attributeCount` says more attributes than the element's chunk holds
    /// (Android rejects the document); the ones that fit are kept.
    pub const ATTR_COUNT_TOO_LARGE: &str = "axml_attr_count_too_large";
    /// Pool names of framework attributes disagree with their resource id's
    /// canonical name (obfuscation); recorded once with a count.
    pub const ATTR_NAME_MISMATCH: &str = "axml_attr_name_mismatch";
    /// Attributes whose id is not above every id before them in the
    /// element: Android's `TypedArray` lookup never sees them (unsorted or
    /// duplicated attributes); recorded once with a count.
    pub const ATTR_HIDDEN: &str = "axml_attr_hidden_from_android";
    /// `android:` attributes without a resource id (Android's `TypedArray`
    /// ignores them; fingertip matches them by name); once, with a count.
    pub const ATTR_WITHOUT_ID: &str = "axml_android_attr_without_id";
    /// A string attribute whose `rawValue` string differs from its typed
    /// string; the typed value is what Android uses. Once, with a count.
    pub const RAW_VALUE_MISMATCH: &str = "axml_raw_value_mismatch";
    /// An end tag with no open element.
    pub const UNBALANCED_END: &str = "axml_unbalanced_end";
    /// An end tag whose name differs from the open element (it closes it
    /// anyway, as on Android).
    pub const END_TAG_MISMATCH: &str = "axml_end_tag_mismatch";
    /// Elements still open at the end of the document (closed implicitly).
    pub const UNCLOSED_ELEMENTS: &str = "axml_unclosed_elements";
    /// An element after the root element was closed (Android's parsers have
    /// stopped reading by then; dropped).
    pub const MULTIPLE_ROOTS: &str = "axml_multiple_roots";
    /// More end-namespace than start-namespace nodes.
    pub const UNBALANCED_NAMESPACE: &str = "axml_unbalanced_namespace";
    /// Elements nested deeper than the depth limit (subtree dropped).
    pub const DEPTH_LIMIT: &str = "axml_depth_limit";
    /// More elements/text nodes/attributes than the node limit (the rest
    /// of the document is dropped).
    pub const NODE_LIMIT: &str = "axml_node_limit";
    /// Decoded strings exceeded their byte budget (the rest read as empty).
    pub const STRING_BUDGET: &str = "axml_string_budget";
    /// Followed by other anomalies of the same code that were not listed.
    pub const MORE: &str = "axml_more_anomalies";
}

/// Why a document could not be decoded at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxmlError {
    /// No bytes.
    #[error("binary XML is empty (offset 0x0)")]
    Empty,
    /// The first chunk is not `RES_XML_TYPE` and no element was found
    /// (e.g. a plain-text XML file).
    #[error("not binary XML: chunk type {found:#06x} at offset 0x0 is not RES_XML_TYPE and no element was found")]
    NotBinaryXml {
        /// The type found at offset 0 (first two bytes, little-endian).
        found: u16,
    },
    /// No string pool could be read.
    #[error("binary XML has no readable string pool (scanned up to offset {offset:#x})")]
    NoStringPool {
        /// Where the scan stopped.
        offset: usize,
    },
    /// No start-element node.
    #[error("binary XML has no element (scanned up to offset {offset:#x})")]
    NoElement {
        /// Where the scan stopped.
        offset: usize,
    },
}

/// A decoded binary XML document.
#[derive(Debug, Clone, Serialize)]
pub struct XmlDocument {
    /// The root element (the first element; see the module docs).
    pub root: Element,
    /// Namespace declarations in document order, duplicates removed.
    pub namespaces: Vec<Namespace>,
    /// Everything that was tolerated.
    pub anomalies: Vec<Anomaly>,
}

impl XmlDocument {
    /// Every element, root first, in document order (iterative).
    pub fn descendants(&self) -> Descendants<'_> {
        self.root.descendants()
    }
}

/// A namespace declaration (`START_NAMESPACE` node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    /// Prefix as declared (may be empty or junk).
    pub prefix: String,
    /// Namespace URI.
    pub uri: String,
}

/// A child of an element.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (`CDATA` node).
    Text(String),
}

/// An element with its attributes and children.
#[derive(Debug, Clone, Serialize)]
pub struct Element {
    /// Namespace URI, when the element has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name from the string pool (empty if its index is out of range).
    pub name: String,
    /// Attributes in stored order.
    pub attributes: Vec<Attribute>,
    /// Child elements and text, in document order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
    /// `lineNumber` from the node header.
    pub line: u32,
}

/// One attribute of an element.
#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    /// Namespace URI (`None` when absent or its index is out of range,
    /// which is how Android sees it too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name as Android identifies the attribute: the canonical name for
    /// framework ids that [`crate::platform::attr_name`] knows, else the
    /// pool string.
    pub name: String,
    /// The name string actually in the pool (may be obfuscated junk).
    pub raw_name: String,
    /// Resource id from the resource map, when present and nonzero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<u32>,
    /// The `rawValue` string, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_value: Option<String>,
    /// The typed value (`typedValue`), which Android prefers; for
    /// `TYPE_STRING` the string.
    pub value: Value,
    /// `typedValue.dataType` as stored.
    #[serde(skip)]
    pub data_type: u8,
    /// `typedValue.data` as stored.
    #[serde(skip)]
    pub data: u32,
}

impl Attribute {
    /// True when the attribute is in the `android:` namespace URI.
    pub fn is_android_ns(&self) -> bool {
        self.namespace.as_deref() == Some(ANDROID_NS)
    }

    /// What `XmlPullParser.getAttributeValue` returns for this attribute
    /// (Android's name-based lookups, e.g. `package`): the `rawValue`
    /// string when there is one, else the typed value as text.
    pub fn parser_value(&self) -> String {
        match &self.raw_value {
            Some(s) => s.clone(),
            None => self.value.to_string(),
        }
    }

    /// The canonical framework name for this attribute's id, if it has one.
    pub fn canonical_name(&self) -> Option<&'static str> {
        self.resource_id.and_then(canonical_name)
    }
}

/// Canonical framework attribute name for `id` (framework package 0x01 only).
pub(crate) fn canonical_name(id: u32) -> Option<&'static str> {
    if id >> 24 == 0x01 {
        crate::platform::attr_name(id)
    } else {
        None
    }
}

impl Element {
    /// Child elements (text nodes skipped).
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements named `name`.
    pub fn elements_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// This element and all elements below it, in document order.
    pub fn descendants(&self) -> Descendants<'_> {
        Descendants { stack: vec![self] }
    }

    /// The direct text children, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
        }
        out
    }

    /// Attribute in the android namespace by canonical name, matched the
    /// way Android does.
    ///
    /// An attribute with a framework resource id is found by that id
    /// (whatever its pool name or namespace), and only if Android's
    /// `TypedArray` lookup would see it: `RetrieveAttributes` walks the
    /// element's attributes and the wanted ids in one ascending merge, so an
    /// attribute whose id is not above every id before it (unsorted or
    /// duplicate) is never matched; when the only match is such a hidden
    /// one, this returns `None`. Attributes without a known framework id are
    /// matched by namespace URI [`ANDROID_NS`] and pool name (Android's
    /// `TypedArray` would ignore them; aapt always assigns ids).
    pub fn android_attr(&self, name: &str) -> Option<&Attribute> {
        // Compare ids, not strings: this runs for every attribute query.
        self.android_attr_by_id(crate::platform::attr_id(name), name)
    }

    /// [`Element::android_attr`] with `name`'s framework id looked up
    /// beforehand (`target` must be `platform::attr_id(name)`), for callers
    /// asking for the same names on many elements.
    pub fn android_attr_by_id(&self, target: Option<u32>, name: &str) -> Option<&Attribute> {
        let mut max_before = 0u32;
        let mut hidden = false;
        for a in &self.attributes {
            let id = a.resource_id.unwrap_or(0);
            if id != 0 && target == Some(id) {
                if id > max_before {
                    return Some(a);
                }
                hidden = true;
            }
            max_before = max_before.max(id);
        }
        if hidden {
            return None;
        }
        self.attributes
            .iter()
            // Cheap string tests first; the framework-name lookup last.
            .find(|a| a.raw_name == name && a.is_android_ns() && a.canonical_name().is_none())
    }

    /// Attribute with no namespace by name (e.g. `package`,
    /// `platformBuildVersionCode`): the first one whose pool name matches,
    /// as `ResXMLParser::indexOfAttribute(NULL, name)` finds it.
    pub fn plain_attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.raw_name == name)
    }

    /// Attribute by namespace URI and pool name, first match, like
    /// `XmlPullParser.getAttributeValue(namespace, name)`.
    pub fn attr(&self, namespace: Option<&str>, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == namespace && a.raw_name == name)
    }
}

/// Iterator over an element and its descendants (see
/// [`Element::descendants`]).
#[derive(Debug, Clone)]
pub struct Descendants<'a> {
    stack: Vec<&'a Element>,
}

impl<'a> Iterator for Descendants<'a> {
    type Item = &'a Element;

    fn next(&mut self) -> Option<&'a Element> {
        let e = self.stack.pop()?;
        let start = self.stack.len();
        self.stack.extend(e.elements());
        if let Some(added) = self.stack.get_mut(start..) {
            added.reverse();
        }
        Some(e)
    }
}

/// Decodes one binary XML document.
///
/// Fails only when nothing useful remains: empty input, not binary XML at
/// all, no string pool, or no element. Everything else is tolerated and
/// recorded in [`XmlDocument::anomalies`].
pub fn parse(data: &[u8], limits: &Limits) -> Result<XmlDocument, AxmlError> {
    parse::parse(data, limits)
}
