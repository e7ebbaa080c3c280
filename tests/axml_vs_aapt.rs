//! fingertip's binary XML decoder against `aapt dump xmltree`.
//!
//! For Debian's `framework-res.apk`, the project's fixture APKs and every APK
//! under `../shared/corpus/real`, every binary XML entry (the manifest,
//! layouts, `res/xml/*`, ...) is decoded by both and compared item by item:
//! element names, nesting and line numbers, attribute names (the pool
//! string, which is what aapt prints), resource ids, value types and data,
//! raw strings, text nodes and namespace declarations. Files aapt cannot dump
//! are skipped (and counted). Skips cleanly when aapt or the files are
//! absent.
//!
//! Known, legitimate differences, folded into the comparison:
//!
//! - For `TYPE_STRING` aapt prints the *raw* string (`getAttributeStringValue`
//!   reads `rawValue`), not the typed one; Android's `TypedArray` uses the
//!   typed one, and so does [`fingertip::axml::Attribute::value`]. The
//!   comparison therefore renders our `raw_value` there, and separately
//!   counts attributes whose typed string differs from the raw one.
//! - aapt turns strings into C strings, so it shows them cut at the first NUL;
//!   our rendering cuts them too.
//! - `TYPE_DYNAMIC_REFERENCE`/`TYPE_DYNAMIC_ATTRIBUTE` (0x07/0x08, shared
//!   libraries): aapt prints them as plain references after mapping the
//!   build-time package id through the dynamic reference table, and package
//!   0x00 (the library itself) gets whatever id the loader assigned (0x02
//!   under aapt; on a device, the id the library is loaded at). We keep the
//!   stored id; the comparison masks the package byte when it is 0x00, and
//!   accepts aapt's `(type 0x7)0x...` form where aapt could not map the
//!   package (a library it was not given).
//! - aapt's namespace prefixes come from the namespaces in scope; we use the
//!   first declaration of the URI anywhere in the document.
//!
//! Each compared document's [`fingertip::axml::to_xml`] text is also read
//! back with quick-xml and checked against the decoded tree (element names,
//! canonical attribute names, namespace URIs through the declared prefixes,
//! values as printed), so the text output agrees with aapt transitively.
//!
//! Set `FINGERTIP_AAPT_VERBOSE=1` to print every disagreement.

use fingertip::axml::{self, Attribute, Element, Node, XmlDocument, ANDROID_NS};
use fingertip::reader::Limits;
use fingertip::resvalue::Value;
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const FRAMEWORK_RES: &str = "/usr/share/android-framework-res/framework-res.apk";
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");
const BATCH: usize = 150;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Element {
        depth: usize,
        name: String,
        line: u32,
    },
    Attr {
        depth: usize,
        text: String,
    },
    Text {
        depth: usize,
        text: String,
    },
}

fn aapt_available() -> bool {
    Command::new("aapt")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn apks() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if Path::new(FRAMEWORK_RES).exists() {
        out.push(PathBuf::from(FRAMEWORK_RES));
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apks");
    collect_apks(&fixtures, &mut out);
    collect_apks(Path::new(CORPUS), &mut out);
    out
}

fn collect_apks(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_apks(&p, out);
        } else if p.extension().is_some_and(|e| e == "apk") {
            out.push(p);
        }
    }
}

/// Binary XML entries of an APK (by the `zip` crate), or `None` when the
/// archive cannot be read that way.
fn xml_entries(apk: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    let file = std::fs::File::open(apk).ok()?;
    let mut zip = zip::ZipArchive::new(file).ok()?;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for i in 0..zip.len() {
        let Ok(mut f) = zip.by_index(i) else { continue };
        let Ok(name) = f.name().map(|n| n.to_string()) else {
            continue;
        };
        let wanted =
            name == "AndroidManifest.xml" || (name.starts_with("res/") && name.ends_with(".xml"));
        if !wanted || !seen.insert(name.clone()) || f.size() > 16 << 20 {
            continue;
        }
        let mut data = Vec::new();
        if f.read_to_end(&mut data).is_err() {
            continue;
        }
        if name != "AndroidManifest.xml" && !data.starts_with(&[3, 0]) {
            continue;
        }
        out.push((name, data));
    }
    Some(out)
}

/// `aapt dump xmltree` output for each asset (`None` where aapt failed).
fn aapt_dump(apk: &Path, names: &[String]) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(names.len());
    for batch in names.chunks(BATCH) {
        let outputs = Command::new("aapt")
            .args(["dump", "xmltree"])
            .arg(apk)
            .args(batch)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| split_documents(&String::from_utf8_lossy(&o.stdout)))
            .filter(|docs| docs.len() == batch.len());
        match outputs {
            Some(docs) => out.extend(docs.into_iter().map(Some)),
            None => {
                for name in batch {
                    let o = Command::new("aapt")
                        .args(["dump", "xmltree"])
                        .arg(apk)
                        .arg(name)
                        .output();
                    out.push(
                        o.ok()
                            .filter(|o| o.status.success() && !o.stdout.is_empty())
                            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned()),
                    );
                }
            }
        }
    }
    out
}

/// Splits concatenated dumps: each document starts at an unindented line.
fn split_documents(text: &str) -> Vec<String> {
    let mut docs: Vec<String> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') || docs.is_empty() {
            docs.push(String::new());
        }
        if let Some(d) = docs.last_mut() {
            d.push_str(line);
            d.push('\n');
        }
    }
    docs
}

/// Items and namespace declarations from aapt's text.
fn parse_aapt(text: &str) -> (Vec<Item>, Vec<(String, String)>) {
    let mut items = Vec::new();
    let mut namespaces = Vec::new();
    // (indent, is element)
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        while stack.last().is_some_and(|&(i, _)| i >= indent) {
            stack.pop();
        }
        let depth = stack.iter().filter(|(_, e)| *e).count();
        let Some((kind, rest)) = trimmed.split_once(": ") else {
            continue;
        };
        match kind {
            "N" => {
                if let Some((p, u)) = rest.split_once('=') {
                    namespaces.push((p.to_string(), u.to_string()));
                }
                stack.push((indent, false));
            }
            "E" => {
                let (name, line_no) = match rest.rsplit_once(" (line=") {
                    Some((n, l)) => (n, l.trim_end_matches(')').parse().unwrap_or(u32::MAX)),
                    None => (rest, u32::MAX),
                };
                items.push(Item::Element {
                    depth,
                    name: name.to_string(),
                    line: line_no,
                });
                stack.push((indent, true));
            }
            "A" => items.push(Item::Attr {
                depth,
                text: rest.to_string(),
            }),
            "C" => items.push(Item::Text {
                depth,
                text: rest.to_string(),
            }),
            _ => {}
        }
    }
    (items, namespaces)
}

/// aapt's `ResTable::normalizeForOutput` on a C string.
fn norm(s: &str) -> String {
    let s = s.split('\0').next().unwrap_or("");
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('"', "\\\"")
}

fn cstr(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

/// Our document rendered as aapt's items.
fn our_items(doc: &XmlDocument) -> Vec<Item> {
    let prefix = |uri: &Option<String>| -> String {
        match uri {
            None => String::new(),
            Some(u) => match doc.namespaces.iter().find(|n| &n.uri == u) {
                Some(n) => format!("{}:", cstr(&n.prefix)),
                None => format!("{}:", cstr(u)),
            },
        }
    };
    enum Step<'a> {
        Element(&'a Element, usize),
        Text(&'a str, usize),
    }
    let mut items = Vec::new();
    let mut stack = vec![Step::Element(&doc.root, 0)];
    while let Some(step) = stack.pop() {
        let (el, depth) = match step {
            Step::Text(t, depth) => {
                items.push(Item::Text {
                    depth,
                    text: format!("\"{}\"", norm(t)),
                });
                continue;
            }
            Step::Element(el, depth) => (el, depth),
        };
        items.push(Item::Element {
            depth,
            name: format!("{}{}", prefix(&el.namespace), norm(&el.name)),
            line: el.line,
        });
        for a in &el.attributes {
            let mut t = format!("{}{}", prefix(&a.namespace), cstr(&a.raw_name));
            if let Some(id) = a.resource_id {
                t.push_str(&format!("(0x{id:08x})"));
            }
            let raw = a.raw_value.as_deref().map(norm);
            match a.data_type {
                0 => t.push_str("=(null)"),
                1 => t.push_str(&format!("=@0x{:08x}", a.data)),
                2 => t.push_str(&format!("=?0x{:08x}", a.data)),
                7 | 8 => {
                    let sigil = if a.data_type == 7 { '@' } else { '?' };
                    if a.data >> 24 == 0 {
                        t.push_str(&format!("={sigil}0x??{:06x}", a.data));
                    } else {
                        t.push_str(&format!("={sigil}0x{:08x}", a.data));
                    }
                }
                3 => t.push_str(&format!("=\"{}\"", raw.clone().unwrap_or_default())),
                ty => t.push_str(&format!("=(type 0x{ty:x})0x{:x}", a.data)),
            }
            if let Some(r) = raw {
                t.push_str(&format!(" (Raw: \"{r}\")"));
            }
            items.push(Item::Attr {
                depth: depth + 1,
                text: t,
            });
        }
        for child in el.children.iter().rev() {
            stack.push(match child {
                Node::Element(e) => Step::Element(e, depth + 1),
                Node::Text(t) => Step::Text(t, depth + 1),
            });
        }
    }
    items
}

#[derive(Default)]
struct Tally {
    files: usize,
    agreed: usize,
    disagreed: Vec<String>,
    aapt_failed: usize,
    aapt_failed_we_parsed: Vec<String>,
    notable_anomalies: Vec<String>,
    xml_checked: usize,
    xml_failures: Vec<String>,
    zip_unreadable: Vec<String>,
    typed_differs_from_raw: usize,
    anomaly_codes: BTreeMap<&'static str, usize>,
    per_apk: BTreeMap<String, (usize, usize)>,
}

fn compare_apk(apk: &Path, t: &mut Tally, verbose: bool) {
    let Some(entries) = xml_entries(apk) else {
        t.zip_unreadable.push(apk.display().to_string());
        return;
    };
    let names: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    let dumps = aapt_dump(apk, &names);
    let limits = Limits::default();
    for ((name, data), dump) in entries.iter().zip(dumps) {
        let ours = axml::parse(data, &limits);
        let Some(dump) = dump else {
            t.aapt_failed += 1;
            if ours.is_ok() {
                t.aapt_failed_we_parsed
                    .push(format!("{}!{name}", apk.display()));
            }
            continue;
        };
        t.files += 1;
        let entry = t.per_apk.entry(apk.display().to_string()).or_default();
        entry.0 += 1;
        let (mut theirs, their_ns) = parse_aapt(&dump);
        let doc = match ours {
            Ok(doc) => doc,
            Err(e) => {
                t.disagreed
                    .push(format!("{}!{name}: we failed: {e}", apk.display()));
                continue;
            }
        };
        for a in &doc.anomalies {
            *t.anomaly_codes.entry(a.code).or_default() += 1;
            if a.code != "axml_attr_name_mismatch" {
                t.notable_anomalies.push(format!(
                    "{}!{name}: {} {}",
                    apk.display(),
                    a.code,
                    a.detail
                ));
            }
        }
        for el in doc.descendants() {
            for a in &el.attributes {
                if a.data_type == 3 && a.raw_value.as_deref() != a.value.as_str() {
                    t.typed_differs_from_raw += 1;
                }
            }
        }
        t.xml_checked += 1;
        if let Err(e) = check_xml_text(&doc) {
            t.xml_failures
                .push(format!("{}!{name}: {e}", apk.display()));
        }
        let mine = our_items(&doc);
        mask_runtime_packages(&mine, &mut theirs);
        let my_ns: Vec<(String, String)> = doc
            .namespaces
            .iter()
            .map(|n| (n.prefix.clone(), n.uri.clone()))
            .collect();
        let ns_ok = their_ns.iter().all(|n| my_ns.contains(n))
            && my_ns.iter().all(|n| their_ns.contains(n));
        if mine == theirs && ns_ok {
            t.agreed += 1;
            if let Some(e) = t.per_apk.get_mut(&apk.display().to_string()) {
                e.1 += 1;
            }
        } else {
            let diff = first_difference(&mine, &theirs);
            let msg = format!(
                "{}!{name}: {diff}{}",
                apk.display(),
                if ns_ok {
                    String::new()
                } else {
                    format!(" namespaces ours {my_ns:?} aapt {their_ns:?}")
                }
            );
            if verbose {
                eprintln!("DISAGREE {msg}");
            }
            t.disagreed.push(msg);
        }
    }
}

fn is_xml_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && cs.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}'))
}

fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        })
        .collect()
}

/// What `to_xml` should print for an attribute.
fn printed_value(a: &Attribute) -> String {
    match (&a.value, &a.raw_value) {
        (Value::Null, Some(raw)) => xml_chars(raw),
        (v, _) => xml_chars(&v.to_string()),
    }
}

/// Reads `to_xml(doc)` back and checks it against the tree.
fn check_xml_text(doc: &XmlDocument) -> Result<(), String> {
    let xml = axml::to_xml(doc);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let expected: Vec<&Element> = doc.descendants().collect();
    let mut prefixes: HashMap<String, String> = HashMap::new();
    let mut i = 0;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("not well-formed: {e}"))?;
        let e = match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => e,
            _ => continue,
        };
        let el = expected
            .get(i)
            .ok_or("more elements in the XML than in the tree")?;
        i += 1;
        let qname = e.name();
        let qname: &str = qname.as_ref();
        if is_xml_name(&el.name) && el.namespace.is_none() && qname != el.name {
            return Err(format!("element {qname} printed for {}", el.name));
        }
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| format!("bad attribute: {e}"))?;
            let key: &str = a.key.as_ref();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| format!("bad value: {e}"))?
                .into_owned();
            match key.strip_prefix("xmlns:") {
                Some(p) if i == 1 => {
                    prefixes.insert(p.to_string(), value);
                }
                _ => attrs.push((key.to_string(), value)),
            }
        }
        if attrs.len() != el.attributes.len() {
            return Err(format!(
                "<{}>: {} attributes printed, {} decoded",
                el.name,
                attrs.len(),
                el.attributes.len()
            ));
        }
        for ((key, value), a) in attrs.iter().zip(&el.attributes) {
            let (prefix, local) = match key.split_once(':') {
                Some((p, l)) => (Some(p), l),
                None => (None, key.as_str()),
            };
            let uri = prefix.map(|p| prefixes.get(p).cloned().unwrap_or_default());
            let want_uri = match a.canonical_name() {
                Some(_) => Some(ANDROID_NS.to_string()),
                None => a.namespace.clone().filter(|u| !u.is_empty()),
            };
            if uri != want_uri {
                return Err(format!("{key}: namespace {uri:?}, expected {want_uri:?}"));
            }
            if is_xml_name(&a.name) && local != a.name {
                return Err(format!("{key} printed for {}", a.name));
            }
            if *value != printed_value(a) {
                return Err(format!("{key}={value:?}, expected {:?}", printed_value(a)));
            }
        }
    }
    if i != expected.len() {
        return Err(format!("{i} elements printed, {} decoded", expected.len()));
    }
    Ok(())
}

/// Where we print a dynamic reference to package 0x00 as `@0x??......`,
/// masks the package byte aapt assigned at load time.
fn mask_runtime_packages(mine: &[Item], theirs: &mut [Item]) {
    for (m, t) in mine.iter().zip(theirs.iter_mut()) {
        let (Item::Attr { text: mt, .. }, Item::Attr { text: tt, .. }) = (m, t) else {
            continue;
        };
        for (unmapped, sigil) in [("=(type 0x7)0x", '@'), ("=(type 0x8)0x", '?')] {
            if let Some(i) = tt.find(unmapped) {
                let hex_start = i + unmapped.len();
                let hex_len = tt[hex_start..]
                    .find(|c: char| !c.is_ascii_hexdigit())
                    .unwrap_or(tt.len() - hex_start);
                if let Ok(v) = u32::from_str_radix(&tt[hex_start..hex_start + hex_len], 16) {
                    tt.replace_range(i..hex_start + hex_len, &format!("={sigil}0x{v:08x}"));
                }
            }
        }
        for sigil in ["=@0x??", "=?0x??"] {
            if let (Some(i), Some(j)) = (mt.find(sigil), tt.find(&sigil[..4])) {
                if i == j && tt.len() >= j + 6 {
                    tt.replace_range(j + 4..j + 6, "??");
                }
            }
        }
    }
}

fn first_difference(mine: &[Item], theirs: &[Item]) -> String {
    for (i, (a, b)) in mine.iter().zip(theirs).enumerate() {
        if a != b {
            return format!("item {i}: ours {a:?} / aapt {b:?}");
        }
    }
    format!("ours has {} items, aapt {}", mine.len(), theirs.len())
}

#[test]
fn agrees_with_aapt_dump_xmltree() {
    if !aapt_available() {
        eprintln!("note: aapt not installed; skipping the aapt comparison");
        return;
    }
    let apks = apks();
    if apks.is_empty() {
        eprintln!("note: no APKs found (framework-res, fixtures, corpus); skipping");
        return;
    }
    let verbose = std::env::var_os("FINGERTIP_AAPT_VERBOSE").is_some();
    let mut t = Tally::default();
    for apk in &apks {
        compare_apk(apk, &mut t, verbose);
    }
    let apks_compared = t.per_apk.len();
    let apks_all_agree = t.per_apk.values().filter(|(n, a)| n == a).count();
    eprintln!(
        "aapt comparison: {} APKs scanned, {} with documents compared ({} agree on every document); \
         {} documents compared, {} agree, {} disagree; {} documents aapt could not dump ({} of them decoded by us); \
         {} APKs the zip crate cannot read; {} string attributes whose typed value differs from the raw one",
        apks.len(),
        apks_compared,
        apks_all_agree,
        t.files,
        t.agreed,
        t.disagreed.len(),
        t.aapt_failed,
        t.aapt_failed_we_parsed.len(),
        t.zip_unreadable.len(),
        t.typed_differs_from_raw,
    );
    eprintln!("anomaly codes on compared documents: {:?}", t.anomaly_codes);
    for d in t.aapt_failed_we_parsed.iter().take(10) {
        eprintln!("  aapt failed, we decoded: {d}");
    }
    for d in t.notable_anomalies.iter().take(20) {
        eprintln!("  anomaly: {d}");
    }
    eprintln!(
        "to_xml text read back and checked against the tree: {} documents, {} failures",
        t.xml_checked,
        t.xml_failures.len()
    );
    for d in t.xml_failures.iter().take(20) {
        eprintln!("  to_xml: {d}");
    }
    for d in t.disagreed.iter().take(20) {
        eprintln!("  {d}");
    }
    assert!(
        t.disagreed.is_empty(),
        "{} documents disagree with aapt",
        t.disagreed.len()
    );
}
