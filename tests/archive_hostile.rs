//! The archive module against hostile zips (fixtures/hostile, made by
//! make_hostile.py), random mutations of a valid one, and the real-world
//! corpus in ../shared/corpus/real when it is present.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

use fingertip::archive::{Archive, ArchiveError, EntryError};
use fingertip::reader::Limits;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// A global allocator that remembers, per thread, the largest single request:
// proof that a zip bomb declaring 2 GiB never makes us allocate it.

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|c| {
        if size > c.get() {
            c.set(size);
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn largest_alloc_reset() {
    LARGEST.with(|c| c.set(0));
}

fn largest_alloc() -> usize {
    LARGEST.with(|c| c.get())
}

// ---------------------------------------------------------------------------

/// Contents make_hostile.py puts in every archive.
fn manifest() -> Vec<u8> {
    let mut v = b"\x03\x00\x08\x00".to_vec();
    for _ in 0..4 {
        v.extend_from_slice(b"\x00fake-binary-xml-manifest");
    }
    v
}

fn dex() -> Vec<u8> {
    let mut v = b"dex\n035\x00".to_vec();
    for _ in 0..4 {
        v.extend(0..=255u8);
    }
    v
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/hostile")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn codes(a: &Archive<'_>) -> Vec<&'static str> {
    let mut c: Vec<_> = a.anomalies().iter().map(|x| x.code).collect();
    c.sort_unstable();
    c
}

fn detail(a: &Archive<'_>, code: &str) -> String {
    a.anomalies()
        .iter()
        .filter(|x| x.code == code)
        .map(|x| x.detail.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Both base entries read back with their true contents.
fn assert_apk_readable(a: &Archive<'_>) {
    assert_eq!(
        a.read_name("AndroidManifest.xml").unwrap().unwrap(),
        manifest()
    );
    assert_eq!(a.read_name("classes.dex").unwrap().unwrap(), dex());
}

fn open(bytes: &[u8]) -> Archive<'_> {
    Archive::parse(bytes, &Limits::default()).unwrap()
}

#[test]
fn valid() {
    let z = fixture("valid.zip");
    let a = open(&z);
    assert_eq!(codes(&a), Vec::<&str>::new());
    assert_apk_readable(&a);
    assert!(a.read_anomalies().is_empty());
    assert_eq!(a.prefix_len(), 0);
}

#[test]
fn fake_encryption_flag_is_ignored() {
    let z = fixture("fake_encryption.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_fake_encryption_flag"]);
    assert!(detail(&a, "zip_fake_encryption_flag").contains("\"classes.dex\""));
    assert_apk_readable(&a);
}

#[test]
fn unknown_method_really_deflated() {
    let z = fixture("unknown_method_deflated.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_unknown_method"]);
    assert_apk_readable(&a);
    let log = a.read_anomalies();
    assert_eq!(log.len(), 1);
    assert!(
        log[0].detail.contains("read as deflate (CRC matches)"),
        "{log:?}"
    );
}

#[test]
fn unknown_method_really_stored() {
    let z = fixture("unknown_method_stored.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_unknown_method"]);
    assert_apk_readable(&a);
    let log = a.read_anomalies();
    assert!(log[0].detail.contains("read as stored"), "{log:?}");
}

#[test]
fn data_descriptors_use_central_directory_sizes() {
    let z = fixture("data_descriptor.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_data_descriptor", "zip_data_descriptor"]);
    assert_apk_readable(&a);
}

#[test]
fn lying_local_header_loses_to_the_central_directory() {
    let z = fixture("local_header_mismatch.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_local_header_mismatch"]);
    let d = detail(&a, "zip_local_header_mismatch");
    for part in [
        "\"classes.dex\"",
        "name (local \"decoy/not-classes.dex\")",
        "method",
        "crc32",
        "compressed size",
        "uncompressed size",
    ] {
        assert!(d.contains(part), "{part} missing from {d}");
    }
    // Reading works only if the data offset uses the local header's own
    // (longer) name length, as Android does.
    assert_apk_readable(&a);
    assert!(a.read_anomalies().is_empty());
}

#[test]
fn prepended_data_is_compensated() {
    for name in ["prepended.zip", "prepended_fixed_offsets.zip"] {
        let z = fixture(name);
        let a = open(&z);
        assert_eq!(codes(&a), ["zip_prepended_data"], "{name}");
        assert_eq!(a.prefix_len(), 1024, "{name}");
        assert_eq!(a.entries()[0].local_header_offset, 1024, "{name}");
        assert_apk_readable(&a);
    }
}

#[test]
fn eocd_followed_by_comment() {
    let z = fixture("eocd_comment.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_eocd_comment"]);
    assert_eq!(a.comment(), b"channel=gov-store;build=42");
    assert_apk_readable(&a);
}

#[test]
fn gap_between_cd_and_eocd() {
    let z = fixture("cd_gap.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_cd_gap"]);
    assert_apk_readable(&a);
}

#[test]
fn duplicated_eocd_uses_the_last_one_like_android() {
    let z = fixture("eocd_duplicated.zip");
    let a = open(&z);
    // The copy in the comment is the last record and ends at end of file:
    // libziparchive's choice and ours. The original record, now between the
    // central directory and the EOCD used, shows up as a gap.
    assert_eq!(codes(&a), ["zip_cd_gap", "zip_multiple_eocd"]);
    assert_eq!(a.eocd_offset(), z.len() as u64 - 22);
    assert!(detail(&a, "zip_multiple_eocd").contains("libziparchive makes the same choice"));
    assert_apk_readable(&a);
}

#[test]
fn eocd_signature_inside_comment_is_skipped() {
    let z = fixture("eocd_in_comment.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_eocd_comment", "zip_multiple_eocd"]);
    let d = detail(&a, "zip_multiple_eocd");
    assert!(d.contains("refuses the file"), "{d}");
    assert_apk_readable(&a);
}

#[test]
fn duplicate_names_return_the_first() {
    let z = fixture("duplicate_names.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_duplicate_entry"]);
    assert!(detail(&a, "zip_duplicate_entry").contains("Android 10"));
    assert_eq!(a.entries().len(), 3);
    assert_apk_readable(&a);
    assert_eq!(
        a.read(&a.entries()[2]).unwrap(),
        b"second manifest: never seen by lookups"
    );
}

#[test]
fn evil_names_are_reported_not_used() {
    let z = fixture("evil_names.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_suspicious_entry_name"; 5]);
    let d = detail(&a, "zip_suspicious_entry_name");
    for part in [
        "'..' path component",
        "absolute path",
        "drive letter",
        "backslash",
        "control character",
        "NUL byte",
    ] {
        assert!(d.contains(part), "{part} missing from {d}");
    }
    assert_apk_readable(&a);
    assert_eq!(a.read_name("../evil").unwrap().unwrap(), b"1");
    assert_eq!(a.read_name("nul\0name").unwrap().unwrap(), b"5");
}

#[test]
fn bomb_declared_small_is_stopped() {
    let z = fixture("bomb_declared_small.zip");
    let a = open(&z);
    assert_eq!(codes(&a), Vec::<&str>::new());
    let bomb = a.entry("assets/bomb.bin").unwrap();
    assert_eq!(bomb.uncompressed_size, 1000);
    largest_alloc_reset();
    let err = a.read(bomb).unwrap_err();
    assert!(matches!(err, EntryError::CompressionRatio { .. }), "{err}");
    assert_eq!(err.code(), "zip_bomb_ratio");
    assert!(largest_alloc() <= (1 << 20) + 1, "{}", largest_alloc());

    let small = Limits {
        max_entry_size: 64 << 10,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &small).unwrap();
    largest_alloc_reset();
    let err = a.read_name("assets/bomb.bin").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large", "{err}");
    assert!(largest_alloc() <= (64 << 10) + 1, "{}", largest_alloc());
    assert_eq!(
        a.read_name("AndroidManifest.xml").unwrap().unwrap(),
        manifest()
    );
}

#[test]
fn bomb_declared_huge_never_allocates_the_declared_size() {
    let z = fixture("bomb_declared_huge.zip");
    let a = open(&z);
    let bomb = a.entry("assets/bomb.bin").unwrap();
    assert_eq!(bomb.uncompressed_size, 2 << 30);
    largest_alloc_reset();
    let err = a.read(bomb).unwrap_err();
    assert_eq!(err.code(), "zip_bomb_ratio", "{err}");
    assert!(largest_alloc() < 4 << 20, "{}", largest_alloc());

    let small = Limits {
        max_entry_size: 100_000,
        max_compression_ratio: 1000,
        ratio_floor: 1 << 30,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &small).unwrap();
    largest_alloc_reset();
    let err = a.read_name("assets/bomb.bin").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large", "{err}");
    assert!(largest_alloc() <= 100_001, "{}", largest_alloc());

    // With the budget as the tightest cap, the error says so.
    let budget = Limits {
        max_total_inflated: 200_000,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &budget).unwrap();
    assert_eq!(
        a.read_name("AndroidManifest.xml").unwrap().unwrap(),
        manifest()
    );
    let err = a.read_name("assets/bomb.bin").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_inflate_budget_exhausted", "{err}");
}

#[test]
fn truncated_file_is_not_a_zip() {
    let z = fixture("truncated.zip");
    assert_eq!(
        Archive::parse(&z, &Limits::default()).unwrap_err(),
        ArchiveError::NotZip
    );
}

#[test]
fn truncated_central_directory_keeps_what_is_there() {
    let z = fixture("cd_truncated.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_cd_truncated", "zip_entry_count_mismatch"]);
    assert_eq!(a.entries().len(), 2);
    assert_apk_readable(&a);

    let z = fixture("cd_truncated_beyond_repair.zip");
    let err = Archive::parse(&z, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            err,
            ArchiveError::TruncatedCentralDirectory { declared: 2, .. }
        ),
        "{err}"
    );
}

#[test]
fn entry_count_disagreement() {
    let z = fixture("entry_count_mismatch.zip");
    let a = open(&z);
    assert_eq!(codes(&a), ["zip_entry_count_mismatch"]);
    assert!(detail(&a, "zip_entry_count_mismatch").contains("declares 5 entries"));
    assert_apk_readable(&a);
}

#[test]
fn crc_mismatch_still_returns_the_data() {
    let z = fixture("crc_mismatch.zip");
    let a = open(&z);
    assert_eq!(codes(&a), Vec::<&str>::new());
    assert_apk_readable(&a);
    let log = a.read_anomalies();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].code, "zip_crc_mismatch");
    assert!(log[0].detail.contains("\"classes.dex\""));
}

#[test]
fn corrupt_deflate_fails_that_entry_only() {
    let z = fixture("corrupt_deflate.zip");
    let a = open(&z);
    let err = a.read_name("classes.dex").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_corrupt_deflate", "{err}");
    assert_eq!(
        a.read_name("AndroidManifest.xml").unwrap().unwrap(),
        manifest()
    );
}

#[test]
fn zip64() {
    let z = fixture("zip64.zip");
    let a = open(&z);
    assert_eq!(codes(&a), Vec::<&str>::new());
    assert!(a.is_zip64());
    assert!(a.entries().iter().all(|e| e.zip64));
    assert_apk_readable(&a);
}

#[test]
fn empty_and_not_a_zip() {
    assert_eq!(
        Archive::parse(&fixture("empty.zip"), &Limits::default()).unwrap_err(),
        ArchiveError::Empty
    );
    assert_eq!(
        Archive::parse(&fixture("not_a_zip.zip"), &Limits::default()).unwrap_err(),
        ArchiveError::NotZip
    );
}

#[test]
fn zip_crate_agrees_on_well_formed_fixtures() {
    for name in [
        "valid.zip",
        "zip64.zip",
        "data_descriptor.zip",
        "eocd_comment.zip",
    ] {
        let z = fixture(name);
        let ours = open(&z);
        let mut theirs = zip::ZipArchive::new(std::io::Cursor::new(&z)).unwrap();
        let their_names: Vec<String> = (0..theirs.len())
            .map(|i| theirs.by_index_raw(i).unwrap().name().unwrap().to_string())
            .collect();
        let our_names: Vec<String> = ours.entries().iter().map(|e| e.name.clone()).collect();
        assert_eq!(our_names, their_names, "{name}");
    }
}

/// Every fixture, under default and under tiny limits: no panic, and every
/// entry either reads or fails with an EntryError.
#[test]
fn every_fixture_under_tiny_limits() {
    let tiny = Limits {
        max_entries: 3,
        max_entry_size: 512,
        max_total_inflated: 2048,
        max_compression_ratio: 2,
        ratio_floor: 64,
        max_name_len: 12,
        ..Limits::default()
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile");
    let mut n = 0;
    for f in std::fs::read_dir(dir).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "zip") {
            let z = std::fs::read(&path).unwrap();
            for limits in [&Limits::default(), &tiny] {
                if let Ok(a) = Archive::parse(&z, limits) {
                    assert!(a.entries().len() <= limits.max_entries);
                    for e in a.entries() {
                        if let Ok(d) = a.read(e) {
                            assert!(d.len() as u64 <= limits.max_entry_size);
                        }
                    }
                    assert!(
                        a.inflated_total() <= limits.max_total_inflated + limits.max_entry_size
                    );
                }
            }
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} fixtures found: run make_hostile.py");
}

fn parse_and_read_all(bytes: &[u8], limits: &Limits) {
    if let Ok(a) = Archive::parse(bytes, limits) {
        for e in a.entries() {
            let _ = a.read(e);
        }
        let _ = a.read_anomalies();
        let _ = a.entry("classes.dex");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random byte overwrites (and an optional truncation) of valid and
    /// zip64 archives never make parsing or reading panic.
    #[test]
    fn mutated_zip_never_panics(
        which in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let base = fixture(["valid.zip", "zip64.zip", "data_descriptor.zip"][which]);
        let mut z = base.clone();
        for (at, v) in &edits {
            let i = at.index(z.len());
            z[i] = *v;
        }
        if let Some(c) = cut {
            z.truncate(c.index(z.len() + 1));
        }
        let limits = Limits { max_entry_size: 1 << 20, max_total_inflated: 4 << 20, ..Limits::default() };
        parse_and_read_all(&z, &limits);
    }

    /// Mutations concentrated on the central directory and EOCD (the last
    /// ~150 bytes), where one byte changes the meaning of everything.
    #[test]
    fn mutated_tail_never_panics(
        edits in prop::collection::vec((0usize..160, any::<u8>()), 1..6),
    ) {
        let mut z = fixture("valid.zip");
        let len = z.len();
        for (back, v) in &edits {
            let i = len - 1 - (*back % len);
            z[i] = *v;
        }
        parse_and_read_all(&z, &Limits::default());
    }
}

// ---------------------------------------------------------------------------
// The real-world corpus (read-only, shared between projects).

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");

/// Files where our entry list legitimately differs from the zip crate's.
const KNOWN_NAME_DIFFERENCES: &[(&str, &str)] = &[(
    "androguard/apksig/v2-only-truncated-cd.apk",
    // The EOCD's central-directory size is one byte short, so the third
    // record's name ("classes.dex") runs into the EOCD signature. The zip
    // crate reads it anyway (as "classes.deP"); libziparchive refuses the
    // archive ("file name exceeds the central directory range") and we stop
    // at the record that overruns the central directory, with
    // zip_cd_truncated + zip_entry_count_mismatch.
    "third record overruns the central directory",
)];

/// Anomalies the corpus's deliberately odd files must raise.
const EXPECTED_CORPUS_ANOMALIES: &[(&str, &str)] = &[
    // AndroidManifest.xml has compression method 30208 and is really
    // stored: the apkInspector/BadPack trick; we read it as stored.
    ("apkInspector/minimal_def_mod.apk", "zip_unknown_method"),
    ("apkInspector/eocd_at_offset_1026.apk", "zip_eocd_comment"),
    (
        "androguard/apksig/v1-only-max-sized-eocd-comment.apk",
        "zip_eocd_comment",
    ),
    (
        "androguard/apksig/v2-only-garbage-between-cd-and-eocd.apk",
        "zip_cd_gap",
    ),
    (
        "androguard/apksig/v2-only-truncated-cd.apk",
        "zip_cd_truncated",
    ),
    (
        "androguard/apksig/mismatched-compression-method.apk",
        "zip_local_header_mismatch",
    ),
    (
        "androguard/apksig/v1-only-with-nul-in-entry-name.apk",
        "zip_suspicious_entry_name",
    ),
    (
        "androguard/apksig/v1-only-with-lf-in-entry-name.apk",
        "zip_suspicious_entry_name",
    ),
    ("Apktool/issue1589.apk", "zip_suspicious_entry_name"),
];

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for f in rd.flatten() {
        let p = f.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `local_path -> category` from MANIFEST.tsv.
fn categories(root: &Path) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(root.join("MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let path = cols.next()?;
            let category = cols.nth(2)?;
            Some((path.to_string(), category.to_string()))
        })
        .collect()
}

#[test]
fn real_corpus() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!("note: {CORPUS} is absent; real-corpus test skipped");
        return;
    }
    let cats = categories(root);
    let mut files = Vec::new();
    files_under(root, &mut files);
    files.sort();
    let limits = Limits::default();
    let (mut parsed, mut refused, mut entries_read, mut entry_errors) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut name_differences = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let category = cats.get(&rel).map(String::as_str).unwrap_or("unlisted");
        let bytes = std::fs::read(path).unwrap();
        let archive = match Archive::parse(&bytes, &limits) {
            Ok(a) => a,
            Err(e) => {
                refused += 1;
                // MANIFEST.tsv, README.md and the v4 `.idsig` signature file
                // are not zips; every APK/AAB that is not `malformed` must open.
                let is_package = path
                    .extension()
                    .is_some_and(|x| x == "apk" || x == "aab" || x == "zip" || x == "jar");
                if is_package && category != "malformed" {
                    failures.push(format!("{rel} ({category}): {e}"));
                }
                continue;
            }
        };
        parsed += 1;
        for (f, code) in EXPECTED_CORPUS_ANOMALIES {
            if *f == rel && !archive.anomalies().iter().any(|a| a.code == *code) {
                failures.push(format!("{rel}: expected anomaly {code}"));
            }
        }
        if rel == "apkInspector/minimal_def_mod.apk" {
            // Stored under a bogus method; its CRC proves the stored reading
            // (its first bytes are tampered too, which is the AXML parser's problem).
            let m = archive
                .entry("AndroidManifest.xml")
                .map(|e| archive.read_with_anomalies(e));
            let ok = matches!(&m, Some(Ok(x)) if x.anomalies.len() == 1
                && x.anomalies[0].detail.contains("read as stored"));
            if !ok {
                failures.push(format!(
                    "{rel}: AndroidManifest.xml not read as stored: {m:?}"
                ));
            }
        }
        for e in archive.entries() {
            match archive.read(e) {
                Ok(_) => entries_read += 1,
                Err(err) => {
                    entry_errors += 1;
                    if category == "normal_app" {
                        failures.push(format!("{rel} ({category}): {}: {err}", e.name));
                    }
                }
            }
        }
        // Cross-check the entry list with the zip crate where it opens the file.
        if let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
            let theirs: Vec<String> = (0..z.len())
                .filter_map(|i| {
                    z.by_index_raw(i)
                        .ok()
                        .map(|f| f.name().unwrap_or_default().to_string())
                })
                .collect();
            let ours: Vec<String> = archive.entries().iter().map(|e| e.name.clone()).collect();
            if ours != theirs && !KNOWN_NAME_DIFFERENCES.iter().any(|(f, _)| *f == rel) {
                name_differences.push(format!(
                    "{rel}: ours {} entries, zip crate {} (first difference: {:?})",
                    ours.len(),
                    theirs.len(),
                    ours.iter().zip(&theirs).find(|(a, b)| a != b)
                ));
            }
        }
    }
    eprintln!(
        "real corpus: {} files, {parsed} parsed, {refused} refused, {entries_read} entries read, \
         {entry_errors} entry errors, {} name-list differences with the zip crate",
        files.len(),
        name_differences.len()
    );
    for d in &name_differences {
        eprintln!("  name difference: {d}");
    }
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    assert!(
        name_differences.is_empty(),
        "differences:\n{}",
        name_differences.join("\n")
    );
}
