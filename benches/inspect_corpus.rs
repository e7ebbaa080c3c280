//! Throughput benchmark: `fingertip inspect` (in one process, through the
//! library) against `aapt dump badging` (one process per APK, the way it is
//! used) over every file in `../shared/corpus/real/`, and fingertip alone
//! over the govgen collections. Prints APKs/s; asserts nothing.
//!
//! Run: `cargo bench --bench inspect_corpus`. Target: fingertip at least 5x
//! aapt's throughput on the same files.

use fingertip::inspect::inspect_path;
use fingertip::reader::Limits;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "apk") {
            out.push(p);
        }
    }
}

fn bench_fingertip(files: &[PathBuf], rounds: usize) -> (f64, usize) {
    let limits = Limits::default();
    let mut ok = 0;
    let start = Instant::now();
    for _ in 0..rounds {
        ok = 0;
        for f in files {
            if inspect_path(f, &limits).is_ok() {
                ok += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64() / rounds as f64;
    (files.len() as f64 / secs, ok)
}

fn bench_aapt(files: &[PathBuf]) -> Option<(f64, usize)> {
    Command::new("aapt").arg("version").output().ok()?;
    let mut ok = 0;
    let start = Instant::now();
    for f in files {
        let status = Command::new("aapt")
            .args(["dump", "badging"])
            .arg(f)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Some((files.len() as f64 / secs, ok))
}

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut real = Vec::new();
    files_under(&shared.join("real"), &mut real);
    if real.is_empty() {
        println!("inspect_corpus: ../shared/corpus/real not found; nothing to measure");
        return;
    }
    let (ft, ft_ok) = bench_fingertip(&real, 3);
    println!(
        "corpus/real: {} APKs; fingertip inspect {ft:.1} APKs/s ({ft_ok} inspected, rest clear errors)",
        real.len()
    );
    match bench_aapt(&real) {
        Some((aapt, aapt_ok)) => println!(
            "corpus/real: aapt dump badging {aapt:.1} APKs/s ({aapt_ok} succeeded); fingertip/aapt = {:.1}x (target >= 5x)",
            ft / aapt
        ),
        None => println!("corpus/real: aapt not installed; install Debian's aapt to compare"),
    }
    for set in ["govgen/public", "govgen/public-hard"] {
        let mut files = Vec::new();
        files_under(&shared.join(set), &mut files);
        if !files.is_empty() {
            let (rate, ok) = bench_fingertip(&files, 3);
            println!(
                "{set}: {} APKs; fingertip inspect {rate:.1} APKs/s ({ok} inspected)",
                files.len()
            );
        }
    }
}
