//! Hand-built documents, well-formed and broken the ways real files are.

use super::build::{put16, put32, words, wrap, Doc, A, NONE};
use super::codes;
use super::*;
use crate::resvalue::{
    TYPE_ATTRIBUTE, TYPE_DIMENSION, TYPE_FLOAT, TYPE_FRACTION, TYPE_INT_BOOLEAN,
    TYPE_INT_COLOR_ARGB8, TYPE_INT_DEC, TYPE_INT_HEX, TYPE_NULL, TYPE_REFERENCE,
};

const NAME: u32 = 0x0101_0003;
const LABEL: u32 = 0x0101_0001;
const EXPORTED: u32 = 0x0101_0010;
const VERSION_CODE: u32 = 0x0101_021b;
const MIN_SDK: u32 = 0x0101_020c;
const A_NS: Option<&str> = Some(ANDROID_NS);

fn limits() -> Limits {
    Limits::default()
}

fn codes_of(doc: &XmlDocument) -> Vec<&'static str> {
    doc.anomalies.iter().map(|a| a.code).collect()
}

/// A small but complete manifest.
fn manifest(utf8: bool) -> Doc {
    let mut d = Doc::new(&[
        ("versionCode", VERSION_CODE),
        ("minSdkVersion", MIN_SDK),
        ("label", LABEL),
        ("name", NAME),
        ("exported", EXPORTED),
    ]);
    d.utf8 = utf8;
    d.start_ns("android", ANDROID_NS);
    d.start(
        None,
        "manifest",
        &[
            A::typed(A_NS, "versionCode", TYPE_INT_DEC, 7),
            A::string(None, "package", "org.example.app"),
            A::typed(None, "platformBuildVersionCode", TYPE_INT_DEC, 34).with_raw("34"),
        ],
    );
    d.start(
        None,
        "uses-sdk",
        &[A::typed(A_NS, "minSdkVersion", TYPE_INT_DEC, 21)],
    );
    d.end(None, "uses-sdk");
    d.start(
        None,
        "application",
        &[A::typed(A_NS, "label", TYPE_REFERENCE, 0x7f0b_0001)],
    );
    d.start(
        None,
        "activity",
        &[
            A::string(A_NS, "name", ".MainActivity"),
            A::typed(A_NS, "exported", TYPE_INT_BOOLEAN, 0xffff_ffff),
        ],
    );
    d.end(None, "activity");
    d.end(None, "application");
    d.end(None, "manifest");
    d.end_ns("android", ANDROID_NS);
    d
}

#[test]
fn decodes_a_manifest_utf8_and_utf16() {
    for utf8 in [true, false] {
        let doc = parse(&manifest(utf8).build(), &limits()).unwrap();
        assert!(doc.anomalies.is_empty(), "{:?}", doc.anomalies);
        assert_eq!(
            doc.namespaces,
            vec![Namespace {
                prefix: "android".into(),
                uri: ANDROID_NS.into()
            }]
        );
        let root = &doc.root;
        assert_eq!(root.name, "manifest");
        assert_eq!(root.line, 2);
        assert_eq!(
            root.android_attr("versionCode").unwrap().value,
            Value::Int(7)
        );
        let pkg = root.plain_attr("package").unwrap();
        assert_eq!(pkg.value, Value::String("org.example.app".into()));
        assert_eq!(pkg.raw_value.as_deref(), Some("org.example.app"));
        assert_eq!(pkg.resource_id, None);
        assert_eq!(
            root.plain_attr("platformBuildVersionCode")
                .unwrap()
                .parser_value(),
            "34"
        );
        let names: Vec<&str> = root.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["uses-sdk", "application"]);
        let app = root.elements_named("application").next().unwrap();
        assert_eq!(
            app.android_attr("label").unwrap().value,
            Value::Reference(0x7f0b_0001)
        );
        let act = app.elements().next().unwrap();
        let name = act.android_attr("name").unwrap();
        assert_eq!(name.resource_id, Some(NAME));
        assert_eq!(name.namespace.as_deref(), Some(ANDROID_NS));
        assert_eq!(
            act.android_attr("exported").unwrap().value,
            Value::Bool(true)
        );
        assert_eq!(doc.descendants().count(), 4);
    }
}

#[test]
fn typed_values_of_every_kind() {
    let mut d = Doc::new(&[]);
    d.start(
        None,
        "x",
        &[
            A::typed(None, "float", TYPE_FLOAT, 1.5f32.to_bits()),
            A::typed(None, "dim", TYPE_DIMENSION, 0x1001),
            A::typed(None, "frac", TYPE_FRACTION, 0x4000_0030),
            A::typed(None, "color", TYPE_INT_COLOR_ARGB8, 0xff00_ff00),
            A::typed(None, "hex", TYPE_INT_HEX, 0x30),
            A::typed(None, "attr", TYPE_ATTRIBUTE, 0x0101_0000),
            A::typed(None, "null", TYPE_NULL, 0),
            A::typed(None, "empty", TYPE_NULL, 1),
            A::typed(None, "bool", TYPE_INT_BOOLEAN, 0),
            A::typed(None, "neg", TYPE_INT_DEC, u32::MAX),
        ],
    );
    d.end(None, "x");
    let doc = parse(&d.build(), &limits()).unwrap();
    let v = |n: &str| doc.root.plain_attr(n).unwrap().value.to_string();
    assert_eq!(v("float"), "1.5");
    assert_eq!(v("dim"), "16.0dip");
    assert_eq!(v("frac"), "50.0%");
    assert_eq!(v("color"), "#ff00ff00");
    assert_eq!(v("hex"), "0x30");
    assert_eq!(v("attr"), "?0x01010000");
    assert_eq!(v("null"), "");
    assert_eq!(v("empty"), "@empty");
    assert_eq!(v("bool"), "false");
    assert_eq!(v("neg"), "-1");
}

#[test]
fn obfuscated_attribute_names_resolve_by_id() {
    // Pool names blanked or scrambled, ids intact: Android still reads them.
    let mut d = Doc::new(&[("", NAME), ("zz", EXPORTED)]);
    d.start_ns("android", ANDROID_NS);
    d.start(
        None,
        "activity",
        &[
            A::string(A_NS, "", ".Main").with_name_index(0),
            A::typed(A_NS, "zz", TYPE_INT_BOOLEAN, 1).with_name_index(1),
        ],
    );
    d.end(None, "activity");
    d.end_ns("android", ANDROID_NS);
    let doc = parse(&d.build(), &limits()).unwrap();
    let name = doc.root.android_attr("name").unwrap();
    assert_eq!(name.name, "name");
    assert_eq!(name.raw_name, "");
    assert_eq!(name.value.as_str(), Some(".Main"));
    assert_eq!(doc.root.android_attr("exported").unwrap().raw_name, "zz");
    let mismatch: Vec<_> = doc
        .anomalies
        .iter()
        .filter(|a| a.code == codes::ATTR_NAME_MISMATCH)
        .collect();
    assert_eq!(mismatch.len(), 1);
    assert!(
        mismatch[0].detail.starts_with("2 "),
        "{}",
        mismatch[0].detail
    );
    let xml = to_xml(&doc);
    assert!(xml.contains(r#"android:name=".Main""#), "{xml}");
    assert!(xml.contains(r#"android:exported="true""#), "{xml}");
}

#[test]
fn id_wins_over_name_and_namespace() {
    // A pool name saying "name" with label's id is label, as on Android,
    // even in a foreign namespace.
    let mut d = Doc::new(&[("name", LABEL)]);
    d.start(
        None,
        "application",
        &[A::string(Some("urn:x"), "name", "L").with_name_index(0)],
    );
    d.end(None, "application");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert_eq!(
        doc.root.android_attr("label").unwrap().value.as_str(),
        Some("L")
    );
    assert!(doc.root.android_attr("name").is_none());
}

#[test]
fn unsorted_and_duplicate_attributes_are_hidden_like_typedarray() {
    let mut d = Doc::new(&[("exported", EXPORTED), ("name", NAME)]);
    d.start(
        None,
        "activity",
        &[
            A::typed(A_NS, "exported", TYPE_INT_BOOLEAN, 1),
            A::string(A_NS, "name", ".Hidden"),
            A::typed(A_NS, "exported", TYPE_INT_BOOLEAN, 0),
        ],
    );
    d.end(None, "activity");
    let doc = parse(&d.build(), &limits()).unwrap();
    // name (0x..03) after exported (0x..10): Android's merge walk misses it.
    assert!(doc.root.android_attr("name").is_none());
    // The first exported is the one Android reads.
    assert_eq!(
        doc.root.android_attr("exported").unwrap().value,
        Value::Bool(true)
    );
    assert!(codes_of(&doc).contains(&codes::ATTR_HIDDEN));
}

#[test]
fn android_attr_without_id_matches_by_name() {
    let mut d = Doc::new(&[]);
    d.start(None, "activity", &[A::string(A_NS, "name", ".NoId")]);
    d.end(None, "activity");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert_eq!(
        doc.root.android_attr("name").unwrap().value.as_str(),
        Some(".NoId")
    );
    assert_eq!(doc.root.android_attr("name").unwrap().resource_id, None);
    assert!(doc.root.plain_attr("name").is_none());
    assert_eq!(codes_of(&doc), [codes::ATTR_WITHOUT_ID]);
}

#[test]
fn typed_string_wins_over_raw_value() {
    let mut d = Doc::new(&[("name", NAME)]);
    let mut a = A::string(A_NS, "name", ".Real");
    a.raw = Some(".Decoy".into());
    d.start(
        None,
        "activity",
        &[a, A::typed(None, "n", TYPE_INT_DEC, 5).with_raw("junk")],
    );
    d.end(None, "activity");
    let doc = parse(&d.build(), &limits()).unwrap();
    let name = doc.root.android_attr("name").unwrap();
    assert_eq!(name.value.as_str(), Some(".Real"));
    assert_eq!(name.raw_value.as_deref(), Some(".Decoy"));
    assert_eq!(name.parser_value(), ".Decoy");
    // Android ignores the raw string of int types.
    assert_eq!(doc.root.plain_attr("n").unwrap().value, Value::Int(5));
    assert_eq!(codes_of(&doc), [codes::RAW_VALUE_MISMATCH]);
    assert!(to_xml(&doc).contains(r#"android:name=".Real""#));
}

#[test]
fn header_type_zero_and_junk_after_header() {
    let mut data = manifest(true).build();
    put16(&mut data, 0, 0x0000);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::BAD_HEADER_TYPE]);
    assert_eq!(doc.root.name, "manifest");

    // headerSize 12 with 4 junk bytes: Android honours it, so do we.
    let body = manifest(true).build();
    let mut data = body[..8].to_vec();
    data.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    data.extend_from_slice(&body[8..]);
    put16(&mut data, 2, 12);
    let n = data.len() as u32;
    put32(&mut data, 4, n);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::BAD_HEADER_SIZE]);
    assert_eq!(doc.root.elements().count(), 2);

    // headerSize 8 but junk follows: resynchronised.
    put16(&mut data, 2, 8);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::BAD_CHUNK]);
    assert_eq!(doc.root.elements().count(), 2);
}

#[test]
fn document_size_larger_or_smaller_than_file() {
    let good = manifest(true).build();
    let mut data = good.clone();
    put32(&mut data, 4, 0x10_0000);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::SIZE_EXCEEDS_FILE]);
    assert_eq!(doc.root.elements().count(), 2);

    // Trailing data Android ignores: an extra element after the end.
    let mut d = manifest(true);
    let (mut data, _) = d.layout();
    let declared = data.len();
    d.start(None, "hidden", &[]);
    let (extra, base) = d.layout();
    data.extend_from_slice(&extra[base + d.pos() - 56..]);
    put32(&mut data, 4, declared as u32);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::TRAILING_DATA]);
    assert!(doc.descendants().all(|e| e.name != "hidden"));

    // A declared size too small to hold anything: read the whole file.
    let mut data = good.clone();
    put32(&mut data, 4, 8);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::SIZE_TOO_SMALL]);
    // A declared size that cuts off every element: read on.
    let mut data = good;
    put32(&mut data, 4, 64);
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(doc.root.name, "manifest");
    assert!(codes_of(&doc).contains(&codes::TRAILING_DATA));
}

/// The manifest of [`manifest`] with the node-stream offsets of its
/// `<uses-sdk>` and `<activity>` start elements.
fn manifest_with_offsets() -> (Vec<u8>, usize, usize) {
    let d = manifest(true);
    let (data, base) = d.layout();
    // Nodes: ns (24), manifest (16+20+60), uses-sdk (16+20+20), end (24),
    // application (56), activity (16+20+40).
    let uses_sdk = base + 24 + 96;
    let activity = uses_sdk + 56 + 24 + 56;
    assert_eq!(&data[uses_sdk..uses_sdk + 2], &[2, 1]);
    assert_eq!(&data[activity..activity + 2], &[2, 1]);
    (data, uses_sdk, activity)
}

#[test]
fn truncated_file_closes_open_elements() {
    let (data, _, activity) = manifest_with_offsets();
    for end in [activity + 1, activity + 10, activity + 40, activity + 77] {
        let doc = parse(&data[..end], &limits()).unwrap();
        assert_eq!(doc.root.name, "manifest");
        assert!(
            codes_of(&doc).contains(&codes::UNCLOSED_ELEMENTS),
            "{end}: {:?}",
            doc.anomalies
        );
    }
    // Cut inside the activity's attributes: the whole ones are kept.
    let doc = parse(&data[..activity + 16 + 20 + 30], &limits()).unwrap();
    let act = doc.descendants().find(|e| e.name == "activity").unwrap();
    assert_eq!(act.attributes.len(), 1);
    assert!(codes_of(&doc).contains(&codes::ATTR_COUNT_TOO_LARGE));
    // Cut in the last node: everything is there.
    let doc = parse(&data[..data.len() - 1], &limits()).unwrap();
    assert_eq!(doc.descendants().count(), 4);
}

#[test]
fn zero_and_tiny_chunk_sizes_do_not_loop() {
    let (data, uses_sdk, _) = manifest_with_offsets();
    for size in [0u32, 4, 8, 15] {
        let mut bad = data.clone();
        put32(&mut bad, uses_sdk + 4, size);
        let doc = parse(&bad, &limits()).unwrap();
        assert!(
            codes_of(&doc).contains(&codes::BAD_CHUNK),
            "{size}: {:?}",
            doc.anomalies
        );
        assert_eq!(doc.root.name, "manifest");
        // Resynchronised on the next node: the rest of the tree survives.
        assert!(doc.descendants().any(|e| e.name == "activity"));
    }
    // A node whose header size is below 16.
    let mut bad = data.clone();
    put16(&mut bad, uses_sdk + 2, 8);
    let doc = parse(&bad, &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::BAD_NODE_HEADER]);
    assert_eq!(doc.descendants().count(), 4);
    // Zero-size string pool: resynchronised, but the pool is lost.
    let mut bad = data;
    put32(&mut bad, 12, 0);
    let doc = parse(&bad, &limits()).unwrap();
    assert!(codes_of(&doc).contains(&codes::BAD_CHUNK));
    assert_eq!(doc.root.name, "manifest");
}

#[test]
fn unknown_chunks_are_skipped() {
    let mut d = Doc::new(&[]);
    d.start(None, "a", &[]);
    d.raw(&words(&[0x0000_0777 | (8 << 16), 16, 0, 0]));
    d.raw(&words(&[0x0000_0105 | (16 << 16), 24, 0, 0, 0, 0]));
    d.start(None, "b", &[]);
    d.end(None, "b");
    d.end(None, "a");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::UNKNOWN_CHUNK, codes::UNKNOWN_CHUNK]);
    assert_eq!(doc.root.elements().count(), 1);
}

#[test]
fn unbalanced_and_mismatched_ends() {
    let mut d = Doc::new(&[]);
    d.end(None, "stray");
    d.end_ns("p", "urn:p");
    d.start(None, "root", &[]);
    d.start(None, "a", &[]);
    d.end(None, "b");
    d.start(None, "c", &[]);
    let doc = parse(&d.build(), &limits()).unwrap();
    let cs = codes_of(&doc);
    assert!(cs.contains(&codes::UNBALANCED_END));
    assert!(cs.contains(&codes::UNBALANCED_NAMESPACE));
    assert!(cs.contains(&codes::END_TAG_MISMATCH));
    assert!(cs.contains(&codes::UNCLOSED_ELEMENTS));
    let names: Vec<&str> = doc.root.elements().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
}

#[test]
fn content_after_the_root_closes_is_dropped() {
    let mut d = Doc::new(&[]);
    d.start(None, "manifest", &[]);
    d.end(None, "application"); // closes manifest, as Android's depth count does
    d.start(None, "application", &[]);
    d.end(None, "application");
    d.end(None, "manifest");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert_eq!(doc.root.name, "manifest");
    assert_eq!(doc.root.elements().count(), 0);
    let cs = codes_of(&doc);
    assert!(cs.contains(&codes::END_TAG_MISMATCH));
    assert!(cs.contains(&codes::MULTIPLE_ROOTS));
    assert!(cs.contains(&codes::UNBALANCED_END));
}

/// Rewrites the single start element of `d` with a custom attribute layout.
fn with_layout(start: u16, size: u16, count: u16, attrs: &[[u32; 5]], pad: usize) -> Vec<u8> {
    let mut d = Doc::new(&[("name", NAME), ("label", LABEL)]);
    d.s(ANDROID_NS);
    d.s("v");
    d.s("x");
    let mut ext = words(&[NONE, 4]);
    for v in [start, size, count, 0, 0, 0] {
        ext.extend_from_slice(&v.to_le_bytes());
    }
    ext.resize(ext.len() + usize::from(start).saturating_sub(20), 0xee);
    for a in attrs {
        let [ns, name, raw, ty, data] = *a;
        ext.extend_from_slice(&words(&[ns, name, raw, 0x0800 | (ty << 24), data]));
        ext.resize(ext.len() + pad, 0xee);
    }
    let mut node = words(&[0x0010_0102, (16 + ext.len()) as u32, 1, NONE]);
    node.extend_from_slice(&ext);
    d.raw(&node);
    d.end(None, "x");
    d.build()
}

#[test]
fn nonstandard_attribute_layouts_are_used_as_given() {
    let name = [2, 0, 3, 3, 3]; // android:name="v"
    let label = [2, 1, NONE, 0x10, 9]; // android:label=9
                                       // attributeStart 24 and attributeSize 24 with padding.
    let doc = parse(&with_layout(24, 24, 2, &[label, name], 4), &limits()).unwrap();
    assert_eq!(doc.root.attributes.len(), 2);
    assert_eq!(doc.root.android_attr("label").unwrap().value, Value::Int(9));
    let cs = codes_of(&doc);
    assert!(cs.contains(&codes::ATTR_START_NONSTANDARD));
    assert!(!cs.contains(&codes::ATTR_SIZE_SMALL));

    // attributeSize 0: every attribute is the first one.
    let doc = parse(&with_layout(20, 0, 500, &[name], 0), &limits()).unwrap();
    assert_eq!(doc.root.attributes.len(), 1);
    assert!(codes_of(&doc).contains(&codes::ATTR_SIZE_SMALL));

    // attributeSize 16: overlapping attributes, read like Android reads them.
    let doc = parse(&with_layout(20, 16, 2, &[label, name], 0), &limits()).unwrap();
    assert_eq!(doc.root.attributes.len(), 2);
    assert!(codes_of(&doc).contains(&codes::ATTR_SIZE_SMALL));

    // A count that lies.
    let doc = parse(&with_layout(20, 20, 1000, &[label, name], 0), &limits()).unwrap();
    assert_eq!(doc.root.attributes.len(), 2);
    assert!(codes_of(&doc).contains(&codes::ATTR_COUNT_TOO_LARGE));
}

#[test]
fn string_indexes_out_of_range() {
    let bad = 0x00ff_ffff;
    let doc = parse(
        &with_layout(20, 20, 1, &[[bad, bad, bad, 3, bad]], 0),
        &limits(),
    )
    .unwrap();
    let a = &doc.root.attributes[0];
    assert_eq!(a.name, "");
    assert_eq!(a.namespace, None);
    assert_eq!(a.raw_value, None);
    assert_eq!(
        a.value,
        Value::Unknown {
            data_type: 3,
            data: bad
        }
    );
    assert!(codes_of(&doc).contains(&codes::BAD_STRING_INDEX));
    assert!(to_xml(&doc).contains("_=\"(type 0x3)0xffffff\""));

    // Namespace with bad indexes and an element with a bad name.
    let mut d = Doc::new(&[]);
    d.raw(&words(&[0x0010_0100, 24, 1, NONE, bad, bad]));
    d.raw(&words(&[
        0x0010_0102,
        36,
        1,
        NONE,
        NONE,
        bad,
        0x0014_0014,
        0,
        0,
    ]));
    d.end(None, "x");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert_eq!(doc.root.name, "");
    assert!(doc.namespaces.is_empty());
    assert!(to_xml(&doc).contains("<_/>"));
}

#[test]
fn depth_limit_drops_deep_subtrees_and_deep_trees_are_safe() {
    let mut d = Doc::new(&[]);
    let depth = 2000;
    for i in 0..depth {
        d.start(None, "n", &[A::typed(None, "i", TYPE_INT_DEC, i)]);
    }
    for _ in 0..depth {
        d.end(None, "n");
    }
    d.start(None, "after", &[]);
    d.end(None, "after");
    let data = d.build();
    for max in [5usize, 512, usize::MAX] {
        let lim = Limits {
            max_xml_depth: max,
            ..Limits::default()
        };
        let doc = parse(&data, &lim).unwrap();
        let kept = doc.descendants().count();
        assert_eq!(kept, max.min(HARD_MAX_DEPTH));
        assert!(codes_of(&doc).contains(&codes::DEPTH_LIMIT));
        assert!(codes_of(&doc).contains(&codes::MULTIPLE_ROOTS));
        // Serialising, writing, cloning and dropping the deepest tree allowed
        // must not overflow a test thread's stack.
        let xml = to_xml(&doc);
        assert_eq!(xml.matches("<n ").count(), kept);
        let json = serde_json::to_string(&doc).unwrap();
        assert!(json.len() > kept);
        assert!(format!("{doc:?}").len() > kept);
        drop(doc.clone());
    }
}

#[test]
fn node_limit_stops_decoding() {
    let mut d = Doc::new(&[]);
    d.start(None, "root", &[]);
    for _ in 0..50 {
        d.start(None, "c", &[A::typed(None, "i", TYPE_INT_DEC, 1)]);
        d.end(None, "c");
    }
    d.end(None, "root");
    let lim = Limits {
        max_xml_nodes: 10,
        ..Limits::default()
    };
    let doc = parse(&d.build(), &lim).unwrap();
    assert_eq!(doc.root.elements().count(), 9);
    assert_eq!(codes_of(&doc), [codes::NODE_LIMIT]);
}

#[test]
fn floods_stay_linear_and_bounded() {
    // 20 000 distinct namespace declarations.
    let mut d = Doc::new(&[]);
    for i in 0..20_000 {
        d.start_ns(&format!("p{i}"), &format!("urn:{i}"));
    }
    d.start(None, "r", &[]);
    d.end(None, "r");
    let data = d.build();
    let doc = parse(&data, &limits()).unwrap();
    assert_eq!(doc.namespaces.len(), 20_000);

    // Elements of 65 535 overlapping one-byte-apart attributes: bounded by
    // the node limit, which attributes count against.
    let mut ext = words(&[NONE, 0]);
    for v in [20u16, 1, u16::MAX, 0, 0, 0] {
        ext.extend_from_slice(&v.to_le_bytes());
    }
    ext.resize(ext.len() + 65_560, 0xff);
    let mut node = words(&[0x0010_0102, (16 + ext.len()) as u32, 1, NONE]);
    node.extend_from_slice(&ext);
    let mut d = Doc::new(&[]);
    d.s("r");
    for _ in 0..3 {
        d.raw(&node);
    }
    let lim = Limits {
        max_xml_nodes: 20_000,
        ..Limits::default()
    };
    let doc = parse(&d.build(), &lim).unwrap();
    let attrs: usize = doc.descendants().map(|e| e.attributes.len()).sum();
    assert!(attrs <= 20_000, "{attrs}");
    let cs = codes_of(&doc);
    assert!(cs.contains(&codes::NODE_LIMIT));
    assert!(cs.contains(&codes::ATTR_SIZE_SMALL));
}

#[test]
fn errors_when_nothing_useful_remains() {
    assert_eq!(parse(&[], &limits()).unwrap_err(), AxmlError::Empty);
    let text = b"<?xml version=\"1.0\"?><manifest package=\"a\"/>";
    let err = parse(text, &limits()).unwrap_err();
    assert!(matches!(err, AxmlError::NotBinaryXml { found: 0x3f3c }));
    assert!(err.to_string().contains("offset 0x0"));
    assert!(matches!(
        parse(&[3, 0, 8], &limits()),
        Err(AxmlError::NoElement { .. })
    ));
    assert!(matches!(
        parse(&[7], &limits()),
        Err(AxmlError::NotBinaryXml { .. })
    ));

    // Nodes but no string pool.
    let mut d = Doc::new(&[]);
    d.start(None, "a", &[]);
    d.end(None, "a");
    let (data, base) = d.layout();
    let mut nopool = data[..8].to_vec();
    nopool.extend_from_slice(&data[base..]);
    let n = nopool.len() as u32;
    put32(&mut nopool, 4, n);
    let err = parse(&nopool, &limits()).unwrap_err();
    assert!(matches!(err, AxmlError::NoStringPool { .. }), "{err}");

    // A pool but no element.
    let mut d = Doc::new(&[]);
    d.start_ns("a", "urn:a");
    d.end_ns("a", "urn:a");
    let err = parse(&d.build(), &limits()).unwrap_err();
    assert!(matches!(err, AxmlError::NoElement { .. }), "{err}");
    assert!(err.to_string().contains("offset 0x"));
}

#[test]
fn headerless_document_and_misplaced_pool() {
    let data = manifest(true).build();
    let doc = parse(&data[8..], &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::MISSING_HEADER]);
    assert_eq!(doc.root.elements().count(), 2);

    // Pool after the nodes (Android never sees it; we still use it).
    let d = manifest(true);
    let (data, base) = d.layout();
    let pool = d.pool();
    let mut body = d.resmap_chunk();
    body.extend_from_slice(&data[base..]);
    body.extend_from_slice(&pool);
    let doc = parse(&wrap(&body), &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::MISPLACED_CHUNK]);
    assert_eq!(
        doc.root.android_attr("versionCode").unwrap().value,
        Value::Int(7)
    );

    // Two pools: Android uses the last before the first node.
    let mut other = Doc::new(&[]);
    other.s("zzzzzzzz");
    let mut body = other.pool();
    body.extend_from_slice(&data[8..]);
    let doc = parse(&wrap(&body), &limits()).unwrap();
    assert_eq!(codes_of(&doc), [codes::DUPLICATE_CHUNK]);
    assert_eq!(doc.root.name, "manifest");
}

#[test]
fn text_nodes_are_kept() {
    let mut d = Doc::new(&[]);
    d.start(None, "string", &[]);
    d.text("hello <world> & \u{1}bye");
    d.end(None, "string");
    d.text("outside");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert_eq!(doc.root.text(), "hello <world> & \u{1}bye");
    assert_eq!(doc.root.elements().count(), 0);
    let xml = to_xml(&doc);
    assert!(
        xml.contains("<string>hello &lt;world&gt; &amp; bye</string>"),
        "{xml}"
    );
    let json = serde_json::to_string(&doc.root).unwrap();
    assert!(
        json.contains(r#""children":["hello <world> & \u0001bye"]"#),
        "{json}"
    );
}

#[test]
fn xml_output_prefixes_and_escaping() {
    let mut d = Doc::new(&[("name", NAME)]);
    d.start_ns("a", ANDROID_NS); // obfuscated prefix: printed as android:
    d.start_ns("app", RES_AUTO_NS);
    d.start_ns("xmlfoo", "urn:foo");
    d.start_ns("android", "urn:fake-android");
    d.start(
        None,
        "manifest",
        &[
            A::string(A_NS, "name", "a\"b\nc\t<d>&\u{FFFF}"),
            A::string(A_NS, "name", "dup"),
            A::string(Some(RES_AUTO_NS), "layout_x", "1"),
            A::string(Some("urn:foo"), "f", "2"),
            A::string(Some("urn:undeclared"), "u", "3"),
            A::string(Some("urn:fake-android"), "g", "4"),
            A::string(None, "xmlns", "5"),
            A::string(None, "bad name", "6"),
        ],
    );
    d.end(None, "manifest");
    let doc = parse(&d.build(), &limits()).unwrap();
    let xml = to_xml(&doc);
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<manifest "),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(r#"xmlns:android="{ANDROID_NS}""#)),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(r#"xmlns:app="{RES_AUTO_NS}""#)),
        "{xml}"
    );
    assert!(
        xml.contains(r#"android:name="a&quot;b&#10;c&#9;&lt;d&gt;&amp;""#),
        "{xml}"
    );
    assert!(xml.contains(r#"android:name.dup2="dup""#), "{xml}");
    assert!(xml.contains(r#"app:layout_x="1""#), "{xml}");
    assert!(xml.contains(r#"xmlns:ns0="urn:foo" "#), "{xml}");
    assert!(xml.contains(r#"ns0:f="2""#), "{xml}");
    assert!(xml.contains(r#"ns1:g="4""#), "{xml}");
    assert!(xml.contains(r#"ns2:u="3""#), "{xml}");
    assert!(xml.contains(r#"xmlns:ns2="urn:undeclared""#), "{xml}");
    assert!(xml.contains(r#"_xmlns="5""#), "{xml}");
    assert!(xml.contains(r#"bad_name="6""#), "{xml}");
    // Well-formed: quick-xml reads it back with every name unique.
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                for a in e.attributes() {
                    a.unwrap();
                }
            }
            _ => {}
        }
    }
}

#[test]
fn resolver_overrides_values() {
    let doc = parse(&manifest(true).build(), &limits()).unwrap();
    let xml = to_xml(&doc);
    assert!(xml.contains(r#"android:label="@0x7f0b0001""#), "{xml}");
    let xml = to_xml_with(&doc, &|a| {
        (a.value.as_reference() == Some(0x7f0b_0001)).then(|| "@string/app_name".to_string())
    });
    assert!(xml.contains(r#"android:label="@string/app_name""#), "{xml}");
    assert!(
        xml.contains("<uses-sdk android:minSdkVersion=\"21\"/>"),
        "{xml}"
    );
    assert!(xml.contains("\n    <application"), "{xml}");
}

#[test]
fn many_anomalies_are_summarised() {
    let mut d = Doc::new(&[]);
    d.start(None, "r", &[]);
    for _ in 0..100 {
        d.raw(&words(&[0x0008_0999, 8]));
    }
    d.end(None, "r");
    let doc = parse(&d.build(), &limits()).unwrap();
    assert!(doc.anomalies.len() < 12);
    assert!(doc
        .anomalies
        .iter()
        .any(|a| a.code == codes::MORE && a.detail.contains("92 more")));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn mutated_documents_never_panic(
            muts in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12),
            cut in any::<usize>(),
            utf8 in any::<bool>(),
        ) {
            let mut data = manifest(utf8).build();
            for (at, v) in muts {
                let n = data.len();
                data[at % n] = v;
            }
            let keep = cut % (data.len() + 1);
            if let Ok(doc) = parse(&data[..keep], &Limits::default()) {
                let _ = to_xml(&doc);
            }
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(doc) = parse(&data, &Limits::default()) {
                let _ = to_xml(&doc);
            }
        }
    }
}
