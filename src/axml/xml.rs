//! Text XML out of an [`XmlDocument`], written with quick-xml.
//!
//! The output is always well-formed XML 1.0 whatever the input held:
//! namespace declarations go on the root with stable prefixes (`android`,
//! `app`, `tools`, the declared prefix when it is a valid name, else
//! `ns0`, `ns1`, ...), attribute and element names are the canonical ones
//! made into valid XML names, repeated attribute names get a `.dupN`
//! suffix, and characters XML 1.0 cannot carry (control characters other
//! than tab/newline/CR, U+FFFE, U+FFFF) are stripped. Written iteratively,
//! so depth costs heap, not stack.

use super::{Attribute, Element, Node, XmlDocument, ANDROID_NS, RES_AUTO_NS, TOOLS_NS};
use crate::resvalue::Value;
use quick_xml::events::attributes::Attribute as XmlAttr;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Readable, indented XML for `doc`, values printed with [`Value`]'s
/// `Display` (references as `@0x7f...`).
pub fn to_xml(doc: &XmlDocument) -> String {
    to_xml_with(doc, &|_| None)
}

/// Like [`to_xml`], but `resolve` may supply the printed value of an
/// attribute (e.g. `@string/app_name` for a reference); `None` falls back
/// to the default rendering.
pub fn to_xml_with(doc: &XmlDocument, resolve: &dyn Fn(&Attribute) -> Option<String>) -> String {
    let prefixes = Prefixes::new(doc);
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 4);
    // Writing into a Vec cannot fail; errors are ignored rather than unwrapped.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));

    enum Step<'a> {
        Open(&'a Element, bool),
        Close(String),
        Text(&'a str),
    }
    let mut stack = vec![Step::Open(&doc.root, true)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Open(el, is_root) => {
                let qname = prefixes.qualify(el.namespace.as_deref(), &el.name);
                let mut start = BytesStart::new(qname.as_str());
                if is_root {
                    for (prefix, uri) in &prefixes.declared {
                        let key = format!("xmlns:{prefix}");
                        start.push_attribute(XmlAttr {
                            key: QName(&key),
                            value: Cow::Owned(escape_attr(uri)),
                        });
                    }
                }
                push_attributes(&mut start, el, &prefixes, resolve);
                if el.children.is_empty() {
                    let _ = w.write_event(Event::Empty(start));
                } else {
                    let _ = w.write_event(Event::Start(start));
                    stack.push(Step::Close(qname));
                    for child in el.children.iter().rev() {
                        stack.push(match child {
                            Node::Element(e) => Step::Open(e, false),
                            Node::Text(t) => Step::Text(t),
                        });
                    }
                }
            }
            Step::Close(qname) => {
                let _ = w.write_event(Event::End(BytesEnd::new(qname)));
            }
            Step::Text(t) => {
                let _ = w.write_event(Event::Text(BytesText::new(&clean(t))));
            }
        }
    }
    let mut out = match String::from_utf8(w.into_inner()) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    out.push('\n');
    out
}

fn push_attributes(
    start: &mut BytesStart<'_>,
    el: &Element,
    prefixes: &Prefixes,
    resolve: &dyn Fn(&Attribute) -> Option<String>,
) {
    let mut seen: HashSet<String> = HashSet::new();
    for a in &el.attributes {
        let base = prefixes.qualify(attr_namespace(a), &a.name);
        let mut key = base.clone();
        let mut n = 2;
        while seen.contains(&key) {
            key = format!("{base}.dup{n}");
            n += 1;
        }
        let text = resolve(a).unwrap_or_else(|| default_value(a));
        start.push_attribute(XmlAttr {
            key: QName(&key),
            value: Cow::Owned(escape_attr(&text)),
        });
        seen.insert(key);
    }
}

/// The namespace an attribute is printed in: `android:` for attributes
/// Android identifies by a framework id, whatever their stored namespace.
fn attr_namespace(a: &Attribute) -> Option<&str> {
    if a.canonical_name().is_some() {
        Some(ANDROID_NS)
    } else {
        a.namespace.as_deref()
    }
}

/// The default printed value: the typed value, or the raw string when the
/// typed value is undefined.
fn default_value(a: &Attribute) -> String {
    match (&a.value, &a.raw_value) {
        (Value::Null, Some(raw)) => raw.clone(),
        (v, _) => v.to_string(),
    }
}

/// Namespace URI → prefix, and the declarations to put on the root.
struct Prefixes {
    by_uri: HashMap<String, String>,
    declared: Vec<(String, String)>,
}

impl Prefixes {
    fn new(doc: &XmlDocument) -> Self {
        // URIs in order: declared ones, then any used but never declared.
        let mut uris: Vec<&str> = Vec::new();
        let mut known: HashSet<&str> = HashSet::new();
        let mut declared_prefix: HashMap<&str, &str> = HashMap::new();
        for ns in &doc.namespaces {
            if known.insert(ns.uri.as_str()) {
                uris.push(&ns.uri);
                declared_prefix.insert(&ns.uri, &ns.prefix);
            }
        }
        for el in doc.descendants() {
            let used = el
                .namespace
                .as_deref()
                .into_iter()
                .chain(el.attributes.iter().filter_map(attr_namespace));
            for uri in used {
                if !uri.is_empty() && known.insert(uri) {
                    uris.push(uri);
                }
            }
        }

        let mut taken: HashSet<String> = HashSet::new();
        let mut by_uri: HashMap<String, String> = HashMap::new();
        // Well-known URIs first, so they keep their usual prefixes.
        for (uri, prefix) in [
            (ANDROID_NS, "android"),
            (RES_AUTO_NS, "app"),
            (TOOLS_NS, "tools"),
        ] {
            if known.contains(uri) {
                taken.insert(prefix.to_string());
                by_uri.insert(uri.to_string(), prefix.to_string());
            }
        }
        let mut counter = 0usize;
        let mut declared = Vec::with_capacity(uris.len());
        for uri in uris {
            let prefix = match by_uri.get(uri) {
                Some(p) => p.clone(),
                None => {
                    let wanted = declared_prefix
                        .get(uri)
                        .copied()
                        .filter(|p| is_ncname(p) && !p.to_ascii_lowercase().starts_with("xml"));
                    let p = match wanted {
                        Some(p) if !taken.contains(p) => p.to_string(),
                        _ => loop {
                            let p = format!("ns{counter}");
                            counter += 1;
                            if !taken.contains(&p) {
                                break p;
                            }
                        },
                    };
                    taken.insert(p.clone());
                    by_uri.insert(uri.to_string(), p.clone());
                    p
                }
            };
            declared.push((prefix, clean(uri).into_owned()));
        }
        Prefixes { by_uri, declared }
    }

    /// `prefix:name` (or just `name`), made a valid XML name.
    fn qualify(&self, namespace: Option<&str>, name: &str) -> String {
        let local = xml_name(name);
        match namespace
            .filter(|u| !u.is_empty())
            .and_then(|u| self.by_uri.get(u))
        {
            Some(prefix) => format!("{prefix}:{local}"),
            None if local == "xmlns" => "_xmlns".to_string(),
            None => local,
        }
    }
}

/// Whether `c` may appear in XML 1.0 at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` without the characters XML 1.0 cannot carry.
fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| xml_char(c)).collect())
    }
}

/// Escapes an attribute value, keeping tabs and newlines as character
/// references so attribute-value normalisation does not eat them.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_alphanumeric() || matches!(c, '-' | '.' | '\u{B7}')
}

fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// `s` made into a valid XML name without a colon (invalid characters become
/// `_`; an empty name becomes `_`).
fn xml_name(s: &str) -> String {
    if is_ncname(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 1);
    for (i, c) in s.chars().enumerate() {
        if i == 0 && !is_name_start(c) {
            out.push('_');
            if is_name_char(c) {
                out.push(c);
            }
        } else if is_name_char(c) {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_valid() {
        assert_eq!(xml_name("uses-permission"), "uses-permission");
        assert_eq!(xml_name(""), "_");
        assert_eq!(xml_name("1abc"), "_1abc");
        assert_eq!(xml_name("a b:c"), "a_b_c");
        assert_eq!(xml_name("-x"), "_-x");
        assert!(is_ncname("市民"));
    }

    #[test]
    fn invalid_chars_are_stripped() {
        assert_eq!(clean("a\u{1}b\u{FFFE}c\u{FFFF}\td"), "abc\td");
        assert_eq!(escape_attr("x\n\"<&\u{0}"), "x&#10;&quot;&lt;&amp;");
    }
}
