//! Throughput benchmark over every APK in `../shared/corpus/real/` (and the
//! govgen collections when present). Prints figures; asserts nothing.
//!
//! 1. `inspect --scope manifest` (manifest, resources, signing: what
//!    `aapt dump badging` covers) in one process, against `aapt dump
//!    badging` run on each file. Target: at least 5x aapt.
//! 2. Full `inspect` (adds DEX, native libraries, facts, screens) in APKs/s,
//!    what screens add over `--scope code` (target: at most 30%), and the
//!    DEX decoder alone in MB/s of DEX.
//! 3. Full `inspect` against androguard's `AnalyzeAPK` on the same sample
//!    of files, one process each, same run (`FINGERTIP_BENCH_ANDROGUARD=N`
//!    sets the sample size, default 40; 0 skips). Target: at least 50x.
//!
//! Run: `cargo bench --bench inspect_corpus`.
//! `FINGERTIP_BENCH_SCREENS_ONLY=1` measures only what screens add (full
//! against `--scope code`, interleaved rounds) on corpus/real and each
//! govgen set; `FINGERTIP_BENCH_ROUNDS=N` sets its rounds (default 5),
//! `FINGERTIP_BENCH_SETS=real,govgen/public` limits the sets.

use fingertip::archive::Archive;
use fingertip::inspect::{inspect_path_with, Options, Scope};
use fingertip::reader::Limits;
use std::io::Write;
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

/// APKs/s of `inspect` at `scope`, best of `rounds`, and how many succeeded.
fn bench_inspect(files: &[PathBuf], scope: Scope, rounds: usize) -> (f64, usize) {
    let limits = Limits::default();
    let options = Options {
        scope,
        ..Options::default()
    };
    let mut best = f64::MAX;
    let mut ok = 0;
    for _ in 0..rounds {
        ok = 0;
        let start = Instant::now();
        for f in files {
            if inspect_path_with(f, &limits, &options).is_ok() {
                ok += 1;
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    (files.len() as f64 / best, ok)
}

/// Reads every file and inflates its `classes*.dex` entries; returns the
/// DEX bytes and the seconds spent (best of 3): the floor "just inflating
/// the DEX" that full analysis is measured against.
fn inflate_dex(files: &[PathBuf]) -> (Vec<Vec<u8>>, f64) {
    let limits = Limits::default();
    let mut best = f64::MAX;
    let mut dexes = Vec::new();
    for _ in 0..3 {
        dexes.clear();
        let start = Instant::now();
        for f in files {
            let Ok(data) = std::fs::read(f) else { continue };
            let Ok(archive) = Archive::parse(&data, &limits) else {
                continue;
            };
            for e in archive.entries() {
                if e.name.starts_with("classes") && e.name.ends_with(".dex") {
                    if let Ok(bytes) = archive.read(e) {
                        dexes.push(bytes);
                    }
                }
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    (dexes, best)
}

/// MB/s of DEX decoding alone (entries inflated beforehand), best of 3.
fn bench_dex(dexes: &[Vec<u8>]) -> (f64, f64) {
    let limits = Limits::default();
    let mb = dexes.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        for d in dexes {
            let _ = fingertip::dex::parse(d, &limits);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    (mb, mb / best)
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
    Some((files.len() as f64 / start.elapsed().as_secs_f64(), ok))
}

/// Seconds androguard's AnalyzeAPK needs for `files` in one process.
fn bench_androguard(files: &[PathBuf]) -> Option<(f64, usize)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/androguard_analyze.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    {
        let mut stdin = child.stdin.take()?;
        for f in files {
            writeln!(stdin, "{}", f.display()).ok()?;
        }
    }
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let secs: f64 = parts.next()?.parse().ok()?;
    let ok: usize = parts.next()?.parse().ok()?;
    Some((secs, ok))
}

/// Seconds for one pass of `inspect` at `scope` over `files`.
fn one_pass(files: &[PathBuf], scope: Scope) -> f64 {
    let limits = Limits::default();
    let options = Options {
        scope,
        ..Options::default()
    };
    let start = Instant::now();
    for f in files {
        let _ = inspect_path_with(f, &limits, &options);
    }
    start.elapsed().as_secs_f64()
}

/// What screens add over `--scope code` on `files`: rounds alternate the
/// two scopes (so machine load drifts hit both alike); best of each.
fn screens_overhead(name: &str, files: &[PathBuf], rounds: usize) {
    let (mut code, mut full) = (f64::MAX, f64::MAX);
    for _ in 0..rounds {
        code = code.min(one_pass(files, Scope::Code));
        full = full.min(one_pass(files, Scope::Full));
    }
    println!(
        "{name}: {} APKs; --scope code {code:.3} s, full {full:.3} s: screens add {:.1}% (target <= 30%)",
        files.len(),
        (full / code - 1.0) * 100.0
    );
}

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if std::env::var_os("FINGERTIP_BENCH_SCREENS_ONLY").is_some() {
        let rounds = std::env::var("FINGERTIP_BENCH_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        let only = std::env::var("FINGERTIP_BENCH_SETS").ok();
        for set in ["real", "govgen/public", "govgen/public-hard"] {
            if only
                .as_deref()
                .is_some_and(|o| !o.split(',').any(|x| x == set))
            {
                continue;
            }
            let mut files = Vec::new();
            files_under(&shared.join(set), &mut files);
            if !files.is_empty() {
                screens_overhead(set, &files, rounds);
            }
        }
        return;
    }
    let mut real = Vec::new();
    files_under(&shared.join("real"), &mut real);
    if real.is_empty() {
        println!("inspect_corpus: ../shared/corpus/real not found; nothing to measure");
        return;
    }
    let n = real.len();
    let (manifest_rate, manifest_ok) = bench_inspect(&real, Scope::Manifest, 3);
    println!("corpus/real: {n} APKs; inspect --scope manifest {manifest_rate:.1} APKs/s ({manifest_ok} inspected, rest clear errors)");
    match bench_aapt(&real) {
        Some((aapt, aapt_ok)) => println!(
            "corpus/real: aapt dump badging {aapt:.1} APKs/s ({aapt_ok} succeeded); manifest inspect / aapt = {:.1}x (target >= 5x)",
            manifest_rate / aapt
        ),
        None => println!("corpus/real: aapt not installed; install Debian's aapt to compare"),
    }
    let (code_rate, _) = bench_inspect(&real, Scope::Code, 3);
    let (full_rate, full_ok) = bench_inspect(&real, Scope::Full, 3);
    println!("corpus/real: full inspect {full_rate:.1} APKs/s ({full_ok} inspected); without screens (--scope code) {code_rate:.1} APKs/s: screens add {:.0}% (target <= 30%)", (code_rate / full_rate - 1.0) * 100.0);
    let (dexes, inflate_secs) = inflate_dex(&real);
    let (mb, dex_rate) = bench_dex(&dexes);
    println!("corpus/real: DEX decoding {dex_rate:.0} MB/s over {mb:.1} MB of classes*.dex (parse + bytecode walk + checksum + SHA-1)");
    let full_secs = n as f64 / full_rate;
    println!(
        "corpus/real: reading + inflating the DEX alone takes {inflate_secs:.2} s; full inspect {full_secs:.2} s = {:.1}x that",
        full_secs / inflate_secs
    );

    let sample_size: usize = std::env::var("FINGERTIP_BENCH_ANDROGUARD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    if sample_size > 0 {
        let step = (n / sample_size.min(n)).max(1);
        let sample: Vec<PathBuf> = real
            .iter()
            .step_by(step)
            .take(sample_size)
            .cloned()
            .collect();
        let (ft_rate, _) = bench_inspect(&sample, Scope::Full, 3);
        match bench_androguard(&sample) {
            Some((secs, ok)) => {
                let ag_rate = sample.len() as f64 / secs;
                println!(
                    "sample of {}: androguard AnalyzeAPK {ag_rate:.2} APKs/s ({ok} ok, {:.2} s/APK); full inspect {ft_rate:.1} APKs/s; fingertip/androguard = {:.0}x (target >= 50x)",
                    sample.len(),
                    secs / sample.len() as f64,
                    ft_rate / ag_rate
                );
            }
            None => {
                println!("androguard not installed (pip install androguard); comparison skipped")
            }
        }
    }
    for set in ["govgen/public", "govgen/public-hard"] {
        let mut files = Vec::new();
        files_under(&shared.join(set), &mut files);
        if !files.is_empty() {
            let (code, _) = bench_inspect(&files, Scope::Code, 3);
            let (rate, ok) = bench_inspect(&files, Scope::Full, 3);
            println!(
                "{set}: {} APKs; full inspect {rate:.1} APKs/s ({ok} inspected); screens add {:.0}%",
                files.len(),
                (code / rate - 1.0) * 100.0
            );
        }
    }
}
