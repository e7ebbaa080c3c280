//! fingertip's Exodus hits against Exodus's own method.
//!
//! `fixtures/facts/exodus_expected.py` runs Exodus's method (dexdump's
//! output, its perl class-name regex, `re.search` with each tracker's
//! `code_signature`) over every APK of the shared corpus and records the
//! tracker ids in `fixtures/facts/exodus_expected.tsv`. Here the same
//! tracker list is loaded the way `--signatures` loads it and fingertip's
//! Exodus hits must give the same ids for every APK, except for the
//! accepted differences listed in `fixtures/facts/README.md` (each with its
//! reason). Skips when the shared folder is absent.

#[path = "facts_sdks_input.rs"]
mod input;

use fingertip::facts::code_split::CodeSplit;
use fingertip::facts::external::{self, ExternalSignatures};
use fingertip::facts::{frameworks, sdks};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

/// path -> (status, tracker ids)
fn expected() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/facts/exodus_expected.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("apk\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let ids = f[3]
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (f[0].to_string(), (f[1].to_string(), ids))
        })
        .collect()
}

#[test]
fn exodus_hits_match_exodus_method_on_the_corpus() {
    let sigs_path = Path::new(SHARED).join("signatures/exodus_trackers.json");
    if !sigs_path.is_file() || !Path::new(SHARED).join("corpus").is_dir() {
        eprintln!("note: {SHARED} absent; Exodus corpus test skipped");
        return;
    }
    let sigs = external::load(&sigs_path).unwrap();
    assert!(matches!(sigs, ExternalSignatures::Exodus(_)));
    // Every pattern of the list compiles with the regex crate.
    assert!(sigs.warnings().is_empty(), "{:?}", sigs.warnings());
    let expected = expected();
    let mut compared = 0usize;
    let mut agree = 0usize;
    let mut with_trackers = 0usize;
    let mut diffs = Vec::new();
    for (rel, (status, want)) in &expected {
        let path = Path::new(SHARED).join(rel);
        if !path.is_file() {
            continue;
        }
        let got: BTreeSet<String> = match input::load(&path) {
            Some(l) => sigs
                .detect(&l.input())
                .into_iter()
                .map(|h| h.id.trim_start_matches("exodus:").to_string())
                .collect(),
            None => BTreeSet::new(),
        };
        compared += 1;
        if !want.is_empty() {
            with_trackers += 1;
        }
        if &got == want {
            agree += 1;
        } else {
            diffs.push(format!(
                "{rel} ({status}): exodus {want:?}, fingertip {got:?}"
            ));
        }
    }
    println!("{agree}/{compared} APKs agree ({with_trackers} with trackers)");
    for d in &diffs {
        println!("{d}");
    }
    assert!(diffs.is_empty(), "{} disagreements", diffs.len());
}

/// How long detection takes on the corpus APK with the most classes.
/// Prints, asserts nothing about time; run with
/// `cargo test --release --test facts_exodus -- --ignored --nocapture`.
#[test]
#[ignore = "timing probe, run on demand"]
fn detect_cost_on_the_largest_corpus_app() {
    let corpus = Path::new(SHARED).join("corpus");
    let sigs_path = Path::new(SHARED).join("signatures/exodus_trackers.json");
    let lc_path = Path::new(SHARED).join("signatures/libchecker_rules.json");
    if !corpus.is_dir() || !sigs_path.is_file() || !lc_path.is_file() {
        eprintln!("note: {SHARED} absent; timing probe skipped");
        return;
    }
    let mut best: Option<(usize, String)> = None;
    for rel in expected().keys() {
        let path = Path::new(SHARED).join(rel);
        if let Some(l) = input::load(&path) {
            let n: usize = l.dex.iter().map(|d| d.dex.classes().len()).sum();
            if best.as_ref().is_none_or(|(m, _)| n > *m) {
                best = Some((n, rel.clone()));
            }
        }
    }
    let (classes, rel) = best.unwrap();
    let app = input::load(&Path::new(SHARED).join(&rel)).unwrap();
    let extra = [
        external::load(&sigs_path).unwrap(),
        external::load(&lc_path).unwrap(),
    ];
    let input = app.input();
    let _ = sdks::detect(&input, &[]); // build the builtin index once
    let time = |what: &str, f: &dyn Fn() -> usize| {
        let runs = 20u32;
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..runs {
            n = f();
        }
        println!("{what}: {n} results, {:?} per run", t.elapsed() / runs);
    };
    println!("{rel}: {classes} classes in {} DEX files", app.dex.len());
    time("sdks::detect (builtin)", &|| {
        sdks::detect(&input, &[]).len()
    });
    time("sdks::detect (builtin + Exodus + LibChecker)", &|| {
        sdks::detect(&input, &extra).len()
    });
    time("frameworks::detect", &|| frameworks::detect(&input).len());
    time("CodeSplit::of", &|| CodeSplit::of(&input).own_classes);
}
