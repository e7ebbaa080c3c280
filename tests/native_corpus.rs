//! `native::analyse` on every file of the real-world corpus
//! (`../shared/corpus/real`): it never panics, and for every `.so` entry that
//! binutils readelf reads, the ELF facts equal readelf's. The readelf side is
//! committed in `fixtures/native/corpus_libs.tsv`, made by
//! `fixtures/native/corpus_libs.py` (no tool runs here). Rows are matched by
//! corpus path, entry name and SHA-256, so a library is compared only when
//! both sides read the same bytes.
//!
//! Skips cleanly (printing a note) when the corpus is absent.

use fingertip::archive::Archive;
use fingertip::native::{self, NativeLib};
use fingertip::reader::Limits;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");
const TSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/native/corpus_libs.tsv"
);

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

type Row = BTreeMap<String, String>;

fn rows() -> BTreeMap<(String, String), Row> {
    let text = std::fs::read_to_string(TSV).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let mut out = BTreeMap::new();
    for line in lines {
        let row: Row = header
            .iter()
            .zip(line.split('\t'))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        out.insert((row["path"].clone(), row["entry"].clone()), row);
    }
    out
}

fn opt(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_string())
}

/// The fields readelf gives, as the TSV spells them.
fn ours(lib: &NativeLib) -> Vec<(&'static str, String)> {
    vec![
        (
            "class",
            lib.elf_class.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("endianness", lib.endianness.clone().unwrap_or_default()),
        ("machine", lib.machine.clone().unwrap_or_default()),
        ("soname", lib.soname.clone().unwrap_or_default()),
        ("needed", lib.needed.join(",")),
        ("jni_exports", lib.jni_exports.to_string()),
        ("jni_onload", u8::from(lib.jni_onload).to_string()),
        ("build_id", lib.build_id.clone().unwrap_or_default()),
    ]
}

#[test]
fn every_corpus_library_matches_readelf() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        eprintln!("note: {CORPUS} absent; skipping the native corpus comparison");
        return;
    }
    let expected = rows();
    let mut all = Vec::new();
    files(corpus, &mut all);
    let limits = Limits::default();
    let mut matched = BTreeMap::new();
    let mut disagreements = Vec::new();
    let (mut apks, mut libs) = (0, 0);
    for path in &all {
        let rel = path
            .strip_prefix(corpus)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let data = std::fs::read(path).unwrap();
        let Ok(archive) = Archive::parse(&data, &limits) else {
            continue;
        };
        apks += 1;
        let report = native::analyse(&archive, &limits);
        serde_json::to_string(&report).unwrap();
        for lib in &report.libs {
            libs += 1;
            let key = (rel.clone(), lib.path.clone());
            let Some(row) = expected.get(&key) else {
                disagreements.push(format!("{rel}: {}: no readelf row", lib.path));
                continue;
            };
            if row["sha256"] != lib.sha256 {
                // Different bytes (a damaged entry one side reads differently).
                continue;
            }
            matched.insert(key, ());
            match row["status"].as_str() {
                "ok" => {
                    for (field, value) in ours(lib) {
                        if row[field] != value {
                            disagreements.push(format!(
                                "{rel}: {}: {field}: ours {value:?}, readelf {:?}",
                                lib.path, row[field]
                            ));
                        }
                    }
                    assert_eq!(opt(&row["soname"]), lib.soname);
                }
                "not_elf" => {
                    assert_eq!(lib.elf_class, None, "{rel}: {}", lib.path);
                    assert!(
                        report
                            .anomalies
                            .iter()
                            .any(|a| a.code == "native_not_elf" && a.detail.starts_with(&lib.path)),
                        "{rel}: {}: no native_not_elf",
                        lib.path
                    );
                }
                other => eprintln!("note: {rel}: {}: readelf status {other}", lib.path),
            }
        }
    }
    let unmatched: Vec<_> = expected
        .keys()
        .filter(|k| !matched.contains_key(*k))
        .collect();
    eprintln!(
        "native corpus: {} files, {apks} archives, {libs} libraries, {} compared with readelf",
        all.len(),
        matched.len()
    );
    assert!(
        unmatched.is_empty(),
        "readelf rows never compared: {unmatched:#?}"
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(matched.len() >= 59, "{} compared", matched.len());
}
