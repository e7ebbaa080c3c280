//! Third-party SDK detection: which of the SDKs in [`SDKS`] (and, when the
//! user passes `--signatures`, which Exodus trackers or LibChecker rules) an
//! app carries, each with the evidence that names it.
//!
//! # Builtin table
//!
//! * **Classes.** Every class of every DEX is looked up once by its type
//!   descriptor (`Lcom/umeng/analytics/MobclickAgent;`) in a sorted list of
//!   the table's package prefixes, rewritten to descriptor form
//!   (`Lcom/umeng/analytics/`). The table guarantees that no prefix is a
//!   prefix of another (tested in `sdk_table.rs`), so the greatest prefix
//!   that sorts at or before the descriptor is the only candidate: one
//!   binary search and one `starts_with`, no allocation. A match depends on
//!   the package alone and a DEX file keeps a package's classes together
//!   (class_defs follow type order), so a run of classes in one package
//!   costs one lookup (about 2 ms for 100,000 classes in a release build).
//! * **Native libraries.** File names (`NativeLib::name`, hidden ones
//!   included) against the rows' patterns: exact, or one leading / trailing
//!   `*`.
//! * **Manifest.** Component class names (activities, aliases, services,
//!   receivers, providers, the application class), `<meta-data>` names
//!   (application and component level) and permission names (requested and
//!   declared) against the rows' `manifest` keys, exactly.
//!
//! Any one of the three makes a hit: a packed app whose classes are hidden
//! still declares JPush's services. Evidence says what matched: the prefix
//! and how many classes (`package`: `cn.jpush.android. (8 classes)`, a
//! nested DEX named: `... (1 class, nested assets/patch.jar!/classes.dex)`),
//! the library path (`native_lib`), the manifest entry (`manifest`:
//! `service cn.jpush.android.service.PushService`, `meta-data JPUSH_APPKEY`;
//! `permission`: the permission name).
//!
//! # External signatures
//!
//! Hits from an Exodus tracker list or LibChecker rules (see
//! [`super::external`]) are reported next to the builtin ones with their own
//! ids (`exodus:<tracker id>`, `libchecker:<label>`) and `source`. When a
//! builtin row and an external entry name the same product both are kept:
//! they are different claims from different databases, and a reader (or the
//! report) can line them up by name. Nothing is merged or deduplicated.
//!
//! Output is sorted by `id`; evidence inside a hit by kind, then value.

use super::external::ExternalSignatures;
use super::sdk_table::{SdkCategory, SdkSignature, SDKS};
use super::{AppInput, Evidence};
use crate::manifest::Manifest;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// One SDK found in an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkHit {
    /// Builtin row id (`umeng_analytics`), `exodus:<tracker id>` or
    /// `libchecker:<label>`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who makes it (empty when the source does not say).
    pub vendor: String,
    /// What kind of SDK it is (`other` when an external source has no
    /// category that maps).
    pub category: SdkCategory,
    /// Collects user or device data (the Exodus notion). Every Exodus entry
    /// is a tracker; LibChecker entries never claim to be.
    pub tracker: bool,
    /// `builtin`, `exodus` or `libchecker`.
    pub source: &'static str,
    /// Why fingertip believes it.
    pub evidence: Vec<Evidence>,
    /// How many classes matched (all DEX files, nested included).
    pub classes: usize,
}

/// Source tag of hits from the builtin table.
pub const SOURCE_BUILTIN: &str = "builtin";

/// The builtin package prefixes in descriptor form, sorted, each with its
/// row and the dotted prefix it came from.
struct PrefixIndex {
    entries: Vec<(String, usize, &'static str)>,
}

impl PrefixIndex {
    fn build() -> Self {
        let mut entries: Vec<(String, usize, &'static str)> = SDKS
            .iter()
            .enumerate()
            .flat_map(|(row, s)| {
                s.packages
                    .iter()
                    .map(move |p| (format!("L{}", p.replace('.', "/")), row, *p))
            })
            .collect();
        entries.sort();
        PrefixIndex { entries }
    }

    /// Index into `entries` of the prefix `descriptor` starts with.
    fn lookup(&self, descriptor: &str) -> Option<usize> {
        let i = self
            .entries
            .partition_point(|(p, _, _)| p.as_str() <= descriptor);
        let at = i.checked_sub(1)?;
        let (p, _, _) = self.entries.get(at)?;
        descriptor.starts_with(p.as_str()).then_some(at)
    }
}

fn prefix_index() -> &'static PrefixIndex {
    static INDEX: OnceLock<PrefixIndex> = OnceLock::new();
    INDEX.get_or_init(PrefixIndex::build)
}

fn manifest_index() -> &'static HashMap<&'static str, usize> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for (row, s) in SDKS.iter().enumerate() {
            for key in s.manifest {
                m.entry(*key).or_insert(row);
            }
        }
        m
    })
}

/// The builtin row whose package prefix the class with type descriptor
/// `descriptor` (`Lcom/foo/Bar;`) falls under, with that prefix (dotted).
pub fn match_descriptor(descriptor: &str) -> Option<(&'static SdkSignature, &'static str)> {
    let index = prefix_index();
    let at = index.lookup(descriptor)?;
    let (_, row, prefix) = index.entries.get(at)?;
    Some((SDKS.get(*row)?, *prefix))
}

/// [`match_descriptor`] for a dotted Java class name (`com.foo.Bar`).
pub fn match_class(java_name: &str) -> Option<(&'static SdkSignature, &'static str)> {
    match_descriptor(&java_to_descriptor(java_name))
}

/// The package part of a type descriptor, up to and including the last
/// `/` (`Lcom/foo/` for `Lcom/foo/Bar;`); empty in the default package.
/// Package-prefix matches depend on this part alone.
pub(crate) fn descriptor_package(descriptor: &str) -> &str {
    descriptor
        .rfind('/')
        .and_then(|i| descriptor.get(..=i))
        .unwrap_or_default()
}

/// `com.foo.Bar` → `Lcom/foo/Bar;`.
pub(crate) fn java_to_descriptor(java_name: &str) -> String {
    let mut s = String::with_capacity(java_name.len() + 2);
    s.push('L');
    s.extend(java_name.chars().map(|c| if c == '.' { '/' } else { c }));
    s.push(';');
    s
}

/// Whether a `.so` file name matches a table pattern (exact, `prefix*`, or
/// `*suffix`).
pub fn lib_pattern_matches(pattern: &str, name: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        name.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        name.ends_with(suffix)
    } else {
        pattern == name
    }
}

/// One manifest name with how to describe it: `(kind, label, name)`, e.g.
/// `("manifest", "service", "cn.jpush.android.service.PushService")`.
pub(crate) type ManifestName<'m> = (&'static str, &'static str, &'m str);

/// Every name in the manifest an SDK signature may refer to.
pub(crate) fn manifest_names(m: &Manifest) -> Vec<ManifestName<'_>> {
    let mut out: Vec<ManifestName<'_>> = Vec::new();
    if let Some(app) = &m.application.name {
        out.push(("manifest", "application", app));
    }
    let groups = [
        ("activity", &m.activities),
        ("activity-alias", &m.activity_aliases),
        ("service", &m.services),
        ("receiver", &m.receivers),
        ("provider", &m.providers),
    ];
    for (label, list) in groups {
        for c in list.iter() {
            out.push(("manifest", label, &c.name));
            for md in &c.meta_data {
                out.push(("manifest", "meta-data", &md.name));
            }
        }
    }
    for md in &m.meta_data {
        out.push(("manifest", "meta-data", &md.name));
    }
    for p in &m.permissions {
        out.push(("permission", "uses-permission", &p.name));
    }
    for p in &m.declared_permissions {
        out.push(("permission", "permission", &p.name));
    }
    out
}

/// Per-row evidence while scanning.
#[derive(Default)]
struct RowAcc {
    classes: usize,
    evidence: BTreeSet<Evidence>,
}

fn class_count(n: usize) -> String {
    if n == 1 {
        "1 class".to_string()
    } else {
        format!("{n} classes")
    }
}

/// Finds the builtin SDKs, then those of each external signature list.
pub fn detect(input: &AppInput, extra: &[ExternalSignatures]) -> Vec<SdkHit> {
    let mut hits = detect_builtin(input);
    for sigs in extra {
        hits.extend(sigs.detect(input));
    }
    hits.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.source.cmp(b.source)));
    hits
}

/// The builtin table only.
pub fn detect_builtin(input: &AppInput) -> Vec<SdkHit> {
    let index = prefix_index();
    let mut rows: BTreeMap<usize, RowAcc> = BTreeMap::new();

    // Classes: one count per prefix for the top-level DEX files together,
    // one per prefix and nested DEX for the others.
    let mut top = vec![0usize; index.entries.len()];
    for dex in input.dex {
        let mut nested = if dex.nested {
            vec![0usize; index.entries.len()]
        } else {
            Vec::new()
        };
        let counts = if dex.nested { &mut nested } else { &mut top };
        // Classes of one package sit together (class_defs follow type
        // order), and a prefix match depends on the package alone.
        let mut last: Option<(&str, Option<usize>)> = None;
        for class in dex.dex.classes() {
            let d = class.descriptor.as_str();
            let package = descriptor_package(d);
            let found = match last {
                Some((p, found)) if p == package && !package.is_empty() => found,
                _ => {
                    let found = index.lookup(d);
                    last = Some((package, found));
                    found
                }
            };
            if let Some(c) = found.and_then(|at| counts.get_mut(at)) {
                *c += 1;
            }
        }
        if dex.nested {
            add_package_evidence(index, &nested, Some(&dex.path), &mut rows);
        }
    }
    add_package_evidence(index, &top, None, &mut rows);

    // Native libraries.
    let mut lib_names: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for lib in &input.native.libs {
        lib_names.entry(&lib.name).or_default().push(&lib.path);
    }
    for (row, s) in SDKS.iter().enumerate() {
        for pattern in s.native_libs {
            for (name, paths) in &lib_names {
                if lib_pattern_matches(pattern, name) {
                    let acc = rows.entry(row).or_default();
                    for path in paths {
                        acc.evidence.insert(Evidence::new("native_lib", *path));
                    }
                }
            }
        }
    }

    // Manifest names.
    let keys = manifest_index();
    for (kind, label, name) in manifest_names(input.manifest) {
        if let Some(&row) = keys.get(name) {
            let value = if kind == "permission" {
                name.to_string()
            } else {
                format!("{label} {name}")
            };
            rows.entry(row)
                .or_default()
                .evidence
                .insert(Evidence::new(kind, value));
        }
    }

    rows.into_iter()
        .filter_map(|(row, acc)| {
            let s = SDKS.get(row)?;
            Some(SdkHit {
                id: s.id.to_string(),
                name: s.name.to_string(),
                vendor: s.vendor.to_string(),
                category: s.category,
                tracker: s.tracker,
                source: SOURCE_BUILTIN,
                evidence: acc.evidence.into_iter().collect(),
                classes: acc.classes,
            })
        })
        .collect()
}

fn add_package_evidence(
    index: &PrefixIndex,
    counts: &[usize],
    nested: Option<&str>,
    rows: &mut BTreeMap<usize, RowAcc>,
) {
    for (&n, (_, row, prefix)) in counts.iter().zip(&index.entries) {
        if n == 0 {
            continue;
        }
        let value = match nested {
            None => format!("{prefix} ({})", class_count(n)),
            Some(path) => format!("{prefix} ({}, nested {path})", class_count(n)),
        };
        let acc = rows.entry(*row).or_default();
        acc.classes += n;
        acc.evidence.insert(Evidence::new("package", value));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dex::DexFile;
    use crate::facts::DexInput;
    use crate::manifest::{Component, MetaData, UsesPermission};
    use crate::native::{NativeLib, NativeReport};

    /// A DEX file holding empty classes with these descriptors.
    pub(crate) fn dex_with(descriptors: &[&str]) -> DexFile {
        let classes: Vec<testdex::TClass> = descriptors
            .iter()
            .map(|d| testdex::TClass::new(d))
            .collect();
        testdex::build(&classes)
    }

    pub(crate) fn lib(path: &str) -> NativeLib {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let parts: Vec<&str> = path.split('/').collect();
        let abi = match parts.as_slice() {
            ["lib", abi, _] => Some(abi.to_string()),
            _ => None,
        };
        NativeLib {
            path: path.to_string(),
            name,
            abi,
            hidden: !path.starts_with("lib/"),
            elf_class: None,
            endianness: None,
            machine: None,
            soname: None,
            needed: Vec::new(),
            jni_exports: 0,
            jni_onload: false,
            build_id: None,
            abi_matches: None,
            size: 0,
            sha256: String::new(),
        }
    }

    pub(crate) fn component(name: &str) -> Component {
        Component {
            name: name.to_string(),
            ..Component::default()
        }
    }

    fn ids(hits: &[SdkHit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn lookup_finds_only_real_prefixes() {
        assert_eq!(
            match_class("com.umeng.analytics.MobclickAgent").map(|(s, p)| (s.id, p)),
            Some(("umeng_analytics", "com.umeng.analytics."))
        );
        assert!(match_class("com.umeng.Other").is_none());
        assert!(match_class("com.mobile.Foo").is_none());
        assert!(match_class("a.b.C").is_none());
        assert!(match_class("").is_none());
        assert_eq!(
            match_descriptor("Lokhttp3/OkHttpClient;").map(|(s, _)| s.id),
            Some("okhttp3")
        );
        assert_eq!(
            match_descriptor("Lokhttp3;").map(|(s, _)| s.id),
            None,
            "a class named like the package is not in it"
        );
    }

    #[test]
    fn every_table_prefix_is_found_by_lookup() {
        for s in SDKS {
            for p in s.packages {
                let class = format!("{p}Probe");
                assert_eq!(
                    match_class(&class).map(|(r, q)| (r.id, q)),
                    Some((s.id, *p)),
                    "{class}"
                );
            }
        }
    }

    #[test]
    fn detects_from_classes_libs_and_manifest_with_evidence() {
        let top = dex_with(&[
            "Lcom/umeng/analytics/MobclickAgent;",
            "Lcom/umeng/analytics/Other;",
            "Lgov/example/Main;",
        ]);
        let nested = dex_with(&["Lcom/umeng/analytics/Patched;"]);
        let dex = vec![
            DexInput {
                path: "classes.dex".into(),
                nested: false,
                dex: top,
            },
            DexInput {
                path: "assets/p.jar!/classes.dex".into(),
                nested: true,
                dex: nested,
            },
        ];
        let mut manifest = Manifest::default();
        manifest
            .services
            .push(component("cn.jpush.android.service.PushService"));
        manifest.meta_data.push(MetaData {
            name: "JPUSH_APPKEY".into(),
            value: Some("x".into()),
            resource: None,
        });
        manifest.permissions.push(UsesPermission {
            name: "android.permission.INTERNET".into(),
            max_sdk: None,
            sdk_23: false,
            protection: None,
            protection_flags: Vec::new(),
        });
        let native = NativeReport {
            abis: Vec::new(),
            libs: vec![lib("lib/arm64-v8a/libBugly.so"), lib("lib/x86/libBugly.so")],
            anomalies: Vec::new(),
        };
        let input = AppInput {
            manifest: &manifest,
            dex: &dex,
            native: &native,
            entries: &[],
            texts: &[],
        };
        let hits = detect(&input, &[]);
        assert_eq!(ids(&hits), ["jpush", "tencent_bugly", "umeng_analytics"]);
        let umeng = hits.iter().find(|h| h.id == "umeng_analytics").unwrap();
        assert_eq!(umeng.classes, 3);
        assert_eq!(umeng.source, "builtin");
        assert!(umeng.tracker);
        assert_eq!(
            umeng.evidence,
            [
                Evidence::new(
                    "package",
                    "com.umeng.analytics. (1 class, nested assets/p.jar!/classes.dex)"
                ),
                Evidence::new("package", "com.umeng.analytics. (2 classes)"),
            ]
        );
        let jpush = hits.iter().find(|h| h.id == "jpush").unwrap();
        assert_eq!(jpush.classes, 0);
        assert_eq!(
            jpush.evidence,
            [
                Evidence::new("manifest", "meta-data JPUSH_APPKEY"),
                Evidence::new("manifest", "service cn.jpush.android.service.PushService"),
            ]
        );
        let bugly = hits.iter().find(|h| h.id == "tencent_bugly").unwrap();
        assert_eq!(
            bugly.evidence,
            [
                Evidence::new("native_lib", "lib/arm64-v8a/libBugly.so"),
                Evidence::new("native_lib", "lib/x86/libBugly.so"),
            ]
        );
    }

    #[test]
    fn nothing_in_an_empty_app() {
        let manifest = Manifest::default();
        let native = NativeReport::default();
        let input = AppInput {
            manifest: &manifest,
            dex: &[],
            native: &native,
            entries: &[],
            texts: &[],
        };
        assert!(detect(&input, &[]).is_empty());
    }

    #[test]
    fn lib_patterns() {
        assert!(lib_pattern_matches("libjcore*", "libjcore123.so"));
        assert!(lib_pattern_matches("*foo.so", "libbarfoo.so"));
        assert!(!lib_pattern_matches("libBugly.so", "libBugly-ext.so"));
    }

    /// How long detection takes on 100,000 classes (a third under SDK
    /// prefixes). Prints, asserts nothing about time; run with
    /// `cargo test --release --lib -- --ignored sdk_detect_cost --nocapture`.
    #[test]
    #[ignore = "timing probe, run on demand"]
    fn sdk_detect_cost() {
        let prefixes: Vec<&str> = SDKS
            .iter()
            .flat_map(|s| s.packages.iter().copied())
            .collect();
        let names: Vec<String> = (0..100_000usize)
            .map(|i| {
                if i % 3 == 0 {
                    let p = prefixes[i % prefixes.len()].replace('.', "/");
                    format!("L{p}internal/C{i};")
                } else {
                    format!("Lgov/example/app/module{}/feature/Class{i};", i % 97)
                }
            })
            .collect();
        let mut refs: Vec<&str> = names.iter().map(String::as_str).collect();
        // d8 writes class_defs in type order, which is descriptor order.
        refs.sort_unstable();
        // Two files: type indices in class_defs are 16-bit.
        let (a, b) = refs.split_at(refs.len() / 2);
        let dex: Vec<DexInput> = [a, b]
            .iter()
            .enumerate()
            .map(|(i, part)| DexInput {
                path: format!("classes{}.dex", i + 1),
                nested: false,
                dex: dex_with(part),
            })
            .collect();
        let manifest = Manifest::default();
        let native = NativeReport::default();
        let input = AppInput {
            manifest: &manifest,
            dex: &dex,
            native: &native,
            entries: &[],
            texts: &[],
        };
        let _ = detect_builtin(&input); // build the index once
        let t = std::time::Instant::now();
        let n = dex
            .iter()
            .flat_map(|d| d.dex.classes())
            .filter(|c| prefix_index().lookup(&c.descriptor).is_some())
            .count();
        println!("lookups alone: {n} matched in {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let hits = detect_builtin(&input);
        println!(
            "builtin: {} hits over {} classes in {:?}",
            hits.len(),
            names.len(),
            t.elapsed()
        );
        let exodus = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/signatures/exodus_trackers.json"
        );
        if let Ok(sigs) = crate::facts::external::load(std::path::Path::new(exodus)) {
            let t = std::time::Instant::now();
            let hits = sigs.detect(&input);
            println!("exodus: {} hits in {:?}", hits.len(), t.elapsed());
        }
        let t = std::time::Instant::now();
        let split = crate::facts::code_split::CodeSplit::of(&input);
        println!("code split: {} own in {:?}", split.own_classes, t.elapsed());
        let t = std::time::Instant::now();
        let fw = crate::facts::frameworks::detect(&input);
        println!("frameworks: {} in {:?}", fw.len(), t.elapsed());
    }
}

/// Builds real DEX files from a class list for unit tests: classes with a
/// superclass, methods whose code loads strings and invokes methods.
#[cfg(test)]
pub(crate) mod testdex {
    use crate::dex::DexFile;
    use crate::reader::Limits;
    use sha1::{Digest, Sha1};
    use std::collections::{BTreeMap, BTreeSet};

    /// One class to write.
    #[derive(Default, Clone)]
    pub(crate) struct TClass {
        pub desc: String,
        pub superclass: Option<String>,
        pub methods: Vec<TMethod>,
    }

    /// One method (`()V`) whose code loads `strings` then invokes `invokes`
    /// (`(class descriptor, method name)`, each `()V`).
    #[derive(Default, Clone)]
    pub(crate) struct TMethod {
        pub name: String,
        pub strings: Vec<String>,
        pub invokes: Vec<(String, String)>,
    }

    impl TClass {
        pub(crate) fn new(desc: &str) -> Self {
            TClass {
                desc: desc.to_string(),
                ..TClass::default()
            }
        }

        pub(crate) fn extends(mut self, superclass: &str) -> Self {
            self.superclass = Some(superclass.to_string());
            self
        }

        pub(crate) fn method(mut self, name: &str, invokes: &[(&str, &str)]) -> Self {
            self.methods.push(TMethod {
                name: name.to_string(),
                strings: Vec::new(),
                invokes: invokes
                    .iter()
                    .map(|(c, n)| (c.to_string(), n.to_string()))
                    .collect(),
            });
            self
        }
    }

    fn uleb(out: &mut Vec<u8>, mut v: u32) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }

    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }

    fn align4(out: &mut Vec<u8>) {
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    }

    fn put32(out: &mut [u8], at: usize, v: u32) {
        out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes the classes as a version-035 DEX file and parses it back.
    pub(crate) fn build(classes: &[TClass]) -> DexFile {
        let bytes = write(classes);
        let mut v = crate::dex::parse(&bytes, &Limits::default()).unwrap();
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    /// The DEX bytes.
    pub(crate) fn write(classes: &[TClass]) -> Vec<u8> {
        let mut strings: BTreeSet<String> = BTreeSet::new();
        let mut types: BTreeSet<String> = BTreeSet::new();
        let mut methods: BTreeSet<(String, String)> = BTreeSet::new();
        strings.insert("V".into());
        types.insert("V".into());
        for c in classes {
            types.insert(c.desc.clone());
            if let Some(s) = &c.superclass {
                types.insert(s.clone());
            }
            for m in &c.methods {
                methods.insert((c.desc.clone(), m.name.clone()));
                strings.extend(m.strings.iter().cloned());
                for (ic, im) in &m.invokes {
                    types.insert(ic.clone());
                    methods.insert((ic.clone(), im.clone()));
                }
            }
        }
        strings.extend(types.iter().cloned());
        strings.extend(methods.iter().map(|(_, n)| n.clone()));
        let strings: Vec<String> = strings.into_iter().collect();
        let sidx: BTreeMap<&str, u32> = strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect();
        // Types sorted by string index = sorted by string.
        let types: Vec<String> = types.into_iter().collect();
        let tidx: BTreeMap<&str, u32> = types
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect();
        let mut mlist: Vec<(u32, u32, &str, &str)> = methods
            .iter()
            .map(|(c, n)| (tidx[c.as_str()], sidx[n.as_str()], c.as_str(), n.as_str()))
            .collect();
        mlist.sort();
        let midx: BTreeMap<(&str, &str), u32> = mlist
            .iter()
            .enumerate()
            .map(|(i, (_, _, c, n))| ((*c, *n), i as u32))
            .collect();

        let string_ids_off = 0x70usize;
        let type_ids_off = string_ids_off + 4 * strings.len();
        let proto_ids_off = type_ids_off + 4 * types.len();
        let method_ids_off = proto_ids_off + 12;
        let class_defs_off = method_ids_off + 8 * mlist.len();
        let data_off = class_defs_off + 32 * classes.len();

        let mut out = vec![0u8; data_off];
        // string data
        let mut string_offs = Vec::new();
        for s in &strings {
            string_offs.push(out.len() as u32);
            uleb(&mut out, s.encode_utf16().count() as u32);
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
        // code items, then class data
        let mut class_data_offs = Vec::new();
        for c in classes {
            let mut defined: Vec<(u32, usize)> = Vec::new();
            for (k, m) in c.methods.iter().enumerate() {
                defined.push((midx[&(c.desc.as_str(), m.name.as_str())], k));
            }
            defined.sort();
            let mut code_offs = Vec::new();
            for &(_, k) in &defined {
                let m = &c.methods[k];
                align4(&mut out);
                code_offs.push(out.len() as u32);
                let mut insns: Vec<u16> = Vec::new();
                for s in &m.strings {
                    insns.push(0x001a);
                    insns.push(sidx[s.as_str()] as u16);
                }
                for (ic, im) in &m.invokes {
                    insns.push(0x0071);
                    insns.push(midx[&(ic.as_str(), im.as_str())] as u16);
                    insns.push(0);
                }
                insns.push(0x000e);
                u16le(&mut out, 1); // registers
                u16le(&mut out, 0); // ins
                u16le(&mut out, 0); // outs
                u16le(&mut out, 0); // tries
                u32le(&mut out, 0); // debug info
                u32le(&mut out, insns.len() as u32);
                for w in insns {
                    u16le(&mut out, w);
                }
            }
            if c.methods.is_empty() {
                class_data_offs.push(0u32);
                continue;
            }
            class_data_offs.push(out.len() as u32);
            uleb(&mut out, 0);
            uleb(&mut out, 0);
            uleb(&mut out, defined.len() as u32);
            uleb(&mut out, 0);
            let mut prev = 0u32;
            for (i, &(idx, _)) in defined.iter().enumerate() {
                uleb(&mut out, idx - prev);
                prev = idx;
                uleb(&mut out, 0x1);
                uleb(&mut out, code_offs[i]);
            }
        }
        align4(&mut out);
        let map_off = out.len();
        let map_items: Vec<(u16, u32, u32)> = vec![
            (0x0000, 1, 0),
            (0x0001, strings.len() as u32, string_ids_off as u32),
            (0x0002, types.len() as u32, type_ids_off as u32),
            (0x0003, 1, proto_ids_off as u32),
            (0x0005, mlist.len() as u32, method_ids_off as u32),
            (0x0006, classes.len() as u32, class_defs_off as u32),
            (0x1000, 1, map_off as u32),
        ];
        let map_items: Vec<_> = map_items.into_iter().filter(|m| m.1 > 0).collect();
        u32le(&mut out, map_items.len() as u32);
        for (ty, n, off) in &map_items {
            u16le(&mut out, *ty);
            u16le(&mut out, 0);
            u32le(&mut out, *n);
            u32le(&mut out, *off);
        }
        let file_size = out.len();

        // ids
        for (i, off) in string_offs.iter().enumerate() {
            put32(&mut out, string_ids_off + 4 * i, *off);
        }
        for (i, t) in types.iter().enumerate() {
            put32(&mut out, type_ids_off + 4 * i, sidx[t.as_str()]);
        }
        put32(&mut out, proto_ids_off, sidx["V"]);
        put32(&mut out, proto_ids_off + 4, tidx["V"]);
        put32(&mut out, proto_ids_off + 8, 0);
        for (i, (ci, ni, _, _)) in mlist.iter().enumerate() {
            let at = method_ids_off + 8 * i;
            out[at..at + 2].copy_from_slice(&(*ci as u16).to_le_bytes());
            out[at + 2..at + 4].copy_from_slice(&0u16.to_le_bytes());
            put32(&mut out, at + 4, *ni);
        }
        for (i, c) in classes.iter().enumerate() {
            let at = class_defs_off + 32 * i;
            put32(&mut out, at, tidx[c.desc.as_str()]);
            put32(&mut out, at + 4, 1);
            let sup = c
                .superclass
                .as_deref()
                .map_or(crate::dex::NO_INDEX, |s| tidx[s]);
            put32(&mut out, at + 8, sup);
            put32(&mut out, at + 12, 0);
            put32(&mut out, at + 16, crate::dex::NO_INDEX);
            put32(&mut out, at + 20, 0);
            put32(&mut out, at + 24, class_data_offs[i]);
            put32(&mut out, at + 28, 0);
        }

        // header
        out[0..8].copy_from_slice(b"dex\n035\0");
        put32(&mut out, 0x20, file_size as u32);
        put32(&mut out, 0x24, 0x70);
        put32(&mut out, 0x28, 0x1234_5678);
        put32(&mut out, 0x34, map_off as u32);
        let so = |out: &mut Vec<u8>, at: usize, n: usize, off: usize| {
            put32(out, at, n as u32);
            put32(out, at + 4, if n == 0 { 0 } else { off as u32 });
        };
        so(&mut out, 0x38, strings.len(), string_ids_off);
        so(&mut out, 0x40, types.len(), type_ids_off);
        so(&mut out, 0x48, 1, proto_ids_off);
        so(&mut out, 0x58, mlist.len(), method_ids_off);
        so(&mut out, 0x60, classes.len(), class_defs_off);
        so(&mut out, 0x68, file_size - data_off, data_off);
        let sig = Sha1::digest(&out[32..]);
        out[12..32].copy_from_slice(&sig);
        let (mut a, mut b) = (1u32, 0u32);
        for &x in &out[12..] {
            a = (a + u32::from(x)) % 65_521;
            b = (b + a) % 65_521;
        }
        put32(&mut out, 8, (b << 16) | a);
        out
    }

    #[test]
    fn written_dex_parses_back_cleanly() {
        let classes = vec![
            TClass::new("Lgov/example/Main;")
                .extends("Landroid/app/Activity;")
                .method("onCreate", &[("Landroid/webkit/WebView;", "loadUrl")]),
            TClass::new("Lcom/umeng/analytics/MobclickAgent;"),
        ];
        let dex = build(&classes);
        assert!(dex.anomalies().is_empty(), "{:?}", dex.anomalies());
        assert!(dex.checksum_valid() && dex.signature_valid());
        let main = &dex.classes()[0];
        assert_eq!(main.descriptor, "Lgov/example/Main;");
        assert_eq!(main.superclass.as_deref(), Some("Landroid/app/Activity;"));
        assert_eq!(main.methods.len(), 1);
        let called = dex.method_ref(main.invokes[0]).unwrap();
        assert_eq!(
            (called.class.as_str(), called.name.as_str()),
            ("Landroid/webkit/WebView;", "loadUrl")
        );
        assert_eq!(dex.classes()[1].methods.len(), 0);
    }
}
