//! Every `classes*.dex` of every APK in the shared real-world corpus:
//! parses without panicking, every recorded index resolves, and the class
//! list agrees with `dexdump` (recorded in `fixtures/dex/corpus_classes.tsv`
//! by `fixtures/dex/corpus_expected.py`). Skips when the corpus is absent.

use fingertip::archive::Archive;
use fingertip::dex;
use fingertip::reader::Limits;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn is_dex_name(name: &str) -> bool {
    name.strip_prefix("classes")
        .and_then(|r| r.strip_suffix(".dex"))
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

/// (apk, entry) -> (dexdump status, class count, hash prefix)
fn expected() -> BTreeMap<(String, String), (String, String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dex/corpus_classes.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("apk\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                (f[0].to_string(), f[1].to_string()),
                (f[2].to_string(), f[3].to_string(), f[4].to_string()),
            )
        })
        .collect()
}

fn descriptor_hash(classes: &[dex::ClassDef]) -> String {
    let mut names: Vec<&str> = classes.iter().map(|c| c.descriptor.as_str()).collect();
    names.sort_unstable();
    let digest = Sha256::digest(names.join("\n").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[test]
fn corpus_dex_files_agree_with_dexdump() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!("note: {CORPUS} absent; DEX corpus test skipped");
        return;
    }
    let expected = expected();
    let limits = Limits::default();
    let mut all = Vec::new();
    files(root, &mut all);
    all.sort();
    let mut seen = 0usize;
    let mut agree = 0usize;
    let mut disagreements = Vec::new();
    let mut anomaly_codes: BTreeMap<&'static str, usize> = BTreeMap::new();
    for path in &all {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let Ok(archive) = Archive::parse(&data, &limits) else {
            continue;
        };
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut names_done = std::collections::HashSet::new();
        for entry in archive.entries() {
            if !is_dex_name(&entry.name) || !names_done.insert(entry.name.clone()) {
                continue;
            }
            let Ok(bytes) = archive.read(entry) else {
                continue;
            };
            let parsed = dex::parse(&bytes, &limits);
            // Every recorded index resolves (or cleanly does not).
            if let Ok(dexes) = &parsed {
                for d in dexes {
                    for a in d.anomalies() {
                        *anomaly_codes.entry(a.code).or_default() += 1;
                    }
                    for c in d.classes() {
                        for &i in &c.invokes {
                            assert!(
                                d.method_ref(i).is_some(),
                                "{rel}!{}: method {i}",
                                entry.name
                            );
                        }
                        for &i in &c.strings {
                            assert!(d.string(i).is_some(), "{rel}!{}: string {i}", entry.name);
                        }
                    }
                }
            }
            let key = (rel.clone(), entry.name.clone());
            let Some((status, count, hash)) = expected.get(&key) else {
                continue;
            };
            seen += 1;
            if status != "ok" {
                continue;
            }
            let ours = match &parsed {
                Ok(dexes) => {
                    let classes: Vec<dex::ClassDef> =
                        dexes.iter().flat_map(|d| d.classes().to_vec()).collect();
                    (classes.len().to_string(), descriptor_hash(&classes))
                }
                Err(e) => (format!("error: {e}"), String::new()),
            };
            if &ours.0 == count && &ours.1 == hash {
                agree += 1;
            } else {
                disagreements.push(format!(
                    "{rel}!{}: dexdump {count} classes {hash}, fingertip {} {}",
                    entry.name, ours.0, ours.1
                ));
            }
        }
    }
    eprintln!(
        "dex corpus: {agree} of {} dexdump rows agree, {seen} rows found; anomalies: {anomaly_codes:?}",
        expected.len()
    );
    assert_eq!(
        seen,
        expected.len(),
        "some rows of corpus_classes.tsv were not found"
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// Prints parse + walk throughput on the largest corpus DEX files (no
/// assertion: speed is for benchmarks). Run with
/// `cargo test --release --test dex_corpus -- --ignored --nocapture`.
#[test]
#[ignore]
fn dex_speed_report() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!("note: {CORPUS} absent; skipped");
        return;
    }
    let limits = Limits::default();
    let mut all = Vec::new();
    files(root, &mut all);
    let mut dexes: Vec<(usize, String, Vec<u8>)> = Vec::new();
    for path in &all {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let Ok(archive) = Archive::parse(&data, &limits) else {
            continue;
        };
        for entry in archive.entries() {
            if is_dex_name(&entry.name) {
                if let Ok(bytes) = archive.read(entry) {
                    let name = format!("{}!{}", path.display(), entry.name);
                    dexes.push((bytes.len(), name, bytes));
                }
            }
        }
    }
    dexes.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (len, name, bytes) in dexes.iter().take(3) {
        let runs = 20;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            std::hint::black_box(dex::parse(bytes, &limits).unwrap());
        }
        let per = start.elapsed() / runs;
        let mbs = *len as f64 / per.as_secs_f64() / 1e6;
        eprintln!("{name}: {len} bytes, {per:?} per parse, {mbs:.0} MB/s");
    }
}
