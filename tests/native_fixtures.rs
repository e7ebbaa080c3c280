//! `native::analyse` on the fixture APKs built for it (`fixtures/apks/{sdkzoo,
//! flutterish,packed,webshell}.apk`) against readelf's view of the same
//! libraries, committed in `fixtures/expected/X.readelf.txt` by
//! `fixtures/native/make_expected.sh` (binutils readelf, `-hdnW --dyn-syms`
//! and `-DsW`). Compared per library: ELF class, byte order, machine,
//! SONAME, `DT_NEEDED` (in order), the number of exported `Java_*` symbols,
//! whether `JNI_OnLoad` is exported, and the GNU build id. Also: the list of
//! `.so` entries, their sizes (aapt `list -v`), SHA-256 (the committed
//! library files under `fixtures/apps/`), places (ABI, hidden) and the
//! anomalies each fixture was built to produce.
//!
//! Nothing here runs a tool.

use fingertip::archive::Archive;
use fingertip::native::{self, NativeLib, NativeReport};
use fingertip::reader::Limits;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn report(apk: &str) -> NativeReport {
    let data = std::fs::read(fixtures().join("apks").join(format!("{apk}.apk"))).unwrap();
    let limits = Limits::default();
    let archive = Archive::parse(&data, &limits).unwrap();
    native::analyse(&archive, &limits)
}

/// What readelf says about one library.
#[derive(Debug, Default, PartialEq)]
struct Readelf {
    class: Option<u8>,
    endianness: Option<String>,
    machine: Option<String>,
    soname: Option<String>,
    needed: Vec<String>,
    jni_exports: usize,
    jni_onload: bool,
    build_id: Option<String>,
}

/// readelf's `Machine:` text as `native::machine_name` spells it.
fn machine(readelf: &str) -> String {
    match readelf {
        "AArch64" => "AArch64",
        "ARM" => "ARM",
        "Intel 80386" => "x86",
        "Advanced Micro Devices X86-64" => "x86-64",
        "RISC-V" => "RISC-V",
        "MIPS R3000" => "MIPS",
        other => other,
    }
    .to_string()
}

fn bracketed(line: &str) -> Option<String> {
    let start = line.find('[')? + 1;
    let end = line.rfind(']')?;
    Some(line[start..end].to_string())
}

/// Symbol rows of one readelf symbol table: (bind, ndx, name without @version).
fn symbols(block: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for line in block.lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        if t.len() < 8 || !t[0].ends_with(':') || t[0].trim_end_matches(':').parse::<u32>().is_err()
        {
            continue;
        }
        let name = t[t.len() - 1];
        let name = name.split('@').next().unwrap().to_string();
        out.push((t[4].to_string(), t[t.len() - 2].to_string(), name));
    }
    out
}

/// Parses one `== path ==` section of `X.readelf.txt`.
fn parse_section(text: &str) -> Readelf {
    let (full, dynamic) = text
        .split_once("$ readelf -DsW")
        .expect("both readelf runs");
    let mut r = Readelf::default();
    for line in full.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("Class:") {
            r.class = Some(if v.trim() == "ELF64" { 64 } else { 32 });
        } else if let Some(v) = l.strip_prefix("Data:") {
            r.endianness = Some(
                if v.contains("little") {
                    "little"
                } else {
                    "big"
                }
                .into(),
            );
        } else if let Some(v) = l.strip_prefix("Machine:") {
            r.machine = Some(machine(v.trim()));
        } else if l.contains("(SONAME)") {
            r.soname = bracketed(l);
        } else if l.contains("(NEEDED)") {
            r.needed.push(bracketed(l).unwrap());
        } else if let Some(v) = l.split_once("Build ID: ") {
            r.build_id = Some(v.1.trim().to_string());
        }
    }
    // The .dynsym section when readelf found one, else the dynamic segment's table.
    let table = match full.split_once("Symbol table '.dynsym'") {
        Some((_, t)) => t.to_string(),
        None => dynamic.to_string(),
    };
    for (bind, ndx, name) in symbols(&table) {
        // bionic's dlsym: global or weak, defined.
        if (bind == "GLOBAL" || bind == "WEAK") && ndx != "UND" {
            if name.starts_with("Java_") {
                r.jni_exports += 1;
            } else if name == "JNI_OnLoad" {
                r.jni_onload = true;
            }
        }
    }
    r
}

fn readelf(apk: &str) -> BTreeMap<String, Readelf> {
    let path = fixtures()
        .join("expected")
        .join(format!("{apk}.readelf.txt"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    let mut parts = text.split("\n== ").map(|p| p.trim_start_matches("== "));
    for part in parts.by_ref() {
        let (head, body) = part.split_once(" ==\n").unwrap();
        out.insert(head.to_string(), parse_section(body));
    }
    out
}

fn ours(lib: &NativeLib) -> Readelf {
    Readelf {
        class: lib.elf_class,
        endianness: lib.endianness.clone(),
        machine: lib.machine.clone(),
        soname: lib.soname.clone(),
        needed: lib.needed.clone(),
        jni_exports: lib.jni_exports,
        jni_onload: lib.jni_onload,
        build_id: lib.build_id.clone(),
    }
}

const APKS: &[&str] = &["sdkzoo", "flutterish", "packed", "webshell"];

#[test]
fn every_library_matches_readelf() {
    let mut compared = 0;
    for apk in APKS {
        let r = report(apk);
        let peer = readelf(apk);
        let paths: Vec<&str> = r.libs.iter().map(|l| l.path.as_str()).collect();
        let peer_paths: Vec<&str> = peer.keys().map(String::as_str).collect();
        assert_eq!(paths, peer_paths, "{apk}: .so entries");
        for lib in &r.libs {
            assert_eq!(ours(lib), peer[&lib.path], "{apk}: {}", lib.path);
            compared += 1;
        }
    }
    assert_eq!(compared, 12);
}

#[test]
fn readelf_goldens_hold_what_the_fixtures_were_built_with() {
    // Guards the comparison itself: the goldens must show the variety the
    // fixtures were built for (fixtures/native/build.sh).
    let z = readelf("sdkzoo");
    let own = &z["lib/arm64-v8a/libnative-lib.so"];
    assert_eq!(
        own.jni_exports, 3,
        "hello, checkRoot and the weak version; not the hidden one"
    );
    assert!(own.jni_onload);
    assert_eq!(own.needed, ["liblog.so", "libm.so", "libdl.so", "libc.so"]);
    assert_eq!(own.build_id.as_deref().map(str::len), Some(40), "sha1");
    assert_eq!(
        z["lib/arm64-v8a/libBugly.so"]
            .build_id
            .as_deref()
            .map(str::len),
        Some(32),
        "md5"
    );
    assert_eq!(z["lib/arm64-v8a/libjcore123.so"].build_id, None);
    assert_eq!(z["lib/armeabi-v7a/libnative-lib.so"].class, Some(32));
    let f = readelf("flutterish");
    assert!(f["lib/x86_64/libapp.so"].needed.is_empty());
    assert_eq!(f["lib/x86_64/libapp.so"].jni_exports, 0);
    let p = readelf("packed");
    assert_eq!(p["lib/x86/libjgdtc.so"].machine.as_deref(), Some("x86-64"));
    assert_eq!(p["assets/libjiagu_x86.so"].machine.as_deref(), Some("x86"));
    assert!(
        p["assets/libjiagu.so"].jni_onload,
        "symbols through DT_HASH"
    );
}

fn codes(r: &NativeReport) -> Vec<String> {
    r.anomalies
        .iter()
        .map(|a| format!("{} {}", a.code, a.detail.split(':').next().unwrap()))
        .collect()
}

#[test]
fn places_abis_and_anomalies() {
    let z = report("sdkzoo");
    assert_eq!(z.abis, ["arm64-v8a", "armeabi-v7a"]);
    assert!(z
        .libs
        .iter()
        .all(|l| !l.hidden && l.abi_matches == Some(true)));
    assert!(z.anomalies.is_empty(), "{:?}", z.anomalies);
    let jcore = z.libs.iter().find(|l| l.name == "libjcore123.so").unwrap();
    assert_eq!(jcore.abi.as_deref(), Some("arm64-v8a"));
    assert_eq!(jcore.soname.as_deref(), Some("libjcore123.so"));

    let f = report("flutterish");
    assert_eq!(f.abis, ["arm64-v8a", "x86_64"]);
    assert!(f.anomalies.is_empty(), "{:?}", f.anomalies);

    let p = report("packed");
    assert_eq!(p.abis, ["x86"]);
    let hidden: Vec<(&str, bool, Option<&str>)> = p
        .libs
        .iter()
        .map(|l| (l.path.as_str(), l.hidden, l.abi.as_deref()))
        .collect();
    assert_eq!(
        hidden,
        [
            ("assets/libjiagu.so", true, None),
            ("assets/libjiagu_a64.so", true, None),
            ("assets/libjiagu_x86.so", true, None),
            ("lib/x86/libjgdtc.so", false, Some("x86")),
        ]
    );
    let mut got = codes(&p);
    got.sort();
    assert_eq!(
        got,
        [
            "native_abi_mismatch lib/x86/libjgdtc.so",
            "native_bad_section_headers assets/libjiagu.so",
            "native_lib_outside_lib_dir assets/libjiagu.so",
            "native_lib_outside_lib_dir assets/libjiagu_a64.so",
            "native_lib_outside_lib_dir assets/libjiagu_x86.so",
        ]
    );
    let jgdtc = p.libs.iter().find(|l| l.name == "libjgdtc.so").unwrap();
    assert_eq!(jgdtc.abi_matches, Some(false));

    let w = report("webshell");
    assert!(w.libs.is_empty() && w.abis.is_empty() && w.anomalies.is_empty());
}

#[test]
fn sizes_and_hashes_are_the_committed_libraries() {
    for apk in ["sdkzoo", "flutterish", "packed"] {
        let list =
            std::fs::read_to_string(fixtures().join("expected").join(format!("{apk}.list.txt")))
                .unwrap();
        for lib in report(apk).libs {
            let file = std::fs::read(fixtures().join("apps").join(apk).join(&lib.path)).unwrap();
            assert_eq!(lib.size, file.len() as u64, "{}", lib.path);
            assert_eq!(
                lib.sha256,
                format!("{:x}", Sha256::digest(&file)),
                "{}",
                lib.path
            );
            // aapt list -v: "Length Method Size Ratio Offset Date Time CRC-32 Name"
            let row = list
                .lines()
                .find(|l| l.split_whitespace().last() == Some(lib.path.as_str()))
                .unwrap();
            let length: u64 = row.split_whitespace().next().unwrap().parse().unwrap();
            assert_eq!(lib.size, length, "{}", lib.path);
        }
    }
}

#[test]
fn report_serializes_with_every_field() {
    let json = serde_json::to_value(report("sdkzoo")).unwrap();
    let lib = &json["libs"][0];
    for key in [
        "path",
        "name",
        "abi",
        "hidden",
        "elf_class",
        "endianness",
        "machine",
        "soname",
        "needed",
        "jni_exports",
        "jni_onload",
        "build_id",
        "abi_matches",
        "size",
        "sha256",
    ] {
        assert!(lib.get(key).is_some(), "{key} missing from {lib}");
    }
    assert_eq!(json["abis"][0], "arm64-v8a");
}

#[test]
fn size_cap_lists_without_reading() {
    let data = std::fs::read(fixtures().join("apks/sdkzoo.apk")).unwrap();
    let limits = Limits {
        max_native_lib_size: 5000,
        ..Limits::default()
    };
    let archive = Archive::parse(&data, &limits).unwrap();
    let r = native::analyse(&archive, &limits);
    let big: Vec<&NativeLib> = r.libs.iter().filter(|l| l.size > 5000).collect();
    assert!(!big.is_empty());
    for lib in big {
        assert!(lib.sha256.is_empty() && lib.elf_class.is_none(), "{lib:?}");
        assert!(r
            .anomalies
            .iter()
            .any(|a| a.code == "native_lib_too_large" && a.detail.starts_with(&lib.path)));
    }
    assert!(r
        .libs
        .iter()
        .any(|l| l.size <= 5000 && !l.sha256.is_empty()));
}

/// With the section header table erased from the ELF header (as packers
/// do), the facts come from the program headers alone: `PT_DYNAMIC`,
/// `DT_STRTAB`, `DT_SYMTAB` counted through `DT_GNU_HASH` or `DT_HASH`
/// (libjcore123.so has only the latter), and `PT_NOTE`. They must not change.
#[test]
fn facts_survive_erased_section_headers() {
    let mut compared = 0;
    for apk in ["sdkzoo", "flutterish", "packed"] {
        for lib in report(apk).libs {
            let mut data =
                std::fs::read(fixtures().join("apps").join(apk).join(&lib.path)).unwrap();
            let (shoff, shnum) = if data[4] == 2 { (40, 60) } else { (32, 48) };
            let width = if data[4] == 2 { 8 } else { 4 };
            data[shoff..shoff + width].fill(0);
            data[shnum..shnum + 4].fill(0); // e_shnum, e_shstrndx
            let (stripped, anomalies) = native::analyse_lib(&lib.path, &data);
            assert_eq!(ours(&stripped), ours(&lib), "{apk}: {}", lib.path);
            assert!(
                anomalies
                    .iter()
                    .any(|a| a.code == "native_bad_section_headers"),
                "{anomalies:?}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 12);
}
