//! Replays every input under `tests/regressions/<target>/` through the same
//! calls as the fuzz target of that name (see `fuzz/`). A file lands there
//! when the fuzzer (or a property test) found it crashing a decoder; each
//! must now decode or fail cleanly, forever.

use fingertip::archive::Archive;
use fingertip::reader::Limits;
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.file_name()
            .is_some_and(|n| n != ".keep" && n != "README.md")
    });
    files.sort();
    files
}

fn small_limits() -> Limits {
    Limits {
        max_entry_size: 1 << 20,
        max_total_inflated: 4 << 20,
        ..Limits::default()
    }
}

#[test]
fn archive_regressions() {
    for path in inputs("archive") {
        let data = std::fs::read(&path).unwrap();
        if let Ok(archive) = Archive::parse(&data, &small_limits()) {
            for entry in archive.entries() {
                let _ = archive.read(entry);
            }
        }
    }
}

#[test]
fn axml_regressions() {
    for path in inputs("axml") {
        let data = std::fs::read(&path).unwrap();
        if let Ok(doc) = fingertip::axml::parse(&data, &Limits::default()) {
            let _ = fingertip::axml::to_xml(&doc);
        }
    }
}

#[test]
fn arsc_regressions() {
    let limits = Limits::default();
    for path in inputs("arsc") {
        let data = std::fs::read(&path).unwrap();
        if let Ok(table) = fingertip::arsc::parse(&data, &limits) {
            for id in table.ids() {
                let _ = table.resolve(id, &limits);
                let _ = table.string_by_locale(id, &limits);
                let _ = table.file_path(id);
            }
        }
    }
}

#[test]
fn dex_regressions() {
    for path in inputs("dex") {
        let data = std::fs::read(&path).unwrap();
        if let Ok(dexes) = fingertip::dex::parse(&data, &Limits::default()) {
            for d in &dexes {
                for class in d.classes() {
                    for &i in &class.invokes {
                        let _ = d.method_ref(i);
                    }
                    for &i in &class.strings {
                        let _ = d.string(i);
                    }
                }
            }
        }
    }
}

#[test]
fn inspect_regressions() {
    for path in inputs("inspect") {
        let data = std::fs::read(&path).unwrap();
        if let Ok(report) =
            fingertip::inspect::inspect_bytes("regression.apk", &data, &small_limits())
        {
            let _ = fingertip::inspect::render_text(&report);
        }
    }
}

#[test]
fn signing_regressions() {
    for path in inputs("signing") {
        let data = std::fs::read(&path).unwrap();
        if let Ok(archive) = Archive::parse(&data, &small_limits()) {
            let report = fingertip::signing::analyse(&archive, &small_limits());
            let _ = serde_json::to_string(&report).unwrap();
        }
    }
}
