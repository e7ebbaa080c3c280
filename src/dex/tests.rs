//! Hostile and odd inputs built from the fixtures: each damage shows up as
//! its anomaly code and the rest of the file is still read.

use super::*;
use sha1::{Digest, Sha1};

const BASIC: &[u8] = include_bytes!("../../fixtures/dex/basic_035.dex");
const CONTAINER: &[u8] = include_bytes!("../../fixtures/dex/container_041.dex");

fn u32_at(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(d[at..at + 4].try_into().unwrap())
}

fn put_u32(d: &mut [u8], at: usize, v: u32) {
    d[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Recomputes signature and checksum of the (non-container) file in `d`.
fn reseal(d: &mut [u8]) {
    let sig = Sha1::digest(&d[32..]);
    d[12..32].copy_from_slice(&sig);
    let ck = header::adler32(&d[12..]);
    put_u32(d, 8, ck);
}

fn codes(d: &DexFile) -> Vec<&'static str> {
    d.anomalies().iter().map(|a| a.code).collect()
}

fn parse1(d: &[u8]) -> DexFile {
    let mut v = parse(d, &Limits::default()).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

#[test]
fn not_dex_is_an_error() {
    assert_eq!(
        parse(b"PK\x03\x04rest", &Limits::default()).unwrap_err(),
        DexError::BadMagic
    );
    assert!(matches!(
        parse(&BASIC[..0x40], &Limits::default()),
        Err(DexError::TooShort { len: 0x40 })
    ));
}

#[test]
fn checksum_and_signature_mismatches_do_not_stop_the_analysis() {
    let mut d = BASIC.to_vec();
    d[8] ^= 1;
    let dex = parse1(&d);
    assert!(!dex.checksum_valid() && dex.signature_valid());
    assert_eq!(codes(&dex), ["dex_checksum_mismatch"]);
    assert_eq!(dex.classes().len(), 4);

    let mut d = BASIC.to_vec();
    d[20] ^= 1;
    let dex = parse1(&d);
    assert!(!dex.checksum_valid() && !dex.signature_valid());
    assert!(codes(&dex).contains(&"dex_signature_mismatch"));
    assert_eq!(dex.classes().len(), 4);
}

#[test]
fn truncated_file_keeps_what_it_can() {
    for cut in [0x70, 0x100, 0x300, BASIC.len() / 2, BASIC.len() - 100] {
        let dex = parse1(&BASIC[..cut]);
        let c = codes(&dex);
        assert!(c.contains(&"dex_file_size_mismatch"), "{cut}: {c:?}");
        assert!(c.contains(&"dex_checksum_mismatch"), "{cut}: {c:?}");
        for class in dex.classes() {
            for &i in &class.invokes {
                let _ = dex.method_ref(i);
            }
        }
    }
}

#[test]
fn out_of_bounds_section_is_cut() {
    let mut d = BASIC.to_vec();
    // string_ids_size: far more than fit.
    put_u32(&mut d, 0x38, 0x4000_0000);
    reseal(&mut d);
    let dex = parse1(&d);
    let c = codes(&dex);
    assert!(c.contains(&"dex_section_out_of_bounds"), "{c:?}");
    assert!(c.contains(&"dex_map_header_mismatch"), "{c:?}");
    assert_eq!(dex.classes().len(), 4);
}

#[test]
fn bad_opcode_ends_only_that_method() {
    let dex = parse1(BASIC);
    let main = dex
        .classes()
        .iter()
        .find(|c| c.descriptor == "Lfixture/Main;")
        .unwrap();
    let greet = main.methods.iter().find(|m| m.name == "greet").unwrap();
    // Find greet's first instruction (new-instance, 0x22) through the
    // method's code_off: search for its bytes after the const-string.
    let needle = [0x22u8, 0x00];
    let mut d = BASIC.to_vec();
    // The code item is 16 bytes of header then insns; find insns_size ==
    // greet.code_units followed by new-instance.
    let at = (0..d.len() - 20)
        .find(|&i| u32_at(&d, i) == greet.code_units && d[i + 4..i + 6] == needle)
        .unwrap()
        + 4;
    d[at] = 0x3e; // unused opcode
    reseal(&mut d);
    let broken = parse1(&d);
    assert_eq!(codes(&broken), ["dex_unknown_opcode"]);
    let main2 = broken
        .classes()
        .iter()
        .find(|c| c.descriptor == "Lfixture/Main;")
        .unwrap();
    // greet's calls are lost, but ranges() and the strings of the other
    // methods are still there.
    assert!(main2.invokes.len() < main.invokes.len());
    assert!(main2
        .invokes
        .iter()
        .any(|&i| dex.method_ref(i).unwrap().name == "sum6"));
    assert_eq!(main2.strings.len(), main.strings.len() - 1);
}

#[test]
fn limits_cut_classes_and_methods() {
    let limits = Limits {
        max_dex_classes: 2,
        ..Limits::default()
    };
    let dex = parse(BASIC, &limits).unwrap().remove(0);
    assert_eq!(dex.classes().len(), 2);
    assert_eq!(codes(&dex), ["dex_limit_exceeded"]);

    let limits = Limits {
        max_dex_methods: 3,
        max_dex_code_units: 4,
        ..Limits::default()
    };
    let dex = parse(BASIC, &limits).unwrap().remove(0);
    let methods: usize = dex.classes().iter().map(|c| c.methods.len()).sum();
    assert_eq!(methods, 3);
    assert_eq!(codes(&dex), ["dex_limit_exceeded"]);

    let limits = Limits {
        max_dex_name_bytes: 10,
        ..Limits::default()
    };
    let dex = parse(BASIC, &limits).unwrap().remove(0);
    assert_eq!(dex.classes().len(), 4);
    assert!(codes(&dex).contains(&"dex_limit_exceeded"));

    let limits = Limits {
        max_dex_string_len: 3,
        ..Limits::default()
    };
    let dex = parse(BASIC, &limits).unwrap().remove(0);
    let lens: Vec<usize> = (0..dex.counts().types)
        .map(|i| dex.type_name(i).unwrap().len())
        .collect();
    assert!(
        lens.iter().all(|&n| n <= 3) && lens.contains(&3),
        "{lens:?}"
    );
}

#[test]
fn container_with_a_broken_second_header() {
    let first_size = u32_at(CONTAINER, 0x20) as usize;
    let mut d = CONTAINER.to_vec();
    d[first_size] = b'X';
    let dexes = parse(&d, &Limits::default()).unwrap();
    assert_eq!(dexes.len(), 1);
    assert_eq!(codes(&dexes[0]), ["dex_container_bad_header"]);

    let limits = Limits {
        max_dex_files: 1,
        ..Limits::default()
    };
    let dexes = parse(CONTAINER, &limits).unwrap();
    assert_eq!(dexes.len(), 1);
    assert_eq!(codes(&dexes[0]), ["dex_limit_exceeded"]);

    // A wrong header_offset in the second file, and a container_size that
    // disagrees with the bytes present.
    let mut d = CONTAINER.to_vec();
    put_u32(&mut d, first_size + 0x74, 0);
    put_u32(&mut d, 0x70, 1 << 20);
    let dexes = parse(&d, &Limits::default()).unwrap();
    assert_eq!(dexes.len(), 2);
    assert!(codes(&dexes[0]).contains(&"dex_container_size_mismatch"));
    assert!(codes(&dexes[1]).contains(&"dex_container_header_offset_mismatch"));
}

#[test]
fn odd_header_fields_are_reported() {
    let mut d = BASIC.to_vec();
    d[4..7].copy_from_slice(b"036");
    put_u32(&mut d, 0x28, header::REVERSE_ENDIAN_CONSTANT);
    put_u32(&mut d, 0x2c, 4);
    reseal(&mut d);
    let dex = parse1(&d);
    assert_eq!(dex.version(), 36);
    assert_eq!(
        codes(&dex),
        [
            "dex_unknown_version",
            "dex_bad_endian_tag",
            "dex_link_section"
        ]
    );
    assert_eq!(dex.classes().len(), 4);
}

#[test]
fn map_problems_are_reported() {
    let map_off = u32_at(BASIC, 0x34) as usize;
    let n = u32_at(BASIC, map_off) as usize;
    // Make the second map item an unknown type, and the third a duplicate
    // of the first.
    let mut d = BASIC.to_vec();
    let item = |i: usize| map_off + 4 + 12 * i;
    d[item(1)..item(1) + 2].copy_from_slice(&0x7777u16.to_le_bytes());
    let first_ty = [d[item(0)], d[item(0) + 1]];
    d[item(2)..item(2) + 2].copy_from_slice(&first_ty);
    reseal(&mut d);
    let c = codes(&parse1(&d));
    assert!(c.contains(&"dex_map_unknown_type"), "{c:?}");
    assert!(c.contains(&"dex_map_duplicate_type"), "{c:?}");
    assert!(n > 3);

    // Two items at one offset overlap.
    let mut d = BASIC.to_vec();
    let off4 = u32_at(&d, item(4) + 8);
    put_u32(&mut d, item(5) + 8, off4);
    reseal(&mut d);
    assert!(codes(&parse1(&d)).contains(&"dex_map_overlap"));

    // No map at all.
    let mut d = BASIC.to_vec();
    put_u32(&mut d, 0x34, 0);
    reseal(&mut d);
    assert_eq!(codes(&parse1(&d)), ["dex_missing_map"]);
}

#[test]
fn bad_class_def_indices_and_offsets() {
    let class_defs_off = u32_at(BASIC, 0x64) as usize;
    let mut d = BASIC.to_vec();
    // Class 0: type index out of range; class 1: class_data_off past the end;
    // class 2: interfaces_off past the end.
    d[class_defs_off..class_defs_off + 2].copy_from_slice(&0x7000u16.to_le_bytes());
    put_u32(&mut d, class_defs_off + 32 + 24, 0x00ff_ffff);
    put_u32(&mut d, class_defs_off + 64 + 12, 0x00ff_ffff);
    reseal(&mut d);
    let dex = parse1(&d);
    assert_eq!(codes(&dex), ["dex_bad_index", "dex_bad_offset"]);
    assert!(dex.anomalies()[1].detail.contains("(and 1 more like it)"));
    assert_eq!(dex.classes().len(), 4);
    assert_eq!(dex.classes()[0].descriptor, "");
}

#[test]
fn duplicate_class_is_reported() {
    let class_defs_off = u32_at(BASIC, 0x64) as usize;
    let mut d = BASIC.to_vec();
    let first: Vec<u8> = d[class_defs_off..class_defs_off + 2].to_vec();
    d[class_defs_off + 32..class_defs_off + 34].copy_from_slice(&first);
    reseal(&mut d);
    let c = codes(&parse1(&d));
    assert!(c.contains(&"dex_duplicate_class"), "{c:?}");
}

#[test]
fn debug_output_is_short() {
    let dex = parse1(BASIC);
    let s = format!("{dex:?}");
    assert!(s.contains("version: 35") && s.len() < 400, "{s}");
}

#[test]
fn huge_interface_lists_are_bounded() {
    // Append a type_list of 100,000 entries and point every class at it.
    let mut d = BASIC.to_vec();
    let list_off = d.len() as u32;
    d.extend_from_slice(&100_000u32.to_le_bytes());
    for _ in 0..100_000 {
        d.extend_from_slice(&0u16.to_le_bytes());
    }
    let class_defs_off = u32_at(&d, 0x64) as usize;
    for i in 0..4 {
        put_u32(&mut d, class_defs_off + 32 * i + 12, list_off);
    }
    let limits = Limits {
        max_dex_name_bytes: 64 << 10,
        ..Limits::default()
    };
    let dex = parse(&d, &limits).unwrap().remove(0);
    let total: usize = dex.classes().iter().map(|c| c.interfaces.len()).sum();
    assert!(total <= (64 << 10) / parse::NAME_COST, "{total}");
    assert!(codes(&dex).contains(&"dex_limit_exceeded"));
    let dex = parse(&d, &Limits::default()).unwrap().remove(0);
    assert!(dex.classes().iter().all(|c| c.interfaces.len() == 65_535));
}
