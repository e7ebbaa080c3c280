//! Property tests: every fixture native library (`fixtures/apps/**/*.so`),
//! mutated byte by byte, with header and table fields overwritten by
//! extreme values, or truncated, goes through `native::analyse_lib` without a
//! panic, and without goblin panicking behind the `catch_unwind` either (the
//! counts and offsets are checked before goblin sees them). The library keeps
//! its identity (size, SHA-256) whatever its bytes. Crash inputs found by the
//! `native` fuzz target live in `tests/regressions/native/` and are replayed
//! here.

use fingertip::native::analyse_lib;
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "so") {
            out.push(p);
        }
    }
}

fn libs() -> &'static [Vec<u8>] {
    static DATA: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut paths = Vec::new();
        collect(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps"),
            &mut paths,
        );
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    })
}

fn check(path: &str, data: &[u8]) {
    let (lib, anomalies) = analyse_lib(path, data);
    assert_eq!(lib.size, data.len() as u64);
    assert_eq!(lib.sha256, format!("{:x}", Sha256::digest(data)));
    for a in &anomalies {
        assert!(a.detail.starts_with(path), "{a:?}");
        assert!(!a.detail.contains("panicked"), "goblin panicked: {a:?}");
    }
    if let Some(class) = lib.elf_class {
        assert!(class == 32 || class == 64);
    }
    serde_json::to_string(&lib).unwrap();
}

#[test]
fn every_fixture_library_is_clean() {
    assert!(libs().len() >= 12, "{} fixture libraries", libs().len());
    for data in libs() {
        let (lib, anomalies) = analyse_lib("lib/arm64-v8a/libx.so", data);
        assert!(lib.elf_class.is_some());
        assert!(
            anomalies
                .iter()
                .all(|a| a.code == "native_abi_mismatch" || a.code == "native_bad_section_headers"),
            "{anomalies:?}"
        );
    }
}

#[test]
fn regressions_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/native");
    let mut paths = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&dir) {
        paths.extend(rd.map(|e| e.unwrap().path()));
    }
    paths.sort();
    for p in paths {
        check("lib/arm64-v8a/libcrash.so", &std::fs::read(&p).unwrap());
    }
}

/// Offsets of the fields a hostile file would aim at: the ELF header's
/// table offsets and counts, and (64-bit) the first program headers'
/// offset/size words.
fn field(class64: bool, which: usize) -> (usize, usize) {
    const H64: [(usize, usize); 8] = [
        (32, 8), // e_phoff
        (40, 8), // e_shoff
        (54, 2), // e_phentsize
        (56, 2), // e_phnum
        (58, 2), // e_shentsize
        (60, 2), // e_shnum
        (62, 2), // e_shstrndx
        (4, 2),  // class, data
    ];
    const H32: [(usize, usize); 8] = [
        (28, 4),
        (32, 4),
        (42, 2),
        (44, 2),
        (46, 2),
        (48, 2),
        (50, 2),
        (4, 2),
    ];
    if which < 8 {
        if class64 {
            H64[which]
        } else {
            H32[which]
        }
    } else {
        // p_offset / p_vaddr / p_filesz of one of the first program headers
        let (base, ent, word) = if class64 { (64, 56, 8) } else { (52, 32, 4) };
        let ph = (which - 8) / 3;
        let f = [8usize, 16, 32][(which - 8) % 3];
        let f = if class64 {
            f
        } else {
            [4, 8, 16][(which - 8) % 3]
        };
        (base + ph * ent + f, word)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn mutated_libraries_never_panic(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let mut data = which.get(libs()).clone();
        for (at, byte) in edits {
            let i = at.index(data.len());
            data[i] = byte;
        }
        check("lib/arm64-v8a/libx.so", &data);
    }

    #[test]
    fn extreme_header_and_segment_fields_never_panic(
        which in any::<prop::sample::Index>(),
        fields in prop::collection::vec((0usize..29, prop_oneof![
            Just(0u64), Just(1), Just(0x7fff_ffff), Just(0xffff_ffff), Just(u64::MAX),
            Just(u64::MAX - 7), Just(0x8000_0000_0000_0000), any::<u64>(), 0u64..0x2000,
        ]), 1..6),
    ) {
        let mut data = which.get(libs()).clone();
        let class64 = data[4] == 2;
        for (f, value) in fields {
            let (at, len) = field(class64, f);
            let bytes = value.to_le_bytes();
            if at + len <= data.len() {
                data[at..at + len].copy_from_slice(&bytes[..len]);
            }
        }
        check("lib/x86/libx.so", &data);
    }

    #[test]
    fn truncated_libraries_never_panic(which in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let data = which.get(libs());
        let n = cut.index(data.len() + 1);
        check("assets/libx.so", &data[..n]);
    }
}
