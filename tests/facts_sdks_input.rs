//! Builds the facts stage's input (`AppInput`) from an APK file, for the
//! `facts_sdks` and `facts_exodus` tests (included there with `#[path]`).
//! Run on its own it only checks that the fixtures load.
//!
//! DEX files: the top-level `classes*.dex` (Android's load order), then any
//! other `.dex` entry and the `classes*.dex` inside `.jar`/`.apk`/`.zip`
//! entries one level down, marked nested.
#![allow(dead_code)]

use fingertip::archive::Archive;
use fingertip::facts::{AppInput, DexInput, TextAsset};
use fingertip::manifest::Manifest;
use fingertip::native::{self, NativeReport};
use fingertip::reader::Limits;
use std::path::Path;

/// Everything an `AppInput` borrows.
pub struct Loaded {
    pub manifest: Manifest,
    pub dex: Vec<DexInput>,
    pub native: NativeReport,
    pub entries: Vec<String>,
    pub texts: Vec<TextAsset>,
}

impl Loaded {
    pub fn input(&self) -> AppInput<'_> {
        AppInput {
            manifest: &self.manifest,
            dex: &self.dex,
            native: &self.native,
            entries: &self.entries,
            texts: &self.texts,
        }
    }

    /// Only the top-level `classes*.dex`.
    pub fn top_level_only(mut self) -> Self {
        self.dex.retain(|d| !d.nested);
        self
    }
}

fn top_level_index(name: &str) -> Option<u32> {
    let middle = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if middle.is_empty() {
        Some(1)
    } else {
        middle.parse::<u32>().ok().filter(|&n| n >= 2)
    }
}

fn push_dex(out: &mut Vec<DexInput>, path: String, nested: bool, bytes: &[u8], limits: &Limits) {
    if let Ok(files) = fingertip::dex::parse(bytes, limits) {
        for dex in files {
            out.push(DexInput {
                path: path.clone(),
                nested,
                dex,
            });
        }
    }
}

/// Reads an APK; `None` when it has no readable archive or manifest.
pub fn load(path: &Path) -> Option<Loaded> {
    let data = std::fs::read(path).ok()?;
    let limits = Limits::default();
    let archive = Archive::parse(&data, &limits).ok()?;
    let manifest_bytes = archive.read_name("AndroidManifest.xml")?.ok()?;
    let doc = fingertip::axml::parse(&manifest_bytes, &limits).ok()?;
    let table = archive
        .read_name("resources.arsc")
        .and_then(Result::ok)
        .and_then(|b| fingertip::arsc::parse(&b, &limits).ok());
    let (manifest, _) = fingertip::manifest::build(&doc, table.as_ref(), &limits);

    let mut top: Vec<(u32, &fingertip::archive::Entry)> = archive
        .entries()
        .iter()
        .filter_map(|e| top_level_index(&e.name).map(|n| (n, e)))
        .collect();
    top.sort_by_key(|(n, _)| *n);
    let mut dex = Vec::new();
    for (_, e) in top {
        if let Ok(bytes) = archive.read(e) {
            push_dex(&mut dex, e.name.clone(), false, &bytes, &limits);
        }
    }
    for e in archive.entries() {
        if e.is_dir() || top_level_index(&e.name).is_some() {
            continue;
        }
        let lower = e.name.to_ascii_lowercase();
        if lower.ends_with(".dex") {
            if let Ok(bytes) = archive.read(e) {
                push_dex(&mut dex, e.name.clone(), true, &bytes, &limits);
            }
        } else if [".jar", ".apk", ".zip"].iter().any(|x| lower.ends_with(x)) {
            let Ok(bytes) = archive.read(e) else { continue };
            let Ok(inner) = Archive::parse_nested(&bytes, &limits, 1) else {
                continue;
            };
            for ie in inner.entries() {
                if top_level_index(&ie.name).is_some() {
                    if let Ok(b) = inner.read(ie) {
                        push_dex(
                            &mut dex,
                            format!("{}!/{}", e.name, ie.name),
                            true,
                            &b,
                            &limits,
                        );
                    }
                }
            }
        }
    }
    let native = native::analyse(&archive, &limits);
    let entries = archive.entries().iter().map(|e| e.name.clone()).collect();
    Some(Loaded {
        manifest,
        dex,
        native,
        entries,
        texts: Vec::new(),
    })
}

/// A fixture APK under `fixtures/apks/`.
pub fn fixture(name: &str) -> Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/apks")
        .join(format!("{name}.apk"));
    load(&path).unwrap_or_else(|| panic!("{} unreadable", path.display()))
}

#[test]
fn fixtures_load() {
    for name in ["sdkzoo", "flutterish", "webshell"] {
        let l = fixture(name);
        assert!(!l.dex.is_empty(), "{name}");
        assert!(!l.manifest.package.is_empty(), "{name}");
    }
    let zoo = fixture("sdkzoo");
    let paths: Vec<(&str, bool)> = zoo
        .dex
        .iter()
        .map(|d| (d.path.as_str(), d.nested))
        .collect();
    assert_eq!(
        paths,
        [
            ("classes.dex", false),
            ("classes2.dex", false),
            ("assets/patch.jar!/classes.dex", true),
            ("assets/plugin.dex", true),
        ]
    );
}
