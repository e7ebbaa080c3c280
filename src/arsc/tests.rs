//! Unit tests over hand-built tables: a small builder writes the chunks
//! the way aapt/aapt2 do, including the encodings real files rarely carry
//! (sparse, 16-bit offsets, compact entries, short configs) and broken ones.

use super::*;
use crate::resvalue::{
    TYPE_DIMENSION, TYPE_INT_BOOLEAN, TYPE_INT_COLOR_ARGB8, TYPE_INT_DEC, TYPE_REFERENCE,
    TYPE_STRING,
};
use crate::stringpool::tests::build_pool;

const PKG: u32 = 0x7f;

fn id(t: u8, e: u16) -> u32 {
    (PKG << 24) | (u32::from(t) << 16) | u32::from(e)
}

/// How a type chunk stores its offsets.
#[derive(Clone, Copy, PartialEq)]
enum Enc {
    Dense,
    Offset16,
    Sparse,
}

/// One entry to write.
#[derive(Clone)]
enum Ent {
    /// Full entry + `Res_value`.
    Simple { key: u32, t: u8, d: u32 },
    /// `FLAG_COMPACT` entry.
    Compact { key: u16, t: u8, d: u32 },
    /// `FLAG_COMPLEX` entry with `(name, type, data)` items.
    Bag {
        key: u32,
        parent: u32,
        items: Vec<(u32, u8, u32)>,
    },
}

impl Ent {
    fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        match self {
            Ent::Simple { key, t, d } => {
                b.extend_from_slice(&8u16.to_le_bytes());
                b.extend_from_slice(&0u16.to_le_bytes());
                b.extend_from_slice(&key.to_le_bytes());
                push_value(&mut b, *t, *d);
            }
            Ent::Compact { key, t, d } => {
                b.extend_from_slice(&key.to_le_bytes());
                b.extend_from_slice(&((u16::from(*t) << 8) | FLAG_COMPACT).to_le_bytes());
                b.extend_from_slice(&d.to_le_bytes());
            }
            Ent::Bag { key, parent, items } => {
                b.extend_from_slice(&16u16.to_le_bytes());
                b.extend_from_slice(&FLAG_COMPLEX.to_le_bytes());
                b.extend_from_slice(&key.to_le_bytes());
                b.extend_from_slice(&parent.to_le_bytes());
                b.extend_from_slice(&(items.len() as u32).to_le_bytes());
                for (name, t, d) in items {
                    b.extend_from_slice(&name.to_le_bytes());
                    push_value(&mut b, *t, *d);
                }
            }
        }
        b
    }
}

fn push_value(b: &mut Vec<u8>, t: u8, d: u32) {
    b.extend_from_slice(&8u16.to_le_bytes());
    b.push(0);
    b.push(t);
    b.extend_from_slice(&d.to_le_bytes());
}

fn chunk(typ: u16, header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&((8 + header.len()) as u16).to_le_bytes());
    out.extend_from_slice(&((8 + header.len() + body.len()) as u32).to_le_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(body);
    out
}

/// A `ResTable_config` of `size` bytes with `f` applied to the full 64.
fn config_bytes(size: usize, f: impl FnOnce(&mut [u8; 64])) -> Vec<u8> {
    let mut b = [0u8; 64];
    f(&mut b);
    b[..4].copy_from_slice(&(size as u32).to_le_bytes());
    let mut v = b.to_vec();
    v.resize(size, 0);
    v
}

fn default_config() -> Vec<u8> {
    config_bytes(64, |_| {})
}

fn locale_config(lang: &[u8; 2], country: Option<&[u8; 2]>) -> Vec<u8> {
    config_bytes(64, |b| {
        b[8..10].copy_from_slice(lang);
        if let Some(c) = country {
            b[10..12].copy_from_slice(c);
        }
    })
}

fn density_config(d: u16, sdk: u16) -> Vec<u8> {
    config_bytes(64, |b| {
        b[14..16].copy_from_slice(&d.to_le_bytes());
        b[24..26].copy_from_slice(&sdk.to_le_bytes());
    })
}

fn spec(type_id: u8, count: u32) -> Vec<u8> {
    let mut h = vec![type_id, 0, 0, 0];
    h.extend_from_slice(&count.to_le_bytes());
    let mut body = Vec::new();
    for i in 0..count {
        let flags: u32 = if i == 0 { SPEC_PUBLIC } else { 0 };
        body.extend_from_slice(&flags.to_le_bytes());
    }
    chunk(RES_TABLE_TYPE_SPEC_TYPE, &h, &body)
}

fn type_chunk(type_id: u8, config: &[u8], count: u32, entries: &[(u16, Ent)], enc: Enc) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    let mut placed: Vec<(u16, u32)> = Vec::new();
    for (idx, e) in entries {
        placed.push((*idx, data.len() as u32));
        data.extend_from_slice(&e.bytes());
    }
    match enc {
        Enc::Dense => {
            for i in 0..count {
                let off = placed
                    .iter()
                    .find(|(x, _)| u32::from(*x) == i)
                    .map(|(_, o)| *o)
                    .unwrap_or(u32::MAX);
                offsets.extend_from_slice(&off.to_le_bytes());
            }
        }
        Enc::Offset16 => {
            for i in 0..count {
                let off = placed
                    .iter()
                    .find(|(x, _)| u32::from(*x) == i)
                    .map(|(_, o)| (*o / 4) as u16)
                    .unwrap_or(0xffff);
                offsets.extend_from_slice(&off.to_le_bytes());
            }
            while offsets.len() % 4 != 0 {
                offsets.push(0);
            }
        }
        Enc::Sparse => {
            for (idx, off) in &placed {
                offsets.extend_from_slice(&idx.to_le_bytes());
                offsets.extend_from_slice(&((*off / 4) as u16).to_le_bytes());
            }
        }
    }
    let flags = match enc {
        Enc::Dense => 0u8,
        Enc::Offset16 => 0x02,
        Enc::Sparse => 0x01,
    };
    let declared = if enc == Enc::Sparse {
        placed.len() as u32
    } else {
        count
    };
    let header_len = 8 + 12 + config.len();
    let mut h = vec![type_id, flags, 0, 0];
    h.extend_from_slice(&declared.to_le_bytes());
    h.extend_from_slice(&((header_len + offsets.len()) as u32).to_le_bytes());
    h.extend_from_slice(config);
    let mut body = offsets;
    body.extend_from_slice(&data);
    chunk(RES_TABLE_TYPE_TYPE, &h, &body)
}

struct PackageBuilder {
    id: u32,
    name: String,
    types: Vec<String>,
    keys: Vec<String>,
    chunks: Vec<Vec<u8>>,
}

impl PackageBuilder {
    fn new(id: u32, name: &str, types: &[&str], keys: &[&str]) -> Self {
        PackageBuilder {
            id,
            name: name.into(),
            types: types.iter().map(|s| s.to_string()).collect(),
            keys: keys.iter().map(|s| s.to_string()).collect(),
            chunks: Vec::new(),
        }
    }

    fn key(&self, k: &str) -> u32 {
        self.keys.iter().position(|x| x == k).expect("key") as u32
    }

    fn with(mut self, c: Vec<u8>) -> Self {
        self.chunks.push(c);
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let t: Vec<&str> = self.types.iter().map(|s| s.as_str()).collect();
        let k: Vec<&str> = self.keys.iter().map(|s| s.as_str()).collect();
        let type_pool = build_pool(&t, false);
        let key_pool = build_pool(&k, true);
        let mut h = Vec::new();
        h.extend_from_slice(&self.id.to_le_bytes());
        let mut name = [0u8; 256];
        for (i, u) in self.name.encode_utf16().take(127).enumerate() {
            name[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
        }
        h.extend_from_slice(&name);
        let header_len = 288u32;
        h.extend_from_slice(&header_len.to_le_bytes()); // typeStrings
        h.extend_from_slice(&(self.types.len() as u32).to_le_bytes());
        h.extend_from_slice(&(header_len + type_pool.len() as u32).to_le_bytes()); // keyStrings
        h.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes()); // typeIdOffset
        let mut body = type_pool;
        body.extend_from_slice(&key_pool);
        for c in &self.chunks {
            body.extend_from_slice(c);
        }
        chunk(RES_TABLE_PACKAGE_TYPE, &h, &body)
    }
}

fn table(strings: &[&str], packages: &[&PackageBuilder]) -> Vec<u8> {
    let mut body = build_pool(strings, true);
    for p in packages {
        body.extend_from_slice(&p.bytes());
    }
    chunk(
        RES_TABLE_TYPE,
        &(packages.len() as u32).to_le_bytes(),
        &body,
    )
}

fn parse_ok(data: &[u8]) -> ResourceTable {
    parse(data, &Limits::default()).expect("table parses")
}

fn codes(t: &ResourceTable) -> Vec<&'static str> {
    t.anomalies.iter().map(|a| a.code).collect()
}

const STRINGS: [&str; 8] = [
    "My App",
    "Mon appli",
    "我的应用",
    "res/layout/activity_main.xml",
    "res/drawable-hdpi/icon.png",
    "res/drawable-xxhdpi/icon.png",
    "res/drawable-anydpi-v26/icon.xml",
    "Hello",
];

/// string(1): app_name, greeting; layout(2): activity_main; drawable(3): icon.
fn app() -> (PackageBuilder, Vec<u8>) {
    let p = PackageBuilder::new(
        PKG,
        "com.example.app",
        &["string", "layout", "drawable"],
        &["app_name", "greeting", "activity_main", "icon"],
    );
    let (app_name, greeting, main, icon) = (
        p.key("app_name"),
        p.key("greeting"),
        p.key("activity_main"),
        p.key("icon"),
    );
    let s = |key: u32, d: u32| Ent::Simple {
        key,
        t: TYPE_STRING,
        d,
    };
    let p = p
        .with(spec(1, 2))
        .with(type_chunk(
            1,
            &default_config(),
            2,
            &[(0, s(app_name, 0)), (1, s(greeting, 7))],
            Enc::Dense,
        ))
        .with(type_chunk(
            1,
            &locale_config(b"fr", None),
            2,
            &[(0, s(app_name, 1))],
            Enc::Dense,
        ))
        .with(type_chunk(
            1,
            &locale_config(b"zh", Some(b"CN")),
            2,
            &[(0, s(app_name, 2))],
            Enc::Dense,
        ))
        .with(spec(2, 1))
        .with(type_chunk(
            2,
            &default_config(),
            1,
            &[(0, s(main, 3))],
            Enc::Dense,
        ))
        .with(spec(3, 1))
        .with(type_chunk(
            3,
            &density_config(240, 0),
            1,
            &[(0, s(icon, 4))],
            Enc::Dense,
        ))
        .with(type_chunk(
            3,
            &density_config(480, 0),
            1,
            &[(0, s(icon, 5))],
            Enc::Dense,
        ))
        .with(type_chunk(
            3,
            &density_config(config::DENSITY_ANY, 26),
            1,
            &[(0, s(icon, 6))],
            Enc::Dense,
        ));
    let bytes = table(&STRINGS, &[&p]);
    (p, bytes)
}

#[test]
fn names_values_and_locales() {
    let (_, bytes) = app();
    let t = parse_ok(&bytes);
    assert!(t.anomalies.is_empty(), "{:?}", t.anomalies);
    assert_eq!(t.packages.len(), 1);
    assert_eq!(t.packages[0].name, "com.example.app");
    let app_name = id(1, 0);
    let name = t.name(app_name).unwrap();
    assert_eq!(name.to_string(), "@string/app_name");
    assert_eq!(name.full(), "com.example.app:string/app_name");
    assert_eq!(t.id_of("string", "app_name"), Some(app_name));
    assert_eq!(t.id_of("layout", "activity_main"), Some(id(2, 0)));
    assert_eq!(t.id_of("layout", "nope"), None);
    let limits = Limits::default();
    assert_eq!(
        t.resolve_string(app_name, &limits).as_deref(),
        Some("My App")
    );
    let vals = t.values(app_name);
    let quals: Vec<String> = vals.iter().map(|(c, _)| c.qualifiers()).collect();
    assert_eq!(quals, ["", "fr", "zh-rCN"]);
    let by_locale = t.string_by_locale(app_name, &limits);
    assert_eq!(by_locale.get("").map(String::as_str), Some("My App"));
    assert_eq!(by_locale.get("fr").map(String::as_str), Some("Mon appli"));
    assert_eq!(by_locale.get("zh-CN").map(String::as_str), Some("我的应用"));
    assert_eq!(by_locale.len(), 3);
    // untranslated string: only the default
    assert_eq!(t.string_by_locale(id(1, 1), &limits).len(), 1);
    assert_eq!(t.locales().into_iter().collect::<Vec<_>>(), ["fr", "zh-CN"]);
    assert_eq!(t.ids(), vec![id(1, 0), id(1, 1), id(2, 0), id(3, 0)]);
    assert!(t.is_public(app_name));
    assert!(!t.is_public(id(1, 1)));
    assert_eq!(
        t.file_path(id(2, 0)).as_deref(),
        Some("res/layout/activity_main.xml")
    );
    let layouts: Vec<_> = t.iter_type("layout").map(|e| (e.id, e.key())).collect();
    assert_eq!(layouts, [(id(2, 0), Some("activity_main".to_string()))]);
    assert_eq!(t.iter_entries().count(), 8);
    assert_eq!(t.name(id(1, 9)), None);
    assert_eq!(t.name(0x0101_0000), None);
}

#[test]
fn density_choice_follows_android_and_file_path_prefers_bitmaps() {
    let (_, bytes) = app();
    let t = parse_ok(&bytes);
    let limits = Limits::default();
    // Android: anydpi beats every bucket.
    assert_eq!(
        t.resolve_string(id(3, 0), &limits).as_deref(),
        Some("res/drawable-anydpi-v26/icon.xml")
    );
    // file_path: the sharpest bucket.
    assert_eq!(
        t.file_path(id(3, 0)).as_deref(),
        Some("res/drawable-xxhdpi/icon.png")
    );
}

#[test]
fn default_config_beats_version_and_density_variants() {
    let p = PackageBuilder::new(PKG, "p", &["drawable", "string"], &["a", "b"]);
    let s = |d: u32| Ent::Simple {
        key: 0,
        t: TYPE_STRING,
        d,
    };
    let p = p
        .with(spec(1, 1))
        .with(type_chunk(
            1,
            &density_config(240, 0),
            1,
            &[(0, s(1))],
            Enc::Dense,
        ))
        .with(type_chunk(
            1,
            &default_config(),
            1,
            &[(0, s(0))],
            Enc::Dense,
        ))
        .with(type_chunk(
            1,
            &density_config(0, 21),
            1,
            &[(0, s(2))],
            Enc::Dense,
        ))
        .with(spec(2, 1))
        .with(type_chunk(
            2,
            &density_config(320, 0),
            1,
            &[(0, s(2))],
            Enc::Dense,
        ))
        .with(type_chunk(
            2,
            &density_config(240, 0),
            1,
            &[(0, s(1))],
            Enc::Dense,
        ));
    let t = parse_ok(&table(&["default", "hdpi", "v21/xhdpi"], &[&p]));
    let limits = Limits::default();
    assert_eq!(
        t.resolve_string(id(1, 0), &limits).as_deref(),
        Some("default")
    );
    assert_eq!(t.file_path(id(1, 0)).as_deref(), Some("default"));
    // No default entry: the lowest bucket at or above mdpi.
    assert_eq!(t.resolve_string(id(2, 0), &limits).as_deref(), Some("hdpi"));
}

#[test]
fn nothing_matching_falls_back_to_least_specific() {
    let p = PackageBuilder::new(PKG, "p", &["layout"], &["only_land"]);
    let land = config_bytes(64, |b| b[12] = 2);
    let land_fr = config_bytes(64, |b| {
        b[12] = 2;
        b[8..10].copy_from_slice(b"fr");
    });
    let s = |d: u32| Ent::Simple {
        key: 0,
        t: TYPE_STRING,
        d,
    };
    let p = p
        .with(spec(1, 1))
        .with(type_chunk(1, &land_fr, 1, &[(0, s(1))], Enc::Dense))
        .with(type_chunk(1, &land, 1, &[(0, s(0))], Enc::Dense));
    let t = parse_ok(&table(
        &["res/layout-land/x.xml", "res/layout-fr-land/x.xml"],
        &[&p],
    ));
    assert_eq!(
        t.resolve_string(id(1, 0), &Limits::default()).as_deref(),
        Some("res/layout-land/x.xml")
    );
    assert_eq!(
        t.file_path(id(1, 0)).as_deref(),
        Some("res/layout-land/x.xml")
    );
}

#[test]
fn string_only_in_one_locale_has_no_default_key() {
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k"])
        .with(spec(1, 1))
        .with(type_chunk(
            1,
            &locale_config(b"en", None),
            1,
            &[(
                0,
                Ent::Simple {
                    key: 0,
                    t: TYPE_STRING,
                    d: 0,
                },
            )],
            Enc::Dense,
        ));
    let t = parse_ok(&table(&["English only"], &[&p]));
    let l = Limits::default();
    // resolve falls back to the only value ...
    assert_eq!(
        t.resolve_string(id(1, 0), &l).as_deref(),
        Some("English only")
    );
    // ... but string_by_locale files it under its locale, not as the default.
    let m = t.string_by_locale(id(1, 0), &l);
    assert_eq!(
        m.into_iter().collect::<Vec<_>>(),
        [("en".to_string(), "English only".to_string())]
    );
}

fn single_type(enc: Enc, count: u32, entries: &[(u16, Ent)]) -> ResourceTable {
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k0", "k1", "k2", "k3", "k4", "k5"]);
    let p = p
        .with(spec(1, count))
        .with(type_chunk(1, &default_config(), count, entries, enc));
    parse_ok(&table(
        &["zero", "one", "two", "three", "four", "five"],
        &[&p],
    ))
}

#[test]
fn sparse_offset16_and_compact_entries() {
    let s = |key: u32, d: u32| Ent::Simple {
        key,
        t: TYPE_STRING,
        d,
    };
    for enc in [Enc::Dense, Enc::Offset16, Enc::Sparse] {
        let t = single_type(
            enc,
            6,
            &[
                (1, s(1, 1)),
                (4, s(4, 4)),
                (
                    5,
                    Ent::Compact {
                        key: 5,
                        t: TYPE_INT_DEC,
                        d: 42,
                    },
                ),
            ],
        );
        assert!(t.anomalies.is_empty(), "{:?}", t.anomalies);
        let l = Limits::default();
        assert_eq!(t.resolve_string(id(1, 1), &l).as_deref(), Some("one"));
        assert_eq!(t.resolve_string(id(1, 4), &l).as_deref(), Some("four"));
        assert_eq!(t.resolve(id(1, 5), &l).value, Some(Value::Int(42)));
        assert_eq!(t.name(id(1, 5)).unwrap().entry, "k5");
        assert_eq!(t.resolve(id(1, 0), &l).value, None);
        assert_eq!(t.resolve(id(1, 2), &l).value, None);
        assert_eq!(t.ids(), vec![id(1, 1), id(1, 4), id(1, 5)]);
        assert_eq!(t.iter_entries().count(), 3);
    }
}

#[test]
fn compact_entry_types() {
    let t = single_type(
        Enc::Dense,
        4,
        &[
            (
                0,
                Ent::Compact {
                    key: 0,
                    t: TYPE_STRING,
                    d: 2,
                },
            ),
            (
                1,
                Ent::Compact {
                    key: 1,
                    t: TYPE_INT_BOOLEAN,
                    d: 0xffff_ffff,
                },
            ),
            (
                2,
                Ent::Compact {
                    key: 2,
                    t: TYPE_INT_COLOR_ARGB8,
                    d: 0xff00ff00,
                },
            ),
            (
                3,
                Ent::Compact {
                    key: 3,
                    t: TYPE_DIMENSION,
                    d: 0x1001,
                },
            ),
        ],
    );
    let l = Limits::default();
    assert_eq!(t.resolve_string(id(1, 0), &l).as_deref(), Some("two"));
    assert_eq!(t.resolve_string(id(1, 1), &l).as_deref(), Some("true"));
    assert_eq!(t.resolve_string(id(1, 2), &l).as_deref(), Some("#ff00ff00"));
    assert_eq!(t.resolve_string(id(1, 3), &l).as_deref(), Some("16.0dip"));
}

#[test]
fn bags_decode_with_parent_and_items() {
    let bag = Ent::Bag {
        key: 0,
        parent: 0x0103_0005,
        items: vec![
            (0x0101_0098, TYPE_INT_COLOR_ARGB8, 0xffffffff),
            (0x0101_0099, TYPE_STRING, 1),
        ],
    };
    let t = single_type(Enc::Dense, 1, &[(0, bag)]);
    let vals = t.values(id(1, 0));
    assert_eq!(vals.len(), 1);
    match vals[0].1 {
        EntryValue::Bag { parent, items } => {
            assert_eq!(*parent, 0x0103_0005);
            assert_eq!(
                items,
                &vec![
                    (0x0101_0098, Value::Color(0xffffffff)),
                    (0x0101_0099, Value::String("one".into()))
                ]
            );
        }
        other => panic!("expected a bag, got {other:?}"),
    }
    let r = t.resolve(id(1, 0), &Limits::default());
    assert_eq!((r.value, r.cycle), (None, false));
}

#[test]
fn reference_chains_cycles_and_depth() {
    let r = |key: u32, to: u32| Ent::Simple {
        key,
        t: TYPE_REFERENCE,
        d: to,
    };
    let t = single_type(
        Enc::Dense,
        6,
        &[
            (0, r(0, id(1, 1))),
            (1, r(1, id(1, 2))),
            (
                2,
                Ent::Simple {
                    key: 2,
                    t: TYPE_STRING,
                    d: 5,
                },
            ),
            (3, r(3, id(1, 4))),
            (4, r(4, id(1, 3))),
            (5, r(5, 0x0104_0000)),
        ],
    );
    let l = Limits::default();
    let res = t.resolve(id(1, 0), &l);
    assert_eq!(res.value, Some(Value::String("five".into())));
    assert_eq!(res.chain, vec![id(1, 0), id(1, 1), id(1, 2)]);
    assert!(!res.cycle);
    let cyc = t.resolve(id(1, 3), &l);
    assert!(cyc.cycle);
    assert_eq!(cyc.value, None);
    assert_eq!(cyc.chain, vec![id(1, 3), id(1, 4)]);
    assert_eq!(t.resolve_string(id(1, 3), &l), None);
    // A reference leaving the table stays a reference.
    let out = t.resolve(id(1, 5), &l);
    assert_eq!(out.value, Some(Value::Reference(0x0104_0000)));
    assert_eq!(
        t.resolve_string(id(1, 5), &l).as_deref(),
        Some("@0x01040000")
    );
    // Depth limit.
    let shallow = Limits {
        max_reference_depth: 1,
        ..Limits::default()
    };
    let cut = t.resolve(id(1, 0), &shallow);
    assert!(cut.cycle);
    assert_eq!(cut.value, None);
}

#[test]
fn locale_values_follow_chains_in_their_locale() {
    let p = PackageBuilder::new(PKG, "p", &["string"], &["label", "real"]);
    let p = p
        .with(spec(1, 2))
        .with(type_chunk(
            1,
            &default_config(),
            2,
            &[
                (
                    0,
                    Ent::Simple {
                        key: 0,
                        t: TYPE_REFERENCE,
                        d: id(1, 1),
                    },
                ),
                (
                    1,
                    Ent::Simple {
                        key: 1,
                        t: TYPE_STRING,
                        d: 0,
                    },
                ),
            ],
            Enc::Dense,
        ))
        .with(type_chunk(
            1,
            &locale_config(b"de", None),
            2,
            &[(
                1,
                Ent::Simple {
                    key: 1,
                    t: TYPE_STRING,
                    d: 1,
                },
            )],
            Enc::Dense,
        ))
        .with(type_chunk(
            1,
            &config_bytes(64, |b| {
                b[8..10].copy_from_slice(b"sr");
                b[36..40].copy_from_slice(b"Latn");
            }),
            2,
            &[(
                1,
                Ent::Simple {
                    key: 1,
                    t: TYPE_STRING,
                    d: 2,
                },
            )],
            Enc::Dense,
        ));
    let t = parse_ok(&table(&["Label", "Etikett", "Oznaka"], &[&p]));
    let m = t.string_by_locale(id(1, 0), &Limits::default());
    let got: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        got,
        [("", "Label"), ("de", "Etikett"), ("sr-Latn", "Oznaka")]
    );
    let q: Vec<String> = t
        .values(id(1, 1))
        .iter()
        .map(|(c, _)| c.qualifiers())
        .collect();
    assert_eq!(q, ["", "de", "b+sr+Latn"]);
    let fr = t.resolve_for(id(1, 0), &Config::for_locale("de-AT"), &Limits::default());
    assert_eq!(fr.value, Some(Value::String("Etikett".into())));
}

#[test]
fn short_configs_are_read_as_declared() {
    for size in [28usize, 32, 36, 48, 52, 56, 64] {
        let cfg = config_bytes(size, |b| {
            b[8..10].copy_from_slice(b"ja");
            b[14..16].copy_from_slice(&160u16.to_le_bytes());
            b[24..26].copy_from_slice(&4u16.to_le_bytes());
            // Beyond 28 bytes: screenLayout (large) must vanish in a 28-byte config.
            b[28] = 0x03;
        });
        let p = PackageBuilder::new(PKG, "p", &["string"], &["k"])
            .with(spec(1, 1))
            .with(type_chunk(
                1,
                &cfg,
                1,
                &[(
                    0,
                    Ent::Simple {
                        key: 0,
                        t: TYPE_STRING,
                        d: 0,
                    },
                )],
                Enc::Dense,
            ));
        let t = parse_ok(&table(&["x"], &[&p]));
        assert!(t.anomalies.is_empty(), "{size}: {:?}", t.anomalies);
        let (c, _) = t.values(id(1, 0))[0];
        let expected = if size > 28 {
            "ja-large-mdpi-v4"
        } else {
            "ja-mdpi-v4"
        };
        assert_eq!(c.qualifiers(), expected, "size {size}");
        assert_eq!(c.locale(), "ja");
    }
}

#[test]
fn lying_counts_are_bounded_and_reported_once_per_chunk() {
    // Dense chunk whose entryCount claims far more offsets than fit.
    let mut c = type_chunk(
        1,
        &default_config(),
        2,
        &[(
            0,
            Ent::Simple {
                key: 0,
                t: TYPE_STRING,
                d: 0,
            },
        )],
        Enc::Dense,
    );
    c[12..16].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k"])
        .with(spec(1, 2))
        .with(c);
    let t = parse_ok(&table(&["x"], &[&p]));
    assert!(
        codes(&t).contains(&"arsc_entry_count_too_large"),
        "{:?}",
        t.anomalies
    );
    assert_eq!(
        t.resolve_string(id(1, 0), &Limits::default()).as_deref(),
        Some("x")
    );

    // Offsets pointing outside the chunk: skipped, one anomaly for the chunk.
    let mut c = type_chunk(
        1,
        &default_config(),
        4,
        &[(
            3,
            Ent::Simple {
                key: 0,
                t: TYPE_STRING,
                d: 0,
            },
        )],
        Enc::Dense,
    );
    let offs = 8 + 12 + 64;
    for i in 0..3 {
        c[offs + i * 4..offs + i * 4 + 4]
            .copy_from_slice(&(0x0100_0000u32 + i as u32).to_le_bytes());
    }
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k"])
        .with(spec(1, 4))
        .with(c);
    let t = parse_ok(&table(&["x"], &[&p]));
    let bad: Vec<_> = t
        .anomalies
        .iter()
        .filter(|a| a.code == "arsc_bad_entries")
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", t.anomalies);
    assert!(bad[0].detail.contains("3 entries"), "{}", bad[0].detail);
    assert_eq!(t.ids(), vec![id(1, 3)]);

    // A bag whose count lies.
    let bag = Ent::Bag {
        key: 0,
        parent: 0,
        items: vec![(0x0101_0000, TYPE_INT_DEC, 1)],
    };
    let mut c = type_chunk(1, &default_config(), 1, &[(0, bag)], Enc::Dense);
    let count_at = 8 + 12 + 64 + 4 + 12;
    c[count_at..count_at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    let p = PackageBuilder::new(PKG, "p", &["attr"], &["k"])
        .with(spec(1, 1))
        .with(c);
    let t = parse_ok(&table(&["x"], &[&p]));
    assert!(
        codes(&t).contains(&"arsc_map_count_too_large"),
        "{:?}",
        t.anomalies
    );
    match t.values(id(1, 0))[0].1 {
        EntryValue::Bag { items, .. } => assert_eq!(items.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_type_ids_unknown_chunks_and_truncation() {
    let s = Ent::Simple {
        key: 0,
        t: TYPE_STRING,
        d: 0,
    };
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k"])
        .with(spec(1, 1))
        .with(type_chunk(
            0,
            &default_config(),
            1,
            &[(0, s.clone())],
            Enc::Dense,
        ))
        .with(chunk(0x0777, &[0; 4], &[1, 2, 3, 4]))
        .with(spec(9, 1))
        .with(type_chunk(
            9,
            &default_config(),
            1,
            &[(0, s.clone())],
            Enc::Dense,
        ))
        .with(type_chunk(1, &default_config(), 1, &[(0, s)], Enc::Dense));
    let bytes = table(&["x"], &[&p]);
    let t = parse_ok(&bytes);
    let c = codes(&t);
    assert!(c.contains(&"arsc_bad_type_id"), "{c:?}");
    assert!(c.contains(&"arsc_unknown_chunk"), "{c:?}");
    assert_eq!(
        t.resolve_string(id(1, 0), &Limits::default()).as_deref(),
        Some("x")
    );
    // Type 9 has no name but its value is still reachable.
    assert_eq!(t.name(id(9, 0)), None);
    assert_eq!(
        t.resolve_string(id(9, 0), &Limits::default()).as_deref(),
        Some("x")
    );

    // Truncation: the table and package claim more bytes than exist.
    let cut = &bytes[..bytes.len() - 10];
    let t = parse_ok(cut);
    assert!(
        codes(&t).contains(&"arsc_chunk_truncated"),
        "{:?}",
        t.anomalies
    );
    assert_eq!(t.resolve_string(id(1, 0), &Limits::default()), None);
}

#[test]
fn unsorted_sparse_entries_are_still_found() {
    let s = |key: u32, d: u32| Ent::Simple {
        key,
        t: TYPE_STRING,
        d,
    };
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k0", "k1", "k2"])
        .with(spec(1, 3))
        .with(type_chunk(
            1,
            &default_config(),
            3,
            &[(2, s(2, 2)), (0, s(0, 0))],
            Enc::Sparse,
        ));
    let t = parse_ok(&table(&["zero", "one", "two"], &[&p]));
    assert!(codes(&t).contains(&"arsc_unsorted_sparse_entries"));
    let l = Limits::default();
    assert_eq!(t.resolve_string(id(1, 0), &l).as_deref(), Some("zero"));
    assert_eq!(t.resolve_string(id(1, 2), &l).as_deref(), Some("two"));
    assert_eq!(t.resolve_string(id(1, 1), &l), None);
}

#[test]
fn duplicate_package_ids_form_one_group() {
    let s = |d: u32| Ent::Simple {
        key: 0,
        t: TYPE_STRING,
        d,
    };
    let a = PackageBuilder::new(PKG, "first", &["string"], &["a"])
        .with(spec(1, 1))
        .with(type_chunk(
            1,
            &default_config(),
            1,
            &[(0, s(0))],
            Enc::Dense,
        ));
    let b = PackageBuilder::new(PKG, "second", &["string", "layout"], &["b", "main"])
        .with(spec(1, 2))
        .with(type_chunk(
            1,
            &default_config(),
            2,
            &[(0, s(1)), (1, s(1))],
            Enc::Dense,
        ))
        .with(spec(2, 1))
        .with(type_chunk(
            2,
            &default_config(),
            1,
            &[(
                0,
                Ent::Simple {
                    key: 1,
                    t: TYPE_STRING,
                    d: 2,
                },
            )],
            Enc::Dense,
        ));
    let t = parse_ok(&table(
        &["from first", "from second", "res/layout/main.xml"],
        &[&a, &b],
    ));
    assert!(codes(&t).contains(&"arsc_duplicate_package_id"));
    let l = Limits::default();
    // Same id in both: the first package wins the tie, both values listed.
    assert_eq!(
        t.resolve_string(id(1, 0), &l).as_deref(),
        Some("from first")
    );
    assert_eq!(t.values(id(1, 0)).len(), 2);
    // Only in the second.
    assert_eq!(
        t.resolve_string(id(1, 1), &l).as_deref(),
        Some("from second")
    );
    assert_eq!(t.name(id(1, 1)).unwrap().package, "second");
    assert_eq!(t.id_of("layout", "main"), Some(id(2, 0)));
}

#[test]
fn library_staged_alias_and_overlayable_chunks() {
    let mut lib_body = Vec::new();
    lib_body.extend_from_slice(&2u32.to_le_bytes());
    let mut name = [0u8; 256];
    for (i, u) in "com.lib".encode_utf16().enumerate() {
        name[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
    }
    lib_body.extend_from_slice(&name);
    let lib = chunk(RES_TABLE_LIBRARY_TYPE, &1u32.to_le_bytes(), &lib_body);
    let mut alias_body = Vec::new();
    alias_body.extend_from_slice(&id(1, 7).to_le_bytes());
    alias_body.extend_from_slice(&id(1, 0).to_le_bytes());
    let alias = chunk(
        RES_TABLE_STAGED_ALIAS_TYPE,
        &5u32.to_le_bytes(),
        &alias_body,
    );
    let overlay = chunk(
        RES_TABLE_OVERLAYABLE_TYPE,
        &[0u8; 1024],
        &chunk(RES_TABLE_OVERLAYABLE_POLICY_TYPE, &[0; 8], &[]),
    );
    let p = PackageBuilder::new(PKG, "p", &["string"], &["k"])
        .with(lib)
        .with(alias)
        .with(overlay)
        .with(spec(1, 1))
        .with(type_chunk(
            1,
            &default_config(),
            1,
            &[(
                0,
                Ent::Simple {
                    key: 0,
                    t: TYPE_STRING,
                    d: 0,
                },
            )],
            Enc::Dense,
        ));
    let t = parse_ok(&table(&["x"], &[&p]));
    assert_eq!(t.packages[0].libraries, vec![(2, "com.lib".to_string())]);
    assert_eq!(t.packages[0].staged_aliases, vec![(id(1, 7), id(1, 0))]);
    assert_eq!(t.packages[0].overlayables.len(), 1);
    assert!(
        codes(&t).contains(&"arsc_entry_count_too_large"),
        "{:?}",
        t.anomalies
    );
    // A staged id resolves through its alias.
    assert_eq!(
        t.resolve_string(id(1, 7), &Limits::default()).as_deref(),
        Some("x")
    );
}

#[test]
fn hard_errors_are_one_line_with_offset() {
    let l = Limits::default();
    let e = parse(&[], &l).unwrap_err();
    assert!(matches!(e, ArscError::TooShort { len: 0 }));
    let e = parse(&[3, 0, 8, 0, 12, 0, 0, 0, 0, 0, 0, 0], &l).unwrap_err();
    assert!(e.to_string().contains("0x0003"), "{e}");
    assert!(e.to_string().contains("offset 0x0"), "{e}");
    let empty = chunk(RES_TABLE_TYPE, &0u32.to_le_bytes(), &build_pool(&[], true));
    assert!(matches!(
        parse(&empty, &l),
        Err(ArscError::NoPackages { declared: 0 })
    ));
    for e in [parse(&[], &l).unwrap_err(), parse(&empty, &l).unwrap_err()] {
        assert!(!e.to_string().contains('\n'));
    }
}

#[test]
fn every_prefix_and_single_byte_flip_is_survivable() {
    let (_, bytes) = app();
    let l = Limits::default();
    let exercise = |data: &[u8]| {
        if let Ok(t) = parse(data, &l) {
            for i in t.ids() {
                let _ = t.resolve(i, &l);
                let _ = t.name(i);
                let _ = t.string_by_locale(i, &l);
                let _ = t.file_path(i);
            }
            let _ = t.iter_entries().count();
        }
    };
    for n in 0..bytes.len() {
        exercise(&bytes[..n]);
    }
    for i in 0..bytes.len() {
        for v in [0x00u8, 0xff, 0x80, 0x01] {
            let mut m = bytes.clone();
            m[i] = v;
            exercise(&m);
        }
    }
}
